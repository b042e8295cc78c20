/**
 * Tokens naming one stored media file until an expiry: `<id>.<expiry, unix seconds>.<base64url
 * HMAC-SHA256(secret, "media:" + id + "." + expiry)>`. Anything else, or a signature that does not match
 * (constant-time check), is `forged`; a good signature past its expiry is `expired`.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

const ID = /^[A-Za-z0-9_-]{16,64}$/;

export type MediaTokenCheck = { kind: "valid"; id: string } | { kind: "forged" } | { kind: "expired"; id: string };

function signature(secret: string, id: string, expiry: number): string {
  return createHmac("sha256", secret).update(`media:${id}.${expiry}`).digest("base64url");
}

export function signMediaToken(secret: string, id: string, expiresAt: Date): string {
  if (!ID.test(id)) throw new Error(`not a media id: ${id}`);
  const expiry = Math.floor(expiresAt.getTime() / 1000);
  return `${id}.${expiry}.${signature(secret, id, expiry)}`;
}

export function checkMediaToken(secret: string, token: string, now: Date): MediaTokenCheck {
  const [id, expiryText, given, ...rest] = token.split(".");
  if (rest.length > 0 || id === undefined || expiryText === undefined || given === undefined) return { kind: "forged" };
  if (!ID.test(id) || !/^\d{1,12}$/.test(expiryText)) return { kind: "forged" };
  const expiry = Number(expiryText);
  const expected = Buffer.from(signature(secret, id, expiry));
  const actual = Buffer.from(given);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return { kind: "forged" };
  if (expiry * 1000 <= now.getTime()) return { kind: "expired", id };
  return { kind: "valid", id };
}
