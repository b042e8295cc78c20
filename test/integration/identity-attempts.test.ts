/**
 * Verification tries are counted per claimed e-mail in Redis (the server's rate limiter), so an attacker
 * who opens new web chat conversations gets no fresh tries; and a wrong order number is judged the same
 * way whatever the account holds.
 */
import { afterEach, describe, expect, it } from "vitest";
import { DemoAccountProvider } from "../../adapters/accounts/index.js";
import { createRedisRateLimiter } from "../../adapters/queue/index.js";
import { applyContextPatch } from "../../src/agent/conversation-context.js";
import { resolveIdentity, sameOrderNumber, type IdentityOptions, type IdentityOutcome } from "../../src/agent/identity.js";
import { silentLogger } from "../../src/logging/logger.js";
import { TEST_REDIS_URL, uniqueName } from "../support/services.js";
import { TEST_NOW, makeTurn } from "../support/turn.js";

const accounts = new DemoAccountProvider({ clock: () => TEST_NOW });
const limiters: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const limiter of limiters.splice(0)) await limiter.close();
});

function sharedLimiter() {
  const limiter = createRedisRateLimiter({ redisUrl: TEST_REDIS_URL, prefix: uniqueName("identity"), logger: silentLogger() });
  limiters.push(limiter);
  return limiter;
}

/** One new conversation: asks, then sends `details`. */
async function newConversation(details: string, options: IdentityOptions): Promise<IdentityOutcome> {
  const ask = await resolveIdentity(makeTurn({ text: "what's my balance?" }), accounts, options);
  const context = applyContextPatch({}, ask.contextPatch);
  return resolveIdentity(makeTurn({ text: details, context }), accounts, options);
}

describe("verification attempts across conversations", () => {
  it("stops checking a claimed e-mail after maxAttempts wrong tries, whatever the conversation", async () => {
    const options: IdentityOptions = { maxAttempts: 3, attemptLimiter: sharedLimiter() };
    for (let index = 0; index < 3; index += 1) {
      expect(await newConversation("maria.alvarez@example.com order 99999", options)).toMatchObject({ kind: "in_progress" });
    }
    // A fourth conversation, now with the right order: a person takes over, nothing is verified.
    expect(await newConversation("Maria.Alvarez@example.com order #48213", options)).toMatchObject({ kind: "escalate", reasonCode: "verification_failed" });
    // Another customer's e-mail has its own allowance.
    expect(await newConversation("daniel.kim@example.com order 55230", options)).toMatchObject({ kind: "verified" });
  });

  it("without the shared limiter a new conversation starts fresh (the gap the limiter closes)", async () => {
    for (let index = 0; index < 4; index += 1) await newConversation("maria.alvarez@example.com order 99999", { maxAttempts: 3 });
    expect(await newConversation("maria.alvarez@example.com order 48213", { maxAttempts: 3 })).toMatchObject({ kind: "verified" });
  });
});

describe("order number comparison", () => {
  it("matches the same forms as before, comparing digests", () => {
    expect(sameOrderNumber("48213", "#48213")).toBe(true);
    expect(sameOrderNumber("ORD-48213", "48213")).toBe(true);
    expect(sameOrderNumber("ORD-48213", "ord-48213")).toBe(true);
    expect(sameOrderNumber("48213", "48214")).toBe(false);
    expect(sameOrderNumber("A-123", "B-123")).toBe(false);
    expect(sameOrderNumber("48213", "4821")).toBe(false);
    expect(sameOrderNumber("48213", "")).toBe(false);
  });
});
