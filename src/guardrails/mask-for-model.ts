/**
 * What a model may read: card numbers and secrets masked (a card keeps its last four, so "the card ending
 * 4242" still makes sense), control characters dropped. Phones and e-mails stay by default: the model
 * needs them to help with "is my email right?", and they are the customer's own. Pass `personal: true`
 * to mask those too (for example before text goes to a third-party model for analytics).
 */
import { maskSensitiveText } from "../privacy/mask.js";

// Control characters are exactly what this pattern is for.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

export function maskForModel(text: string, options: { personal?: boolean } = {}): string {
  const personal = options.personal ?? false;
  return maskSensitiveText(text.replace(CONTROL, " "), { cards: true, secrets: true, phones: personal, emails: personal });
}
