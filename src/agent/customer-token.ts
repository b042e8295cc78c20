/**
 * Signed customer tokens: the company's site (where the customer is logged in) signs a small payload with
 * the shared secret `CUSTOMER_TOKEN_SECRET`, the web chat widget passes it along, and the web chat channel
 * verifies it before it puts `meta.verifiedCustomerId` on the inbound message.
 *
 * Format: `sbc1.<base64url(JSON {sub, exp, iat})>.<base64url(HMAC-SHA256(secret, "sbc1." + payload))>`,
 * times in Unix seconds. Comparison is constant-time; the clock is a parameter.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { ConfigError } from "../errors.js";

const PREFIX = "sbc1";
const MAX_TOKEN_LENGTH = 2_048;
/** Clocks of the site and of Switchboard may differ a little. */
const CLOCK_SKEW_SECONDS = 60;

const Payload = z.object({
  sub: z.string().min(1).max(200),
  exp: z.number().int().positive(),
  iat: z.number().int().positive().optional(),
});

export type CustomerTokenVerdict =
  | { ok: true; customerId: string; expiresAt: Date }
  | { ok: false; reason: "malformed" | "bad_signature" | "expired" | "not_yet_valid" };

function checkSecret(secret: string): void {
  if (secret.length < 32) throw new ConfigError("CUSTOMER_TOKEN_SECRET must be at least 32 characters.");
}

function sign(body: string, secret: string): Buffer {
  return createHmac("sha256", secret).update(`${PREFIX}.${body}`).digest();
}

/** For the company's site (and tests): a token for `customerId` valid for `ttlSeconds` from `now`. */
export function signCustomerToken(customerId: string, secret: string, now: Date, ttlSeconds = 3_600): string {
  checkSecret(secret);
  const iat = Math.floor(now.getTime() / 1000);
  const body = Buffer.from(JSON.stringify({ sub: customerId, exp: iat + ttlSeconds, iat })).toString("base64url");
  return `${PREFIX}.${body}.${sign(body, secret).toString("base64url")}`;
}

export function verifyCustomerToken(token: string, secret: string, now: Date): CustomerTokenVerdict {
  checkSecret(secret);
  if (typeof token !== "string" || token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: "malformed" };
  const parts = token.trim().split(".");
  if (parts.length !== 3 || parts[0] !== PREFIX) return { ok: false, reason: "malformed" };
  const [, body = "", signature = ""] = parts;
  if (!/^[A-Za-z0-9_-]+$/.test(body) || !/^[A-Za-z0-9_-]+$/.test(signature)) return { ok: false, reason: "malformed" };
  const expected = sign(body, secret);
  const given = Buffer.from(signature, "base64url");
  // Signature first: nothing in an unsigned payload is worth reading.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: "bad_signature" };
  let payload: z.infer<typeof Payload>;
  try {
    payload = Payload.parse(JSON.parse(Buffer.from(body, "base64url").toString("utf8")));
  } catch {
    return { ok: false, reason: "malformed" };
  }
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (payload.iat !== undefined && payload.iat > nowSeconds + CLOCK_SKEW_SECONDS) return { ok: false, reason: "not_yet_valid" };
  if (payload.exp <= nowSeconds) return { ok: false, reason: "expired" };
  return { ok: true, customerId: payload.sub, expiresAt: new Date(payload.exp * 1000) };
}
