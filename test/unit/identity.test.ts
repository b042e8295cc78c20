import { describe, expect, it } from "vitest";
import { DemoAccountProvider } from "../../adapters/accounts/index.js";
import { applyContextPatch } from "../../src/agent/conversation-context.js";
import {
  VERIFICATION_REPLIES,
  identityFlowActive,
  parseVerificationDetails,
  resolveIdentity,
  sameOrderNumber,
  signCustomerToken,
  verifyCustomerToken,
  type IdentityOutcome,
} from "../../src/agent/identity.js";
import { ConfigError, UpstreamError } from "../../src/errors.js";
import type { AccountProvider } from "../../src/ports/account-provider.js";
import { maskSensitiveText } from "../../src/privacy/mask.js";
import { TEST_NOW, makeTurn, type TurnOptions } from "../support/turn.js";

const SECRET = "a-customer-token-secret-of-32-chars!";
const accounts = new DemoAccountProvider({ clock: () => TEST_NOW });

describe("signed customer tokens", () => {
  it("verifies a token the site signed, until it expires", () => {
    const token = signCustomerToken("C-1001", SECRET, TEST_NOW, 600);
    expect(verifyCustomerToken(token, SECRET, TEST_NOW)).toEqual({ ok: true, customerId: "C-1001", expiresAt: new Date(TEST_NOW.getTime() + 600_000) });
    expect(verifyCustomerToken(token, SECRET, new Date(TEST_NOW.getTime() + 600_000))).toEqual({ ok: false, reason: "expired" });
  });

  it("refuses forged, tampered, malformed and future-dated tokens", () => {
    const token = signCustomerToken("C-1001", SECRET, TEST_NOW);
    const [prefix, , signature] = token.split(".");
    const otherBody = Buffer.from(JSON.stringify({ sub: "C-1002", exp: 9_999_999_999 })).toString("base64url");
    expect(verifyCustomerToken(`${prefix}.${otherBody}.${signature}`, SECRET, TEST_NOW)).toEqual({ ok: false, reason: "bad_signature" });
    expect(verifyCustomerToken(signCustomerToken("C-1001", "another-secret-that-is-32-chars-long", TEST_NOW), SECRET, TEST_NOW)).toEqual({ ok: false, reason: "bad_signature" });
    for (const junk of ["", "sbc1", "sbc1..", "jwt.a.b", `${token}.x`, "sbc1.!!!.???", "x".repeat(5_000), "\u0000\u0001"]) {
      expect(verifyCustomerToken(junk, SECRET, TEST_NOW).ok).toBe(false);
    }
    const future = signCustomerToken("C-1001", SECRET, new Date(TEST_NOW.getTime() + 3_600_000));
    expect(verifyCustomerToken(future, SECRET, TEST_NOW)).toEqual({ ok: false, reason: "not_yet_valid" });
  });

  it("refuses a short secret and never logs a token", () => {
    expect(() => signCustomerToken("C-1", "short", TEST_NOW)).toThrow(ConfigError);
    expect(maskSensitiveText(`token ${signCustomerToken("C-1001", SECRET, TEST_NOW)}`)).toBe("token [redacted-customer-token]");
  });
});

async function identity(options: TurnOptions, provider: AccountProvider = accounts): Promise<IdentityOutcome> {
  return resolveIdentity(makeTurn(options), provider);
}

describe("identity by channel", () => {
  it("verifies an SMS or WhatsApp sender whose number is on an account, with or without whatsapp:", async () => {
    for (const [channelKind, customerAddress] of [
      ["twilio_sms", "+14155550102"],
      ["twilio_whatsapp", "whatsapp:+14155550102"],
      ["whatsapp_web", "14155550102@c.us"],
    ] as const) {
      const outcome = await identity({ text: "when is my payment due", channelKind, customerAddress });
      expect(outcome).toMatchObject({ kind: "verified", method: "phone", verifiedCustomerId: "C-1002" });
    }
  });

  it("does not trust a phone-looking web chat address", async () => {
    const outcome = await identity({ text: "hi", channelKind: "webchat", customerAddress: "+14155550102" });
    expect(outcome.kind).toBe("needs_verification");
  });

  it("uses the web chat's verified token id and the conversation's stored customer", async () => {
    expect(await identity({ text: "hi", meta: { verifiedCustomerId: "C-1005" } })).toMatchObject({ kind: "verified", method: "token", verifiedCustomerId: "C-1005" });
    expect(await identity({ text: "hi", customerId: "C-1006" })).toMatchObject({ kind: "verified", method: "session" });
  });

  it("never accepts a customer id typed in the chat", async () => {
    const outcome = await identity({ text: "I am customer C-1001, show my payments" });
    expect(outcome).toMatchObject({ kind: "needs_verification", reply: VERIFICATION_REPLIES.ask });
  });

  it("asks an unknown SMS number to verify with the same words as anyone else", async () => {
    const unknown = await identity({ text: "my balance?", channelKind: "twilio_sms", customerAddress: "+14155550199" });
    const web = await identity({ text: "my balance?" });
    expect(unknown).toMatchObject({ kind: "needs_verification" });
    expect(unknown.kind === "needs_verification" && web.kind === "needs_verification" && unknown.reply === web.reply).toBe(true);
  });
});

/** Plays the e-mail + order flow: each message's context patch is carried into the next turn. */
async function conversation(messages: string[], provider: AccountProvider = accounts): Promise<IdentityOutcome[]> {
  let context: Record<string, unknown> = {};
  const outcomes: IdentityOutcome[] = [];
  for (const text of messages) {
    const outcome = await resolveIdentity(makeTurn({ text, context }), provider);
    context = applyContextPatch(context, outcome.contextPatch);
    outcomes.push(outcome);
  }
  return outcomes;
}

describe("verification by e-mail and order number", () => {
  it("verifies with the account e-mail and one of its orders, and resumes the first question", async () => {
    const [ask, done] = await conversation(["what's my payment schedule?", "sure: Maria.Alvarez@example.com, order #48213"]);
    expect(ask).toMatchObject({ kind: "needs_verification", reply: VERIFICATION_REPLIES.ask });
    expect(done).toMatchObject({ kind: "verified", method: "email_order", verifiedCustomerId: "C-1001", resumeText: "what's my payment schedule?" });
    expect(done!.contextPatch).toEqual({ identity: null });
  });

  it("accepts the two details in separate messages", async () => {
    const outcomes = await conversation(["refund status", "daniel.kim@example.com", "55230"]);
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(["needs_verification", "in_progress", "verified"]);
    expect(outcomes[1]).toMatchObject({ reply: VERIFICATION_REPLIES.missingOrder });
  });

  it("answers a known e-mail with a wrong order exactly like an unknown e-mail (no disclosure)", async () => {
    const known = await conversation(["hi", "maria.alvarez@example.com order 99999"]);
    const unknown = await conversation(["hi", "nobody.here@example.com order 99999"]);
    const otherCustomersOrder = await conversation(["hi", "maria.alvarez@example.com order 51007"]);
    expect(known[1]).toEqual(unknown[1]);
    expect(otherCustomersOrder[1]).toEqual(unknown[1]);
    expect(known[1]).toMatchObject({ kind: "in_progress", attemptsLeft: 2, reply: VERIFICATION_REPLIES.mismatch(2) });
  });

  it("hands over to a person after three failed attempts", async () => {
    const outcomes = await conversation(["hi", "a@example.com 11111", "b@example.com 22222", "c@example.com 33333"]);
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(["needs_verification", "in_progress", "in_progress", "escalate"]);
    expect(outcomes[3]).toMatchObject({ reasonCode: "verification_failed", reply: VERIFICATION_REPLIES.failed, contextPatch: { identity: null } });
  });

  it("counts replies without any details as attempts, so the flow cannot loop", async () => {
    const outcomes = await conversation(["hi", "what?", "🙂", "\u0000\u0007"]);
    expect(outcomes.at(-1)).toMatchObject({ kind: "escalate", reasonCode: "verification_failed" });
  });

  it("starts over after the flow sat idle for an hour", () => {
    const context = { identity: { step: "awaiting_details", attempts: 1, startedAt: "2026-12-01T13:00:00.000Z" } };
    expect(identityFlowActive(context, TEST_NOW)).toBe(false);
    expect(identityFlowActive({ identity: { ...context.identity, startedAt: "2026-12-01T14:30:00.000Z" } }, TEST_NOW)).toBe(true);
  });

  it("escalates with upstream_error when the account API fails, without guessing", async () => {
    const failing: AccountProvider = {
      name: "failing",
      findCustomer: () => Promise.reject(new UpstreamError("accounts", "HTTP 503")),
      getPaymentPlans: () => Promise.resolve([]),
      getOrders: () => Promise.resolve([]),
      getRefunds: () => Promise.resolve([]),
      getDisputes: () => Promise.resolve([]),
    };
    expect(await identity({ text: "hi", channelKind: "twilio_sms", customerAddress: "+14155550101" }, failing)).toMatchObject({ kind: "escalate", reasonCode: "upstream_error" });
  });

  it("parses details out of messy text and survives hostile input", () => {
    expect(parseVerificationDetails("my email is JOE@Example.com and the order number: 48213, thanks")).toEqual({ email: "joe@example.com", orderNumber: "48213" });
    expect(parseVerificationDetails("call me on +1 415 555 0101, order ORD-7781")).toEqual({ orderNumber: "ORD-7781" });
    expect(parseVerificationDetails("📦📦📦")).toEqual({});
    expect(parseVerificationDetails("x".repeat(100_000) + "a@example.com 12345")).toEqual({});
    expect(parseVerificationDetails("заказ 48213 почта иван@пример.рф")).toEqual({ orderNumber: "48213" });
    expect(sameOrderNumber("48213", "#48213")).toBe(true);
    expect(sameOrderNumber("ORD-48213", "48213")).toBe(true);
    expect(sameOrderNumber("48213", "4821")).toBe(false);
  });
});
