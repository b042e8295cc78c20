import { describe, expect, it } from "vitest";
import { CircuitBreaker, type BreakerState } from "../../../src/agent/openai/circuit-breaker.js";
import { DEFAULT_RETRY_POLICY, retryDelayMs } from "../../../src/agent/openai/resilient-model.js";
import { DailyBudget, InMemorySpendLedger, costOf } from "../../../src/agent/openai/spend.js";

function breakerAt() {
  let now = 0;
  const changes: BreakerState[] = [];
  const breaker = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1_000, clock: () => now, onStateChange: (state) => changes.push(state) });
  return { breaker, changes, advance: (ms: number) => (now += ms) };
}

describe("circuit breaker", () => {
  it("opens after N consecutive failures and refuses requests while open", () => {
    const { breaker, changes } = breakerAt();
    for (let index = 0; index < 2; index += 1) {
      expect(breaker.tryAcquire()).toBe(true);
      breaker.recordFailure();
    }
    expect(breaker.state).toBe("closed");
    breaker.tryAcquire();
    breaker.recordFailure();
    expect(breaker.state).toBe("open");
    expect(breaker.tryAcquire()).toBe(false);
    expect(changes).toEqual(["open"]);
  });

  it("a success resets the count of consecutive failures", () => {
    const { breaker } = breakerAt();
    breaker.recordFailure();
    breaker.recordFailure();
    breaker.recordSuccess();
    breaker.recordFailure();
    breaker.recordFailure();
    expect(breaker.state).toBe("closed");
  });

  it("lets one probe through after the cool-down; its success closes the breaker", () => {
    const { breaker, changes, advance } = breakerAt();
    for (let index = 0; index < 3; index += 1) breaker.recordFailure();
    advance(999);
    expect(breaker.tryAcquire()).toBe(false);
    advance(1);
    expect(breaker.state).toBe("half_open");
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(false);
    breaker.recordSuccess();
    expect(breaker.state).toBe("closed");
    expect(changes).toEqual(["open", "half_open", "closed"]);
  });

  it("a failed probe opens it again for another cool-down", () => {
    const { breaker, advance } = breakerAt();
    for (let index = 0; index < 3; index += 1) breaker.recordFailure();
    advance(1_000);
    expect(breaker.tryAcquire()).toBe(true);
    breaker.recordFailure();
    expect(breaker.state).toBe("open");
    advance(500);
    expect(breaker.tryAcquire()).toBe(false);
    advance(500);
    expect(breaker.tryAcquire()).toBe(true);
  });

  it("rejects nonsense settings", () => {
    expect(() => new CircuitBreaker({ failureThreshold: 0, cooldownMs: 1 })).toThrow(RangeError);
    expect(() => new CircuitBreaker({ failureThreshold: 1, cooldownMs: 0 })).toThrow(RangeError);
  });
});

describe("retry delays", () => {
  it("grow exponentially up to the ceiling, with full jitter", () => {
    const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1_000 };
    expect(retryDelayMs(0, policy, () => 1)).toBe(100);
    expect(retryDelayMs(2, policy, () => 1)).toBe(400);
    expect(retryDelayMs(10, policy, () => 1)).toBe(1_000);
    expect(retryDelayMs(3, policy, () => 0.5)).toBe(400);
    expect(retryDelayMs(3, policy, () => 0)).toBe(0);
  });

  it("wait at least what Retry-After asks", () => {
    const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1_000 };
    expect(retryDelayMs(0, policy, () => 1, 3_000)).toBe(3_000);
    expect(retryDelayMs(5, policy, () => 1, 10)).toBe(1_000);
  });
});

describe("spend and the daily budget", () => {
  it("prices prompt and completion tokens separately", () => {
    expect(costOf({ promptTokens: 2_000, completionTokens: 500, totalTokens: 2_500 }, { inputPer1k: 0.5, outputPer1k: 1.5 })).toBeCloseTo(1.75, 10);
  });

  it("says no once the day's spend reaches the cap, and yes again the next UTC day", async () => {
    const ledger = new InMemorySpendLedger();
    const budget = new DailyBudget(ledger, 0.01);
    const day1 = new Date("2026-03-01T23:59:00Z");
    expect((await budget.status(day1)).available).toBe(true);
    await budget.record(day1, 0.006);
    await budget.record(day1, 0.004);
    expect(await budget.status(day1)).toEqual({ available: false, spentUsd: 0.01, reason: "budget_exhausted" });
    expect((await budget.status(new Date("2026-03-02T00:00:01Z"))).available).toBe(true);
  });

  it("without a cap never refuses; with a cap an unreadable ledger counts as spent", async () => {
    const broken = { add: async () => Promise.reject(new Error("down")), total: async () => Promise.reject(new Error("down")) };
    expect((await new DailyBudget(broken, undefined).status(new Date())).available).toBe(true);
    expect(await new DailyBudget(broken, 5).status(new Date())).toEqual({ available: false, spentUsd: null, reason: "budget_unknown" });
  });
});
