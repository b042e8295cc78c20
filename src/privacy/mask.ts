/**
 * Masking of secrets and personal data before text reaches a log, Slack or a model.
 * Card numbers (Luhn-valid, 13-19 digits) keep their last four; phone numbers lose their middle digits;
 * e-mail local parts keep their first letter; tokens and keys are replaced whole.
 */

export interface MaskOptions {
  cards?: boolean;
  secrets?: boolean;
  phones?: boolean;
  emails?: boolean;
}

const ALL: Required<MaskOptions> = { cards: true, secrets: true, phones: true, emails: true };

const SECRET_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/gi, "Bearer [redacted]"],
  [/\bBasic\s+[A-Za-z0-9+/=]{8,}/g, "Basic [redacted]"],
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g, "[redacted-jwt]"],
  [/\bsbw1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g, "[redacted-session]"],
  [/\bsbc1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g, "[redacted-customer-token]"],
  [/\bsk-(?:proj-)?[A-Za-z0-9_-]{16,}/g, "[redacted-key]"],
  [/\bxox[abposre]-[A-Za-z0-9-]{8,}/g, "[redacted-slack-token]"],
  [/\bxapp-[A-Za-z0-9-]{8,}/g, "[redacted-slack-token]"],
  [/\bAKIA[0-9A-Z]{16}\b/g, "[redacted-key]"],
  [/\b[srp]k_(?:live|test)_[A-Za-z0-9]{10,}/g, "[redacted-key]"],
  [/\bgh[pousr]_[A-Za-z0-9]{30,}/g, "[redacted-key]"],
  [/\b(cvv2?|cvc2?|pin)\s*(?:is|[:=#])?\s*\d{3,6}\b/gi, "$1 [redacted]"],
  [/\b[0-9a-f]{32,}\b/gi, "[redacted-hex]"],
  [/\b\d{3}-\d{2}-\d{4}\b/g, "[redacted-ssn]"],
];

const KEYWORD_VALUE = /\b(password|passwd|pwd|pin|cvv|cvc|secret|api[_-]?key|token)\b(\s*(?:is|[:=])\s*)(\S+)/gi;
const CARD_CANDIDATE = /\b\d(?:[ -]?\d){12,18}\b/g;
// International (+...), North American ((415) 555-0101), national trunk-prefixed (07700 900123) and bare
// 10-11 digit numbers (4155550101). Card numbers are masked first, so longer runs never get here.
const PHONE_CANDIDATE = /(?:\+\d[\d\s().-]{6,18}\d|\(?\b\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b|\b0\d{3,4}[\s-]?\d{6,7}\b|\b\d{10,11}\b)/g;
const EMAIL = /\b([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})\b/g;

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let index = digits.length - 1; index >= 0; index -= 1) {
    let digit = digits.charCodeAt(index) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

export function maskCardNumbers(text: string): string {
  return text.replace(CARD_CANDIDATE, (match) => {
    const digits = match.replace(/\D/g, "");
    if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) return `[card ending ${digits.slice(-4)}]`;
    return maskCardInsideGroups(match);
  });
}

/**
 * A run like "order 5 4111 1111 1111 1111" matches as one candidate that fails Luhn as a whole; the card
 * is a run of whole digit groups inside it. Try group ranges (longest first) so the card is still masked.
 */
function maskCardInsideGroups(match: string): string {
  const groups = [...match.matchAll(/\d+/g)].map((group) => ({ start: group.index, end: group.index + group[0].length, digits: group[0] }));
  if (groups.length < 2) return match;
  for (let size = groups.length; size >= 1; size -= 1) {
    for (let first = 0; first + size <= groups.length; first += 1) {
      const range = groups.slice(first, first + size);
      const digits = range.map((group) => group.digits).join("");
      if (digits.length < 13 || digits.length > 19 || !luhnValid(digits)) continue;
      const start = range[0]!.start;
      const end = range.at(-1)!.end;
      return `${match.slice(0, start)}[card ending ${digits.slice(-4)}]${maskCardInsideGroups(match.slice(end))}`;
    }
  }
  return match;
}

/** `+15551234567` -> `+1555***4567`: the country and area stay readable, the middle does not. */
export function maskPhoneNumber(phone: string): string {
  let seen = 0;
  const digitCount = phone.replace(/\D/g, "").length;
  if (digitCount < 7) return phone;
  const keepHead = digitCount >= 10 ? 4 : 2;
  const keepTail = digitCount >= 10 ? 4 : 2;
  return phone.replace(/\d/g, (digit) => {
    seen += 1;
    return seen <= keepHead || seen > digitCount - keepTail ? digit : "*";
  });
}

export function maskPhoneNumbers(text: string): string {
  return text.replace(PHONE_CANDIDATE, (match) => {
    const digits = match.replace(/\D/g, "").length;
    return digits >= 7 && digits <= 15 ? maskPhoneNumber(match) : match;
  });
}

export function maskEmail(email: string): string {
  return email.replace(EMAIL, (_match, first: string, domain: string) => `${first}***@${domain}`);
}

export function maskSecrets(text: string): string {
  let masked = text.replace(KEYWORD_VALUE, (_match, keyword: string, separator: string) => `${keyword}${separator}[redacted]`);
  for (const [pattern, replacement] of SECRET_PATTERNS) {
    masked = masked.replace(pattern, replacement);
  }
  return masked;
}

/** Mask everything sensitive in free text. Order matters: cards before phones (both are digit runs). */
export function maskSensitiveText(text: string, options: MaskOptions = ALL): string {
  const active = { ...ALL, ...options };
  let masked = text;
  if (active.secrets) masked = maskSecrets(masked);
  if (active.cards) masked = maskCardNumbers(masked);
  if (active.phones) masked = maskPhoneNumbers(masked);
  if (active.emails) masked = maskEmail(masked);
  return masked;
}

const SECRET_KEY = /(token|secret|password|passwd|authorization|cookie|api[_-]?key|signature|credential)/i;

/** Deep copy with every string masked and values under secret-looking keys replaced. */
export function maskDeep(value: unknown, depth = 0): unknown {
  if (depth > 8) return "[depth]";
  if (typeof value === "string") return maskSensitiveText(value);
  if (Array.isArray(value)) return value.map((item) => maskDeep(item, depth + 1));
  if (value instanceof Error) {
    return { type: value.name, message: maskSensitiveText(value.message), stack: value.stack && maskSensitiveText(value.stack), code: (value as { code?: unknown }).code };
  }
  if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      out[key] = SECRET_KEY.test(key) && inner !== undefined && inner !== null ? "[redacted]" : maskDeep(inner, depth + 1);
    }
    return out;
  }
  return value;
}
