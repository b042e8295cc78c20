/**
 * Whether a match is negated by the words just before it: "I don't need a human" is negated, "no, I want
 * a human" is not (the comma ends the negation), nor are "can't I just talk to someone?" (a question),
 * "I can't reach anyone", "no one answers, get me a person" or "I don't know how to reach a person".
 */
const WINDOW = 24;
const NEGATION = /\b(not|no|never|dont|don't|do not|didnt|didn't|did not|without|nor|no need)\b/gu;
/** Negation words that do not negate what follows. */
const NOT_A_NEGATION = [
  /^(don't|dont|didn't|didnt|do not|did not)\s+(i|we|you)\b/u, // "don't you have anyone": a question
  /^no(\s+|-)(one|body|way|human|person|reply|answer|response)\b/u, // "no one helps", "no way to reach"
  /^(don't|dont|do not|didn't|didnt|did not)\s+know\s+(how|where|who|if|whether|what)\b/u,
  /^not\s+(a|an|another|the|this|your)?\s*(bot|robot|machine|chatbot|ai|computer)\b/u, // "not a bot": asks for a person
];

export function negatedBefore(before: string): boolean {
  const window = before.slice(-WINDOW);
  // Punctuation ends a negation's scope: only the words after the last mark count.
  const clause = window.split(/[.!?,;:]/u).pop() ?? "";
  let last: { index: number } | undefined;
  for (const match of clause.matchAll(NEGATION)) last = { index: match.index };
  if (!last) return false;
  const rest = clause.slice(last.index);
  return !NOT_A_NEGATION.some((pattern) => pattern.test(rest));
}
