/** What every policy-exception rule reads, and the shared tests for refusals and conditional refunds. */
import type { FigureContext } from "./figures.js";

export interface SentenceContext {
  sentence: string;
  /** Account facts' text, lower-case: what the records say happened. */
  records: string;
  /** Money keys held by refund records. */
  refundAmounts: Set<string>;
  figures: FigureContext;
}

export interface ExceptionRule {
  name: string;
  matches(context: SentenceContext): boolean;
}

/** "once the merchant processes the return, we refund...": how returns work, not a grant. */
export const CONDITIONAL_REFUND = /\b(once|when|after|as soon as|if)\b[^.]{0,60}\b(merchant|store|return|returned|processes|processed|confirms)\b/;

/** A negation shortly before `index` ("I can't waive", "we never remove fees") turns a grant into a refusal. */
export function negatedBefore(sentence: string, index: number): boolean {
  const before = sentence.slice(Math.max(0, index - 40), index).replace(/\bno (?:worries|problem|stress|need to worry)\b/g, " ");
  return /\b(?:not|never|no longer|cannot|can't|unable|won't|don't|doesn't|isn't|aren't|wasn't|without|nor|no)\b|n't\b/.test(before);
}

/** True when `pattern` matches somewhere in the sentence without a negation just before it. */
export function affirmedMatch(sentence: string, pattern: RegExp): boolean {
  const global = new RegExp(pattern.source, "g");
  for (const match of sentence.matchAll(global)) {
    if (!negatedBefore(sentence, match.index)) return true;
  }
  return false;
}
