/**
 * Phone numbers as identity keys: the sender of an SMS or WhatsApp message is matched against the phone
 * on the account, so both sides are reduced to one canonical E.164 form first. Channel addresses come as
 * `+14155550101`, `whatsapp:+14155550101` (Twilio) or `14155550101@c.us` (whatsapp-web.js).
 */

/** Channel kinds whose customer address is the sender's own phone number. */
export const PHONE_CHANNEL_KINDS = ["twilio_sms", "twilio_whatsapp", "whatsapp_web"] as const;

/**
 * `+1 (415) 555-0101`, `whatsapp:+14155550101`, `14155550101@c.us` -> `+14155550101`; null when the text
 * is not a plausible international number (8-15 digits). A 10-digit number is read as North American
 * (the company operates in the US); anything else must carry its country code.
 */
export function normalisePhoneNumber(raw: string): string | null {
  if (raw.length > 64) return null;
  let text = raw.trim().toLowerCase();
  if (text.startsWith("whatsapp:")) text = text.slice("whatsapp:".length);
  text = text.replace(/@(?:c\.us|s\.whatsapp\.net)$/, "");
  if (!/^\+?[\d\s().-]+$/.test(text)) return null;
  const hadPlus = text.startsWith("+");
  let digits = text.replace(/\D/g, "");
  if (!hadPlus && digits.length === 10) digits = `1${digits}`;
  if (digits.startsWith("00")) digits = digits.slice(2);
  if (digits.length < 8 || digits.length > 15 || digits.startsWith("0")) return null;
  return `+${digits}`;
}

export function samePhoneNumber(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  const left = normalisePhoneNumber(a);
  return left !== null && left === normalisePhoneNumber(b);
}
