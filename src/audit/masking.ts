/**
 * Text from a ticket file on its way into the report: personal data and secrets masked
 * (`maskSensitiveText`: cards keep their last four, phones their ends, e-mails their first letter),
 * control characters and runs of white space flattened, then shortened. Masking comes first, so a
 * card number is never cut into a piece the masker no longer recognises.
 */
import { maskSensitiveText } from "../privacy/mask.js";

// Control characters are exactly what this pattern removes.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/g;

export function maskForReport(text: string, maxChars: number): string {
  const flat = maskSensitiveText(text.replace(CONTROL, " ")).replace(/\s+/g, " ").trim();
  if (flat.length <= maxChars) return flat;
  const points = Array.from(flat);
  return points.length <= maxChars ? flat : `${points.slice(0, maxChars - 1).join("").trimEnd()}…`;
}
