/** The queue adapter's pure rules: job ids, retry delays, lock-busy delays. */
import { describe, expect, it } from "vitest";
import { idSegment, sendJobId, taskJobId, turnJobId } from "../../adapters/queue/keys.js";
import { lockBusyDelayMs, retryDelayMs } from "../../adapters/queue/retry-policy.js";
import { DeliveryFailedError, ValidationError } from "../../src/errors.js";

const backoff = { baseMs: 1_000, maxMs: 60_000 };

describe("job ids", () => {
  it("never contain ':' and keep UUIDs readable", () => {
    const uuid = "0b6f3c1e-8a51-4f5e-9d55-1f2b3c4d5e6f";
    expect(turnJobId(uuid, 12)).toBe(`turn-${uuid}-12`);
    expect(sendJobId(uuid)).toBe(`send-${uuid}`);
    for (const hostile of ["whatsapp:+15551234567", "a:b:c", "déjà vu", "x".repeat(150), ""]) {
      expect(turnJobId(hostile, 1)).not.toContain(":");
      expect(taskJobId(hostile)).not.toContain(":");
    }
  });

  it("never gives two different values the same segment", () => {
    const values = ["abc", "b64.YWJj", "YWJj", "a:b", "a_b", "a-b", "A-B"];
    const segments = values.map(idSegment);
    expect(new Set(segments).size).toBe(values.length);
  });
});

describe("retry delays", () => {
  it("grow exponentially with jitter between half and the full step, up to the cap", () => {
    expect(retryDelayMs(1, new Error("x"), backoff, () => 0)).toBe(500);
    expect(retryDelayMs(1, new Error("x"), backoff, () => 0.999)).toBe(999);
    expect(retryDelayMs(3, new Error("x"), backoff, () => 0)).toBe(2_000);
    expect(retryDelayMs(30, new Error("x"), backoff, () => 1)).toBe(60_000);
  });

  it("never retry sooner than a provider's Retry-After", () => {
    const busy = new DeliveryFailedError("429", "slow down", { permanent: false, retryAfterMs: 45_000 });
    expect(retryDelayMs(1, busy, backoff, () => 0)).toBe(45_000);
    const briefly = new DeliveryFailedError("429", "slow down", { permanent: false, retryAfterMs: 10 });
    expect(retryDelayMs(1, briefly, backoff, () => 0)).toBe(500);
    expect(retryDelayMs(1, new ValidationError("bad"), backoff, () => 0)).toBe(500);
  });
});

describe("lock-busy delays", () => {
  const lock = { ttlMs: 30_000, busyRetryMinMs: 25, busyRetryMaxMs: 1_000 };

  it("start short, grow with each wait, and stay within the configured bounds", () => {
    expect(lockBusyDelayMs(1, lock, () => 1)).toBe(25);
    expect(lockBusyDelayMs(3, lock, () => 1)).toBe(100);
    expect(lockBusyDelayMs(50, lock, () => 1)).toBe(1_000);
    for (let started = 1; started < 40; started += 1) {
      const delay = lockBusyDelayMs(started, lock, Math.random);
      expect(delay).toBeGreaterThanOrEqual(25);
      expect(delay).toBeLessThanOrEqual(1_000);
    }
  });
});
