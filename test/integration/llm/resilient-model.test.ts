/**
 * Retries, backoff, Retry-After, the breaker and the budget, through the real SDK against the fake
 * provider. Waiting is injected (recorded, not slept) so the tests assert the policy, not the clock.
 */
import { Registry } from "prom-client";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { createOpenAIChatModel } from "../../../adapters/llm/index.js";
import { CircuitBreaker } from "../../../src/agent/openai/circuit-breaker.js";
import { parseStructured } from "../../../src/agent/openai/final-answer.js";
import { ResilientChatModel } from "../../../src/agent/openai/resilient-model.js";
import { DailyBudget, InMemorySpendLedger } from "../../../src/agent/openai/spend.js";
import { ModelCallError } from "../../../src/errors.js";
import { LlmMetrics } from "../../../src/observability/llm-metrics.js";
import { startFakeOpenAI, type FakeOpenAIServer } from "../../fakes/openai-server.js";

let fake: FakeOpenAIServer;
beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(async () => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
});

const Answer = z.object({ ok: z.boolean() });
const parse = (response: Parameters<typeof parseStructured>[0]) => parseStructured(response, Answer, "answer");
const request = { messages: [{ role: "user" as const, content: "hi" }], purpose: "answer" };

function setup(options: { cap?: number; maxRetries?: number; threshold?: number } = {}) {
  const waits: number[] = [];
  const metrics = new LlmMetrics(new Registry());
  const ledger = new InMemorySpendLedger();
  const breaker = new CircuitBreaker({ failureThreshold: options.threshold ?? 5, cooldownMs: 60_000, onStateChange: (state) => metrics.breakerChanged(state) });
  const model = new ResilientChatModel({
    model: createOpenAIChatModel({ apiKey: fake.apiKey, baseURL: fake.baseURL, model: "gpt-test", timeoutMs: 300 }),
    breaker,
    budget: new DailyBudget(ledger, options.cap, (usd) => metrics.spendTodayUsd.set(usd)),
    prices: { inputPer1k: 1, outputPer1k: 2 },
    retry: { maxRetries: options.maxRetries ?? 2, baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 5_000 },
    metrics,
    sleep: async (ms) => {
      waits.push(ms);
    },
    random: () => 1,
  });
  return { model, waits, metrics, ledger, breaker };
}

async function failureOf(promise: Promise<unknown>): Promise<ModelCallError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ModelCallError);
  return error as ModelCallError;
}

async function metricValue(metrics: LlmMetrics, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((candidate) => candidate.name === name);
  const value = metric?.values.find((candidate) => Object.entries(labels).every(([key, expected]) => candidate.labels[key] === expected));
  return value?.value ?? 0;
}

describe("resilient model calls", () => {
  it("retries 500 then 429 (honouring Retry-After) and returns the parsed answer", async () => {
    const { model, waits, metrics } = setup();
    fake.enqueue({ kind: "error", status: 500 }, { kind: "error", status: 429, headers: { "retry-after": "2" } }, { kind: "json", json: { ok: true } });
    const result = await model.call(request, parse);
    expect(result.value).toEqual({ ok: true });
    expect(result.attempts).toBe(3);
    expect(fake.requests).toHaveLength(3);
    expect(waits).toEqual([100, 2_000]);
    expect(await metricValue(metrics, "switchboard_llm_requests_total", { outcome: "server" })).toBe(1);
    expect(await metricValue(metrics, "switchboard_llm_requests_total", { outcome: "rate_limited" })).toBe(1);
    expect(await metricValue(metrics, "switchboard_llm_requests_total", { outcome: "ok" })).toBe(1);
  });

  it("retries a timeout and malformed output, and gives up after the last retry", async () => {
    const { model, waits } = setup({ maxRetries: 2 });
    fake.enqueue({ kind: "slow", delayMs: 3_000 }, { kind: "text", content: "Sure! Here you go." }, { kind: "json", json: { ok: "yes" } });
    const error = await failureOf(model.call(request, parse));
    expect(error.kind).toBe("malformed");
    expect(fake.requests).toHaveLength(3);
    expect(waits).toEqual([100, 200]);
  });

  it("does not wait for a Retry-After longer than a customer should", async () => {
    const { model, waits } = setup();
    fake.enqueue({ kind: "error", status: 429, headers: { "retry-after": "60" } });
    const error = await failureOf(model.call(request, parse));
    expect(error.kind).toBe("rate_limited");
    expect(fake.requests).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it("does not retry a refusal or a bad request", async () => {
    const { model } = setup();
    fake.enqueue({ kind: "refusal", refusal: "I can't help with that." }, { kind: "error", status: 400 });
    expect((await failureOf(model.call(request, parse))).kind).toBe("refusal");
    expect((await failureOf(model.call(request, parse))).kind).toBe("bad_request");
    expect(fake.requests).toHaveLength(2);
  });

  it("opens the breaker after consecutive failures: later calls fail at once without a request; state in metrics", async () => {
    const { model, metrics, breaker } = setup({ threshold: 3, maxRetries: 1 });
    fake.enqueue({ kind: "error", status: 503 }, { kind: "error", status: 503 }, { kind: "error", status: 503 });
    expect((await failureOf(model.call(request, parse))).kind).toBe("server");
    expect((await failureOf(model.call(request, parse))).kind).toBe("circuit_open");
    expect(fake.requests).toHaveLength(3);
    expect(breaker.state).toBe("open");
    expect(await metricValue(metrics, "switchboard_llm_breaker_state")).toBe(2);
    expect(await metricValue(metrics, "switchboard_llm_breaker_opened_total")).toBe(1);
  });

  it("counts tokens and cost (failed parses too) and refuses once the daily budget is spent", async () => {
    const { model, metrics, ledger } = setup({ cap: 0.5, maxRetries: 0 });
    const seen: number[] = [];
    fake.enqueue({ kind: "json", json: { ok: true }, usage: { prompt_tokens: 200, completion_tokens: 100 } });
    await model.call(request, parse, { onUsage: (_usage, cost) => seen.push(cost) });
    expect(seen).toEqual([0.4]);
    expect(await metricValue(metrics, "switchboard_llm_tokens_total", { kind: "prompt" })).toBe(200);
    expect(await metricValue(metrics, "switchboard_llm_tokens_total", { kind: "completion" })).toBe(100);
    expect(await metricValue(metrics, "switchboard_llm_cost_usd_total")).toBeCloseTo(0.4, 10);

    fake.enqueue({ kind: "text", content: "not json", usage: { prompt_tokens: 100, completion_tokens: 0 } });
    expect((await failureOf(model.call(request, parse, { onUsage: (_usage, cost) => seen.push(cost) }))).kind).toBe("malformed");
    expect(seen).toEqual([0.4, 0.1]);
    expect(await ledger.total(new Date().toISOString().slice(0, 10))).toBeCloseTo(0.5, 10);

    const before = fake.requests.length;
    expect((await failureOf(model.call(request, parse))).kind).toBe("budget_exhausted");
    expect(fake.requests).toHaveLength(before);
    expect(await metricValue(metrics, "switchboard_llm_spend_today_usd")).toBeCloseTo(0.5, 10);
  });
});
