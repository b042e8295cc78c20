/** The Redis message bus, the shared token-bucket rate limiter and the once guard, on real Redis. */
import { afterEach, describe, expect, it } from "vitest";
import { createRedisBus, createRedisOnceGuard, createRedisRateLimiter } from "../../../adapters/queue/index.js";
import { ValidationError } from "../../../src/errors.js";
import { silentLogger } from "../../../src/logging/logger.js";
import { TEST_REDIS_URL, uniqueName } from "../../support/services.js";
import { deleteKeysUnder, sleep, spawnScript, testRedis, waitFor } from "./redis-kit.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

function prefixForTest(): string {
  const prefix = uniqueName("sbq");
  cleanups.push(async () => {
    const redis = testRedis();
    await deleteKeysUnder(redis, prefix);
    await redis.quit();
  });
  return prefix;
}

function bus(prefix: string) {
  const created = createRedisBus({ redisUrl: TEST_REDIS_URL, prefix, logger: silentLogger() });
  cleanups.push(() => created.close());
  return created;
}

describe("message bus", () => {
  it("delivers JSON objects published in one process's bus to subscribers of another, until they unsubscribe", async () => {
    const prefix = prefixForTest();
    const web = bus(prefix);
    const worker = bus(prefix);
    const received: Array<Record<string, unknown>> = [];
    const alsoReceived: Array<Record<string, unknown>> = [];
    const unsubscribe = await web.subscribe("webchat.outbound", (payload) => received.push(payload));
    await web.subscribe("webchat.outbound", (payload) => alsoReceived.push(payload));

    await worker.publish("webchat.outbound", { conversationId: "c-1", text: "hello", seq: 3 });
    await waitFor("delivery", () => received.length === 1 && alsoReceived.length === 1);
    expect(received[0]).toEqual({ conversationId: "c-1", text: "hello", seq: 3 });

    await unsubscribe();
    await worker.publish("webchat.outbound", { n: 2 });
    await waitFor("the second delivery", () => alsoReceived.length === 2);
    expect(received).toHaveLength(1);
  });

  it("keeps prefixes and topics apart, survives junk on its channel and a throwing subscriber", async () => {
    const prefix = prefixForTest();
    const mine = bus(prefix);
    const other = bus(prefixForTest());
    const received: unknown[] = [];
    await mine.subscribe("throws", () => {
      throw new Error("subscriber bug");
    });
    await mine.subscribe("events", (payload) => received.push(payload));

    await other.publish("events", { from: "another deployment" });
    await mine.publish("other-topic", { wrong: "topic" });
    await mine.publish("throws", { x: 1 });
    const raw = testRedis();
    await raw.publish(`${prefix}:bus:events`, "{not json");
    await raw.publish(`${prefix}:bus:events`, "[1,2]");
    await raw.quit();
    await mine.publish("events", { ok: true });
    await waitFor("the good message", () => received.length === 1);
    await sleep(100);
    expect(received).toEqual([{ ok: true }]);
  });

  it("refuses bad topics and payloads with ValidationError", async () => {
    const prefix = prefixForTest();
    const created = bus(prefix);
    await expect(created.publish("", {})).rejects.toBeInstanceOf(ValidationError);
    await expect(created.publish("has space", {})).rejects.toBeInstanceOf(ValidationError);
    await expect(created.publish("t", { blob: "x".repeat(300_000) })).rejects.toBeInstanceOf(ValidationError);
    await expect(created.subscribe("x".repeat(300), () => {})).rejects.toBeInstanceOf(ValidationError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(created.publish("t", cyclic)).rejects.toBeInstanceOf(ValidationError);
    await expect(created.publish("t", { big: 10n })).rejects.toBeInstanceOf(ValidationError);
  });
});

describe("rate limiter", () => {
  function limiter(prefix: string) {
    const created = createRedisRateLimiter({ redisUrl: TEST_REDIS_URL, prefix, logger: silentLogger() });
    cleanups.push(() => created.close());
    return created;
  }

  it("allows a burst, then refuses with the time until the next token, then allows again", async () => {
    const limits = limiter(prefixForTest());
    const limit = { perSecond: 1, burst: 3 };
    const answers = [];
    for (let index = 0; index < 4; index += 1) answers.push(await limits.take("sender:+15550001111", limit));
    expect(answers.slice(0, 3).every((answer) => answer.allowed && answer.retryAfterMs === 0)).toBe(true);
    const refused = answers[3]!;
    expect(refused.allowed).toBe(false);
    // One token a second: the wait is positive and at most one token's worth.
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(1_000);
    await sleep(refused.retryAfterMs + 20);
    expect((await limits.take("sender:+15550001111", limit)).allowed).toBe(true);
    // Other keys have their own bucket.
    expect((await limits.take("sender:+15550002222", limit)).allowed).toBe(true);
  });

  it("is one bucket for every process", async () => {
    const prefix = prefixForTest();
    // Slow refill (one token per 100 s) so the test does not depend on timing.
    const limit = { perSecond: 0.01, burst: 5 };
    const child = await spawnScript("./rate-limit-child.ts", {
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      KEY: "slack:C123",
      LIMIT: JSON.stringify(limit),
      TAKE: "3",
    });
    const childAnswers = child
      .output()
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { allowed: boolean });
    expect(childAnswers.map((answer) => answer.allowed)).toEqual([true, true, true]);
    const limits = limiter(prefix);
    const mine = [await limits.take("slack:C123", limit), await limits.take("slack:C123", limit), await limits.take("slack:C123", limit)];
    expect(mine.map((answer) => answer.allowed)).toEqual([true, true, false]);
    expect(mine[2]!.retryAfterMs).toBeGreaterThan(90_000);
  });

  it("refuses nonsense limits and keys with ValidationError", async () => {
    const limits = limiter(prefixForTest());
    await expect(limits.take("k", { perSecond: 0 })).rejects.toBeInstanceOf(ValidationError);
    await expect(limits.take("k", { perSecond: Number.NaN })).rejects.toBeInstanceOf(ValidationError);
    await expect(limits.take("k", { perSecond: 1, burst: 0.5 })).rejects.toBeInstanceOf(ValidationError);
    await expect(limits.take("", { perSecond: 1 })).rejects.toBeInstanceOf(ValidationError);
  });
});

describe("once guard", () => {
  it("says first time once per key within the TTL, per prefix, and again after the TTL", async () => {
    const prefix = prefixForTest();
    const guard = createRedisOnceGuard({ redisUrl: TEST_REDIS_URL, prefix, logger: silentLogger() });
    const otherProcess = createRedisOnceGuard({ redisUrl: TEST_REDIS_URL, prefix, logger: silentLogger() });
    const otherDeployment = createRedisOnceGuard({ redisUrl: TEST_REDIS_URL, prefix: prefixForTest(), logger: silentLogger() });
    cleanups.push(async () => {
      await guard.close();
      await otherProcess.close();
      await otherDeployment.close();
    });
    // Generous TTLs where the answer must not change; a short one only where expiry is the point.
    const results = await Promise.all([
      guard.firstTime("twilio:SM123", 60_000),
      otherProcess.firstTime("twilio:SM123", 60_000),
      guard.firstTime("twilio:SM123", 60_000),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await otherDeployment.firstTime("twilio:SM123", 60_000)).toBe(true);
    expect(await guard.firstTime("twilio:SM124", 60_000)).toBe(true);
    expect(await guard.firstTime("short-lived", 1_000)).toBe(true);
    expect(await otherProcess.firstTime("short-lived", 1_000)).toBe(false);
    await sleep(1_100);
    expect(await otherProcess.firstTime("short-lived", 1_000)).toBe(true);
    await expect(guard.firstTime("k", 0)).rejects.toBeInstanceOf(ValidationError);
    await expect(guard.firstTime("", 10)).rejects.toBeInstanceOf(ValidationError);
  });
});
