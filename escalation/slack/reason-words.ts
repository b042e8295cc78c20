/**
 * Reason codes in words for agents. The brain and the routing rules speak in stable codes
 * (`human_requested`, `ungrounded_figure`); agents read sentences. Unknown codes stay readable
 * (`late_fee_dispute` -> "Late fee dispute") so a new rule never shows up as a blank.
 */

const REASON_WORDS: Readonly<Record<string, string>> = {
  human_requested: "Customer asked for a person",
  hardship: "Financial hardship",
  financial_hardship: "Financial hardship",
  dispute: "Dispute",
  complaint: "Complaint",
  refund_request: "Refund request (amounts need a person)",
  refund_amount: "Refund amount (needs a person)",
  policy_exception: "Policy exception requested",
  fee_waiver: "Fee waiver requested",
  extension_request: "Payment extension requested",
  account_issue: "Account problem",
  account_action: "Account change requested",
  frustration: "Customer is frustrated",
  rising_frustration: "Customer is getting frustrated",
  loop_detected: "The AI was going in circles",
  repeated_question: "Customer repeated the question",
  failed_answers: "Two answers did not help",
  ungrounded_figure: "AI draft had an amount or date it could not back up",
  guardrail_blocked: "AI draft blocked by a guardrail",
  low_confidence: "AI was not confident",
  unsupported_language: "Customer wrote in a language the AI has no answers in",
  no_answer: "AI had no answer",
  category_rule: "Category always goes to a person",
  adaptive_rule: "Satisfaction in this category is low",
  verification_failed: "Identity could not be verified",
  engine_error: "AI engine failed",
  upstream_error: "Account system unavailable",
  unknown_channel: "Channel no longer configured",
  fraud: "Possible fraud",
  legal: "Legal matter",
  vulnerable_customer: "Vulnerable customer",
  bereavement: "Bereavement",
};

/** One code in words; `prefix:detail` codes read "Prefix: detail". */
export function reasonInWords(code: string): string {
  const known = REASON_WORDS[code];
  if (known) return known;
  const [head, ...rest] = code.split(":");
  const headWords = REASON_WORDS[head ?? ""] ?? humanize(head ?? "");
  return rest.length > 0 ? `${headWords}: ${rest.map(humanizeLower).join(": ")}` : headWords;
}

export function reasonsInWords(codes: readonly string[]): string[] {
  const words = codes.map((code) => code.trim()).filter((code) => code.length > 0).map(reasonInWords);
  return words.length > 0 ? [...new Set(words)] : ["Escalated"];
}

function humanizeLower(code: string): string {
  return code
    .replace(/[_\-.]+/g, " ")
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .replace(/\s+/g, " ")
    .trim()
    .toLowerCase()
    .slice(0, 80);
}

function humanize(code: string): string {
  const words = humanizeLower(code);
  return words ? words[0]!.toUpperCase() + words.slice(1) : "Unknown reason";
}
