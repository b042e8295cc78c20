/**
 * Non-printing control characters: C0 and C1 controls and DEL, all but tab, line feed and carriage return.
 * They mean nothing to a reader, a learner or a pattern, and PostgreSQL cannot store U+0000 in text at all.
 */
// Control characters are exactly what this pattern is for.
// eslint-disable-next-line no-control-regex
const NON_PRINTING_CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

/** `text` with every non-printing control character replaced (removed by default). */
export function replaceControlCharacters(text: string, replacement = ""): string {
  return text.replace(NON_PRINTING_CONTROL, replacement);
}
