/**
 * Slack's request signing (https://api.slack.com/authentication/verifying-requests-from-slack):
 * `X-Slack-Signature: v0=hex(HMAC-SHA256(signingSecret, "v0:" + timestamp + ":" + rawBody))`, with
 * `X-Slack-Request-Timestamp` within five minutes of our clock (either way), compared in constant time.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { AuthenticationError } from "../../src/errors.js";

export const MAX_SKEW_SECONDS = 5 * 60;

export function slackSignature(signingSecret: string, timestamp: string | number, rawBody: string | Buffer): string {
  const hmac = createHmac("sha256", signingSecret);
  hmac.update(`v0:${timestamp}:`);
  hmac.update(rawBody);
  return `v0=${hmac.digest("hex")}`;
}

export function verifySlackSignature(input: {
  signingSecret: string;
  rawBody: Buffer;
  signature: string | undefined;
  timestamp: string | undefined;
  now: Date;
}): void {
  const { signature, timestamp } = input;
  if (!signature || !timestamp) {
    throw new AuthenticationError("missing X-Slack-Signature or X-Slack-Request-Timestamp", { missing: true });
  }
  if (!/^\d{1,12}$/.test(timestamp)) throw new AuthenticationError("X-Slack-Request-Timestamp is not a Unix time");
  const skew = Math.abs(Math.floor(input.now.getTime() / 1000) - Number(timestamp));
  if (skew > MAX_SKEW_SECONDS) throw new AuthenticationError("stale request: X-Slack-Request-Timestamp is more than five minutes away");
  const expected = Buffer.from(slackSignature(input.signingSecret, timestamp, input.rawBody), "utf8");
  const given = Buffer.from(signature, "utf8");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new AuthenticationError("X-Slack-Signature does not match the request");
  }
}
