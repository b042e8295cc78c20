/**
 * Web chat session tokens: `sbw1.<base64url payload>.<base64url mac>`, the MAC being HMAC-SHA256 over
 * `sbw1.<payload>` with `WEBCHAT_SECRET`. The payload names the visitor (the conversation's
 * `customerAddress`), the channel, the expiry and, when the company's site vouched for it, the customer.
 * The MAC is checked (in constant time) before the payload is even parsed; the clock is injected.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";

const PREFIX = "sbw1";
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** Tokens travel in JSON bodies and frames; anything longer is not one of ours. */
const MAX_TOKEN_LENGTH = 2_048;

export interface WebchatSession {
  visitorId: string;
  channelId: string;
  /** Verified customer id (from the company's customer token), absent for anonymous visitors. */
  customerId?: string;
  issuedAt: Date;
  expiresAt: Date;
}

const SessionPayload = z.object({
  vid: z.string().min(1).max(64),
  ch: z.string().min(1).max(64),
  cid: z.string().min(1).max(255).optional(),
  iat: z.number().int().nonnegative(),
  exp: z.number().int().positive(),
});

export type SessionTokenProblem = "malformed" | "forged" | "expired" | "wrong_channel";

export type SessionVerification =
  | { ok: true; session: WebchatSession }
  | { ok: false; problem: SessionTokenProblem; /** Present for authentic tokens (expired, other channel). */ session?: WebchatSession };

/** A new random visitor id: 128 bits, URL-safe. */
export function newVisitorId(): string {
  return `wv_${randomBytes(16).toString("base64url")}`;
}

function mac(secret: string, signedPart: string): Buffer {
  return createHmac("sha256", secret).update(signedPart).digest();
}

export function signSessionToken(session: WebchatSession, secret: string): string {
  const payload = {
    vid: session.visitorId,
    ch: session.channelId,
    ...(session.customerId !== undefined ? { cid: session.customerId } : {}),
    iat: Math.floor(session.issuedAt.getTime() / 1000),
    exp: Math.floor(session.expiresAt.getTime() / 1000),
  };
  const encoded = Buffer.from(JSON.stringify(SessionPayload.parse(payload)), "utf8").toString("base64url");
  const signedPart = `${PREFIX}.${encoded}`;
  return `${signedPart}.${mac(secret, signedPart).toString("base64url")}`;
}

/**
 * Verify a token for `channelId` at `now`. Never throws: every way a token can be wrong is a `problem`.
 * An expired or other-channel token that is authentic carries its session, so callers may decide
 * (resume within a window) without trusting forged data.
 */
export function verifySessionToken(token: unknown, secret: string, channelId: string, now: Date): SessionVerification {
  if (typeof token !== "string" || token.length > MAX_TOKEN_LENGTH) return { ok: false, problem: "malformed" };
  const parts = token.split(".");
  if (parts.length !== 3) return { ok: false, problem: "malformed" };
  const [prefix, encoded, signature] = parts as [string, string, string];
  if (prefix !== PREFIX || !BASE64URL.test(encoded) || !BASE64URL.test(signature)) return { ok: false, problem: "malformed" };

  const expected = mac(secret, `${prefix}.${encoded}`);
  const given = Buffer.from(signature, "base64url");
  // The MAC's length is public (32 bytes); only its content must be compared in constant time.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, problem: "forged" };

  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(encoded, "base64url").toString("utf8"));
  } catch {
    // Authentic yet unreadable: only a token signed by a different version of this code could do this.
    return { ok: false, problem: "malformed" };
  }
  const parsed = SessionPayload.safeParse(raw);
  if (!parsed.success) return { ok: false, problem: "malformed" };

  const session: WebchatSession = {
    visitorId: parsed.data.vid,
    channelId: parsed.data.ch,
    ...(parsed.data.cid !== undefined ? { customerId: parsed.data.cid } : {}),
    issuedAt: new Date(parsed.data.iat * 1000),
    expiresAt: new Date(parsed.data.exp * 1000),
  };
  if (session.channelId !== channelId) return { ok: false, problem: "wrong_channel", session };
  if (session.expiresAt.getTime() <= now.getTime()) return { ok: false, problem: "expired", session };
  return { ok: true, session };
}

export function isSessionExpired(session: WebchatSession, now: Date): boolean {
  return session.expiresAt.getTime() <= now.getTime();
}
