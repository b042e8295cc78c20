/**
 * Answer templates from the agents' own words: per category, the best resolved response (satisfied
 * customers, quick resolution, close to what the other agents said), with what was specific to one
 * customer left out: names in greetings, sign-offs, dates, order and tracking numbers, contact details,
 * and money amounts that neither the policy documents state nor the category's agents repeat as policy.
 */
import { words } from "./text.js";
import type { SparseVector } from "./vectorizer.js";

const MONTHS =
  "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?";
const CUSTOMER_SPECIFIC: readonly RegExp[] = [
  new RegExp(`\\b(?:${MONTHS})\\.?\\s+\\d{1,2}(?:st|nd|rd|th)?\\b`, "i"),
  new RegExp(`\\b\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+)?(?:${MONTHS})\\b`, "i"),
  /\b\d{4}-\d{2}-\d{2}\b/,
  /\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b/,
  /\b(?:on|since|by|until)\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b/i,
  /#\s?\d{3,}/,
  /\b\d{5,}\b/,
  /\b(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{8,}\b/,
  /\b[\w.+-]+@[\w-]+\.[\w.-]+\b/,
  /\+?\d[\d\s().-]{8,}\d/,
];
const MONEY = /[$€£]\s?\d[\d,]*(?:\.\d{1,2})?|\b\d[\d,]*(?:\.\d{1,2})?\s?(?:usd|eur|gbp|dollars|euros|pounds)\b/gi;
// Case matters here: the name is the capitalised word after the greeting ("Hi Sarah,", not "Thanks for").
const GREETING_NAME =
  /^(\s*(?:[Hh]i|[Hh]ello|[Hh]ey|[Dd]ear|[Gg]ood (?:morning|afternoon|evening)|[Tt]hanks|[Tt]hank you)),?\s+\p{Lu}[\p{Ll}'-]+(?:\s+\p{Lu}[\p{Ll}'-]+)?\s*([,!.])?/u;
const SIGN_OFF = /^(?:-+\s*)?(?:best|regards|kind regards|best regards|cheers|thanks|sincerely|warmly)?,?\s*-?\s*\p{Lu}[\p{L}'-]+(?:\s+\p{Lu}\.?)?\s*$/u;

export function moneyKey(amount: string): string {
  const digits = amount.replace(/[^\d.]/g, "");
  const value = Number(digits);
  return Number.isFinite(value) ? value.toFixed(2) : digits;
}

/** Money amounts a set of documents states, as canonical keys ("7.00"). */
export function policyAmounts(texts: readonly string[]): Set<string> {
  const amounts = new Set<string>();
  for (const text of texts) for (const match of text.match(MONEY) ?? []) amounts.add(moneyKey(match));
  return amounts;
}

/** Sentences end at . ! or ? followed by a space: "29.99%" and "$1,500.00" stay whole. */
export function splitSentences(text: string): string[] {
  return text
    .replace(/\s+/g, " ")
    .trim()
    .split(/(?<=[.!?])\s+(?=["'(\p{Lu}\p{N}¿¡])/u)
    .map((sentence) => sentence.trim())
    .filter(Boolean);
}

/** Refunds, credits, waivers and goodwill: an amount there is one customer's case, however often it recurs. */
const EXCEPTION_WORDS =
  /\b(?:refund\w*|reimburs\w*|credit(?:s|ed|ing)?(?!\s+cards?)|waiv\w*|compensat\w*|courtesy|goodwill|discount\w*|voucher|coupon|gift card|exception)\b/i;

/** Amounts a template may keep: those the documents state, and those the category's agents state as policy. */
export interface AllowedAmounts {
  documented: ReadonlySet<string>;
  /** Learned from the responses (`statedFigures`): never kept in a refund or exception sentence. */
  stated?: ReadonlySet<string>;
}

export function isCustomerSpecific(sentence: string, allowed: AllowedAmounts): boolean {
  if (CUSTOMER_SPECIFIC.some((pattern) => pattern.test(sentence))) return true;
  const exception = EXCEPTION_WORDS.test(sentence);
  return (sentence.match(MONEY) ?? []).some((amount) => {
    const key = moneyKey(amount);
    return !allowed.documented.has(key) && (exception || !allowed.stated?.has(key));
  });
}

/**
 * Share of a category's responses that must state an amount, and the fewest tickets, before it counts as
 * policy ("free over $50" in a third of the shipping answers) rather than one customer's figure. Three
 * tickets rule out two customers who happened to have the same total; a fifth of the category keeps out
 * a price that a few answers of a large category quote for different reasons.
 */
export const STATED_FIGURE_MIN_TICKETS = 3;
export const STATED_FIGURE_MIN_SHARE = 0.2;

export interface StatedFigure {
  /** As the agents first wrote it ("$50"). */
  amount: string;
  /** Distinct tickets whose response states it outside a refund or exception sentence. */
  tickets: number;
  share: number;
}

/**
 * Money amounts the documents do not state but that recur, as policy, in the responses of many tickets of
 * one category. Only sentences with nothing else customer-specific (no date, order number, contact) and
 * no refund, credit or waiver count.
 */
export function statedFigures(responses: readonly string[], documented: ReadonlySet<string>): StatedFigure[] {
  const counts = new Map<string, { amount: string; tickets: number }>();
  for (const response of responses) {
    const seen = new Set<string>();
    for (const sentence of splitSentences(response)) {
      if (CUSTOMER_SPECIFIC.some((pattern) => pattern.test(sentence)) || EXCEPTION_WORDS.test(sentence)) continue;
      for (const amount of sentence.match(MONEY) ?? []) {
        const key = moneyKey(amount);
        if (documented.has(key) || seen.has(key)) continue;
        seen.add(key);
        const count = counts.get(key) ?? { amount: amount.trim(), tickets: 0 };
        count.tickets += 1;
        counts.set(key, count);
      }
    }
  }
  const needed = Math.max(STATED_FIGURE_MIN_TICKETS, STATED_FIGURE_MIN_SHARE * responses.length);
  return [...counts.values()]
    .filter((count) => count.tickets >= needed)
    .map((count) => ({ ...count, share: Math.round((count.tickets / responses.length) * 1e4) / 1e4 }))
    .sort((a, b) => b.tickets - a.tickets || (moneyKey(a.amount) < moneyKey(b.amount) ? -1 : 1));
}

export interface SanitizedResponse {
  text: string;
  kept: number;
  leftOut: number;
}

export function sanitizeResponse(response: string, allowedAmounts: AllowedAmounts): SanitizedResponse {
  const unnamed = response.trim().replace(GREETING_NAME, (_match, greeting: string, mark?: string) => `${greeting}${mark ?? ","}`);
  const lines = unnamed.split(/\n+/).map((line) => line.trim()).filter(Boolean);
  while (lines.length > 1 && SIGN_OFF.test(lines[lines.length - 1] as string)) lines.pop();
  const sentences = splitSentences(lines.join(" "));
  const kept: string[] = [];
  let leftOut = 0;
  for (const sentence of sentences) {
    if (isCustomerSpecific(sentence, allowedAmounts)) leftOut += 1;
    else kept.push(sentence);
  }
  // A greeting left alone ("Hi,") is no answer.
  const substantive = kept.filter((sentence) => words(sentence).length > 3);
  return { text: substantive.length > 0 ? kept.join(" ") : "", kept: substantive.length, leftOut };
}

export interface ResponseCandidate {
  ticketId: string | null;
  response: string;
  csat?: number;
  resolutionMinutes?: number;
  escalated?: boolean;
  vector: SparseVector;
}

export interface ChosenTemplate {
  text: string;
  fromTicket: string | null;
  score: number;
  csat: number | null;
  sentencesLeftOut: number;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/**
 * Scores every candidate (satisfaction 0.4, speed 0.2, centrality 0.4, and a mild preference for
 * responses of a readable length) and returns the best that still says something once sanitised.
 */
export function chooseTemplate(
  candidates: readonly ResponseCandidate[],
  centrality: (vector: SparseVector) => number,
  allowedAmounts: AllowedAmounts,
): ChosenTemplate | null {
  if (candidates.length === 0) return null;
  const typicalMinutes = median(candidates.flatMap((candidate) => (candidate.resolutionMinutes !== undefined ? [candidate.resolutionMinutes] : [])));
  const scored = candidates.map((candidate, index) => {
    const satisfaction = candidate.csat !== undefined ? (candidate.csat - 1) / 4 : 0.5;
    const speed =
      candidate.resolutionMinutes !== undefined ? 1 / (1 + candidate.resolutionMinutes / Math.max(1, typicalMinutes)) : 0.5;
    const length = words(candidate.response).length;
    const readable = length < 6 ? 0.3 : length > 150 ? 0.6 : 1;
    const score = (0.4 * satisfaction + 0.2 * speed + 0.4 * centrality(candidate.vector)) * readable;
    return { candidate, index, score: Math.round(score * 1e4) / 1e4 };
  });
  scored.sort((a, b) => b.score - a.score || a.index - b.index);
  for (const { candidate, score } of scored.slice(0, 50)) {
    const sanitized = sanitizeResponse(candidate.response, allowedAmounts);
    if (sanitized.kept === 0) continue;
    return {
      text: sanitized.text,
      fromTicket: candidate.ticketId,
      score,
      csat: candidate.csat ?? null,
      sentencesLeftOut: sanitized.leftOut,
    };
  }
  return null;
}
