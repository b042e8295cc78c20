/**
 * SMS segment arithmetic (3GPP TS 23.038): a text that fits the GSM 03.38 alphabet travels as 7-bit
 * septets (160 per single message, 153 per part of a concatenated one, extension characters taking
 * two); anything else travels as UCS-2 (70 / 67 UTF-16 code units). Carriers bill per segment, so the
 * count is recorded on every sent message.
 */

const GSM7_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/** Reached through the escape character: each costs two septets. */
const GSM7_EXTENSION = "^{}\\[~]|€\f";

const BASIC = new Set(GSM7_BASIC);
const EXTENSION = new Set(GSM7_EXTENSION);

export type SmsEncoding = "GSM-7" | "UCS-2";

export interface SegmentInfo {
  encoding: SmsEncoding;
  segments: number;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2) the text occupies. */
  units: number;
}

const LIMITS: Record<SmsEncoding, { single: number; part: number }> = {
  "GSM-7": { single: 160, part: 153 },
  "UCS-2": { single: 70, part: 67 },
};

export function isGsm7(text: string): boolean {
  for (const char of text) {
    if (!BASIC.has(char) && !EXTENSION.has(char)) return false;
  }
  return true;
}

/** Cost of each indivisible unit of the text: a GSM escape pair and a surrogate pair never straddle two parts. */
function unitCosts(text: string, encoding: SmsEncoding): number[] {
  const costs: number[] = [];
  for (const char of text) {
    if (encoding === "GSM-7") costs.push(EXTENSION.has(char) ? 2 : 1);
    else costs.push(char.length);
  }
  return costs;
}

export function countSegments(text: string): SegmentInfo {
  const encoding: SmsEncoding = isGsm7(text) ? "GSM-7" : "UCS-2";
  const costs = unitCosts(text, encoding);
  const units = costs.reduce((sum, cost) => sum + cost, 0);
  const limit = LIMITS[encoding];
  if (units <= limit.single) return { encoding, segments: 1, units };
  let segments = 1;
  let used = 0;
  for (const cost of costs) {
    if (used + cost > limit.part) {
      segments += 1;
      used = 0;
    }
    used += cost;
  }
  return { encoding, segments, units };
}
