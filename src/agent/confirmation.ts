/**
 * Reading a customer's answer to "Reply YES to confirm or NO to cancel". Only an unambiguous, short answer
 * counts: "yes", "yes please", "confirm", "y"... A "yes, but move it to the 12th instead" is not a yes.
 */

export type ConfirmationAnswer = "yes" | "no" | "unclear";

const YES = new Set([
  "yes", "y", "yes please", "yes pls", "yes confirm", "yes i confirm", "i confirm", "confirm", "confirmed",
  "yes do it", "yes go ahead", "go ahead", "do it", "please do", "yes please do", "yep", "yeah", "yup", "yes thanks",
  "yes thank you", "yes correct", "correct", "yes that's right", "yes that is right", "yes that's correct", "👍",
  "sí", "si", "oui",
]);

const NO = new Set([
  "no", "n", "nope", "nah", "cancel", "cancel it", "stop", "don't", "dont", "do not", "no thanks", "no thank you",
  "never mind", "nevermind", "no cancel", "no don't", "no dont", "no do not", "don't do it", "dont do it", "👎", "non",
]);

/** Emoji and punctuation around the words do not change the answer ("Yes!", "yes 🙂"). */
function canonical(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[’‘`]/g, "'")
    .replace(/[^\p{L}\p{N}'\s👍👎]/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
}

export function classifyConfirmation(text: string): ConfirmationAnswer {
  if (text.length > 200) return "unclear";
  const answer = canonical(text);
  if (answer.length === 0 || answer.length > 40) return "unclear";
  // A thumb next to the word agrees with it ("yep 👍"); a thumb against the word makes it unclear.
  const up = answer.includes("👍");
  const down = answer.includes("👎");
  const words = answer.replace(/👍|👎/gu, " ").replace(/\s+/g, " ").trim();
  if (up && down) return "unclear";
  if (YES.has(answer) || (up && (words === "" || YES.has(words)))) return "yes";
  if (NO.has(answer) || (down && (words === "" || NO.has(words)))) return "no";
  return "unclear";
}

/** Something that reads as a new question or request rather than an answer to ours. */
export function looksLikeNewRequest(text: string): boolean {
  return text.includes("?") || canonical(text).split(" ").filter(Boolean).length > 5;
}
