/**
 * Light, language-neutral text normalisation shared by the learner, retrieval and the routing rules:
 * Unicode NFKC, lower case, accents folded, money/numbers/links reduced to shape tokens, words split on
 * anything that is not a letter or digit. No stemming: character n-grams carry the morphology.
 */
import { replaceControlCharacters } from "../domain/control-characters.js";

const MONEY = /(?:[$€£¥]\s?\d[\d,]*(?:\.\d+)?|\d[\d,]*(?:\.\d+)?\s?(?:usd|eur|gbp|dollars?|euros?|pounds?|bucks))/giu;
const URL = /\bhttps?:\/\/\S+|\bwww\.\S+/giu;
const EMAIL = /\b[\w.+-]+@[\w-]+\.[\w.-]+\b/gu;
const LONG_NUMBER = /\b\d{5,}\b/gu;
const NUMBER = /\b\d+(?:[.,]\d+)?(?:st|nd|rd|th)?\b/gu;

/** Lower case, accents folded, control characters removed; keeps punctuation for callers that need it. */
export function foldText(text: string): string {
  return replaceControlCharacters(text.normalize("NFKC"), " ")
    .toLowerCase()
    .normalize("NFD")
    .replace(/\p{M}+/gu, "")
    .replace(/[\u2018\u2019\u02BC`´]/gu, "'");
}

/** The text the learner sees: folded, with money, links, ids and numbers as shape tokens. */
export function normalizeForLearning(text: string): string {
  return foldText(text)
    .replace(URL, " zzurl ")
    .replace(EMAIL, " zzemail ")
    .replace(MONEY, " zzmoney ")
    .replace(LONG_NUMBER, " zzid ")
    .replace(NUMBER, " zznum ");
}

/** Words of a text (already folded or not): letters and digits, apostrophes inside words dropped. */
export function words(text: string): string[] {
  const folded = foldText(text).replace(/(\p{L})'(\p{L})/gu, "$1$2");
  return folded.match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Tokens for learning: normalised words, capped so a 100 KB message costs what a long one costs. */
export function learningTokens(text: string, maxTokens = 400): string[] {
  const normalized = normalizeForLearning(text.length > 20_000 ? text.slice(0, 20_000) : text);
  const tokens = normalized.replace(/(\p{L})'(\p{L})/gu, "$1$2").match(/[\p{L}\p{N}]+/gu) ?? [];
  return tokens.length > maxTokens ? tokens.slice(0, maxTokens) : tokens;
}

/** English function words that carry no topic; used to name clusters and mine phrases. */
export const STOPWORDS: ReadonlySet<string> = new Set(
  (
    "a an the and or but if then so to of in on at by for with from into about as is are was were be been being " +
    "am do does did doing have has had having i me my mine myself we us our you your yours he him his she her it " +
    "its they them their this that these those there here what which who whom whose when where why how can could " +
    "would should will shall may might must not no nor only own same than too very just also any all both each few " +
    "more most other some such again further once up down out off over under until while because s t d ll m re ve " +
    "y im ive id its dont cant wont isnt arent wasnt didnt doesnt hasnt havent please thanks thank hi hello hey get " +
    "got want need like know one still even really yes ok okay zznum zzid zzmoney zzurl zzemail"
  ).split(" "),
);

/** Share of letters that are upper case, over letters only (for "shouting" detection). */
export function upperCaseShare(text: string): { share: number; letters: number } {
  let upper = 0;
  let letters = 0;
  for (const char of text) {
    if (/\p{L}/u.test(char)) {
      letters += 1;
      if (char !== char.toLowerCase() && char === char.toUpperCase()) upper += 1;
    }
  }
  return { share: letters === 0 ? 0 : upper / letters, letters };
}

/** Jaccard overlap of two texts' content words: how much two messages say the same thing. */
export function contentOverlap(a: string, b: string): number {
  const setA = new Set(words(a).filter((word) => !STOPWORDS.has(word)));
  const setB = new Set(words(b).filter((word) => !STOPWORDS.has(word)));
  if (setA.size === 0 || setB.size === 0) return 0;
  let shared = 0;
  for (const word of setA) if (setB.has(word)) shared += 1;
  return shared / (setA.size + setB.size - shared);
}
