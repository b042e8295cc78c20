/**
 * Text as the guardrails read it. Detection runs on a canonical copy: Unicode compatibility forms folded
 * (full-width `＄４５` -> `$45`), invisible characters removed (zero-width joiners used to split words),
 * common Cyrillic/Greek look-alikes mapped to Latin, quotes and dashes unified. The copy keeps one
 * character per input character where it can, but callers only use it for matching, never for display.
 */
import { replaceControlCharacters } from "../domain/control-characters.js";

// Deliberately lists joiners and variation selectors on their own: they are what gets stripped.
// eslint-disable-next-line no-misleading-character-class
const INVISIBLE = /[\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180F\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFE00-\uFE0F\uFEFF]/g;
const SPACES = /[\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]/g;

const LOOKALIKES: Record<string, string> = {
  а: "a", е: "e", о: "o", р: "p", с: "c", у: "y", х: "x", і: "i", ј: "j", ѕ: "s", ԁ: "d", һ: "h", ԛ: "q", ԝ: "w",
  А: "A", В: "B", Е: "E", К: "K", М: "M", Н: "H", О: "O", Р: "P", С: "C", Т: "T", Х: "X", І: "I", Ј: "J", Ѕ: "S",
  ο: "o", α: "a", ε: "e", ι: "i", κ: "k", ν: "v", ρ: "p", τ: "t", υ: "u", χ: "x", Ο: "O", Α: "A", Β: "B", Ε: "E",
  Ι: "I", Κ: "K", Μ: "M", Ν: "N", Ρ: "P", Τ: "T", Χ: "X", Υ: "Y", Ζ: "Z",
};
const LOOKALIKE = new RegExp(`[${Object.keys(LOOKALIKES).join("")}]`, "g");

/** The canonical copy of `text` used for every pattern match. */
export function canonicalText(text: string): string {
  return replaceControlCharacters(text.normalize("NFKC").replace(INVISIBLE, ""), " ")
    .replace(SPACES, " ")
    .replace(LOOKALIKE, (char) => LOOKALIKES[char] ?? char)
    .replace(/[‘’‚‛′`´]/g, "'")
    .replace(/[“”„‟″]/g, '"')
    .replace(/[‐‑‒–—―−]/g, "-");
}

const MAX_SENTENCE = 1_000;
const SENTENCE_OVERLAP = 200;

/**
 * Sentences of a reply (a line break ends one too), whitespace collapsed. A run-on "sentence" longer than
 * 1,000 characters is cut into overlapping pieces, so patterns stay cheap on hostile input and nothing
 * escapes a check by being long.
 */
export function sentencesOf(text: string): string[] {
  const sentences: string[] = [];
  for (const raw of text.split(/(?<=[.!?])\s+|\n+/)) {
    const sentence = raw.replace(/\s+/g, " ").trim();
    if (sentence.length === 0) continue;
    if (sentence.length <= MAX_SENTENCE) {
      sentences.push(sentence);
      continue;
    }
    for (let start = 0; start < sentence.length; start += MAX_SENTENCE - SENTENCE_OVERLAP) {
      sentences.push(sentence.slice(start, start + MAX_SENTENCE));
      if (start + MAX_SENTENCE >= sentence.length) break;
    }
  }
  return sentences;
}

/** Lower-case words, for overlap checks. */
export function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];
}

export function shorten(text: string, max = 80): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
