/**
 * Splitting a long reply into message bodies Twilio accepts (1,600 characters each). Parts end at
 * sentence boundaries where possible, then at word boundaries, and only as a last resort inside a word
 * (never inside a surrogate pair), so each part reads as a whole message on the customer's phone.
 */

/** Twilio's body limit for one Programmable Messaging message, in characters. */
export const TWILIO_BODY_LIMIT = 1600;

const sentences = new Intl.Segmenter("en", { granularity: "sentence" });
const words = new Intl.Segmenter("en", { granularity: "word" });

/** Lengths are counted in UTF-16 code units: never fewer than Twilio's characters, so always safe. */
export function splitForSending(text: string, maxLength = TWILIO_BODY_LIMIT): string[] {
  if (maxLength < 2) throw new RangeError("maxLength must be at least 2");
  const trimmed = text.trim();
  if (trimmed.length <= maxLength) return trimmed === "" ? [] : [trimmed];

  const parts: string[] = [];
  let current = "";
  const flush = () => {
    const part = current.trim();
    if (part !== "") parts.push(part);
    current = "";
  };

  for (const { segment } of sentences.segment(trimmed)) {
    if (current.length + segment.trimEnd().length <= maxLength) {
      current += segment;
      continue;
    }
    flush();
    if (segment.trimEnd().length <= maxLength) {
      current = segment;
      continue;
    }
    // One sentence longer than a whole part: fall back to words.
    for (const piece of splitLongSentence(segment, maxLength)) {
      if (current.length + piece.trimEnd().length <= maxLength) {
        current += piece;
      } else {
        flush();
        current = piece;
      }
    }
  }
  flush();
  return parts;
}

function splitLongSentence(sentence: string, maxLength: number): string[] {
  const pieces: string[] = [];
  for (const { segment } of words.segment(sentence)) {
    if (segment.length <= maxLength) pieces.push(segment);
    else pieces.push(...hardSplit(segment, maxLength));
  }
  return pieces;
}

/** Cut at code point boundaries only: an emoji is never broken in half. */
function hardSplit(word: string, maxLength: number): string[] {
  const pieces: string[] = [];
  let current = "";
  for (const char of word) {
    if (current.length + char.length > maxLength) {
      pieces.push(current);
      current = "";
    }
    current += char;
  }
  if (current !== "") pieces.push(current);
  return pieces;
}
