/**
 * When the provider fails: retries with backoff (Retry-After honoured), the circuit breaker, the daily
 * budget, then the fallback engine answers or a person takes over. Whatever happens, the brain returns a
 * decision with something for the customer: a reply, or a handoff.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { OPENAI_CONTEXT_KEY } from "../../../src/agent/openai/engine.js";
import type { LlmMetrics } from "../../../src/observability/llm-metrics.js";
import { startFakeOpenAI, type FakeOpenAIServer } from "../../fakes/openai-server.js";
import { createEngineKit, finalAnswer, localEngine } from "../../support/openai-kit.js";
import { makeTurn } from "../../support/turn.js";

let fake: FakeOpenAIServer;
beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(async () => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
  fake.setScript(undefined);
});

async function metric(metrics: LlmMetrics, name: string, labels: Record<string, string> = {}): Promise<number> {
  const found = (await metrics.registry.getMetricsAsJSON()).find((candidate) => candidate.name === name);
  return found?.values.find((value) => Object.entries(labels).every(([key, expected]) => value.labels[key] === expected))?.value ?? 0;
}

const question = () => makeTurn({ text: "How do late fees work?", customerId: "C-1001" });
/** The embedded engine over the shipped knowledge base: what answers when the model cannot. */
const fallback = () => localEngine();

describe("provider failures", () => {
  it("retries 500 and 429 with backoff, honouring Retry-After, then answers", async () => {
    const { brain, waits } = await createEngineKit({ fake, fallback: await fallback() });
    fake.enqueue({ kind: "error", status: 500 }, { kind: "error", status: 429, headers: { "retry-after": "1" } }, { kind: "json", json: finalAnswer("A late fee may apply if a payment is missed.", { category: "late_fee" }) });
    const outcome = await brain.decide(question());
    expect(outcome.decision.route).toBe("ai");
    expect(outcome.reply).toBe("A late fee may apply if a payment is missed.");
    expect(outcome.decision.engine).toBe("openai:gpt-test");
    expect(waits).toEqual([25, 1_000]);
  });

  it("timeouts on every attempt: the fallback engine answers, with the reason recorded", async () => {
    const { brain, metrics } = await createEngineKit({ fake, fallback: await fallback(), timeoutMs: 200, maxRetries: 1 });
    fake.enqueue({ kind: "slow", delayMs: 2_000 }, { kind: "slow", delayMs: 2_000 });
    const outcome = await brain.decide(question());
    expect(fake.requests).toHaveLength(2);
    expect(outcome.decision.route).toBe("ai");
    expect(outcome.reply?.toLowerCase()).toContain("late fee");
    expect(outcome.decision.guardrails.every((verdict) => verdict.passed)).toBe(true);
    expect(outcome.decision.reasonCodes).toEqual(expect.arrayContaining(["model_fallback", "model_timeout"]));
    expect(await metric(metrics, "switchboard_llm_fallbacks_total", { reason: "timeout", to: "local" })).toBe(1);
  });

  it("without a fallback engine the conversation escalates: a customer never waits in silence", async () => {
    const { brain } = await createEngineKit({ fake, maxRetries: 0 });
    fake.enqueue({ kind: "error", status: 503 });
    const outcome = await brain.decide(question());
    expect(outcome.decision.route).toBe("human");
    expect(outcome.decision.reasonCodes).toEqual(expect.arrayContaining(["model_unavailable", "model_server"]));
  });

  it("malformed output (not JSON, wrong shape, broken body) is retried, then falls back", async () => {
    const { brain } = await createEngineKit({ fake, fallback: await fallback(), maxRetries: 2 });
    fake.enqueue({ kind: "text", content: "Sure! Late fees are $7." }, { kind: "json", json: { reply: "x", route: "maybe" } }, { kind: "broken_body" });
    const outcome = await brain.decide(question());
    expect(fake.requests).toHaveLength(3);
    expect(outcome.decision.reasonCodes).toEqual(expect.arrayContaining(["model_fallback", "model_malformed"]));
    // The tokens of the unusable answers were still billed, and counted on the conversation.
    const usage = (outcome.contextPatch?.[OPENAI_CONTEXT_KEY] as { usage: { promptTokens: number } }).usage;
    expect(usage.promptTokens).toBe(240);
  });

  it("a refusal is not retried: the fallback answers at once", async () => {
    const { brain } = await createEngineKit({ fake, fallback: await fallback() });
    fake.enqueue({ kind: "refusal", refusal: "I can't help with that." });
    const outcome = await brain.decide(question());
    expect(fake.requests).toHaveLength(1);
    expect(outcome.decision.reasonCodes).toEqual(expect.arrayContaining(["model_fallback", "model_refusal"]));
  });

  it("the breaker opens after consecutive failures: later turns fall back without calling the provider", async () => {
    const { brain, metrics, breaker } = await createEngineKit({ fake, fallback: await fallback(), breakerFailures: 3, maxRetries: 0 });
    fake.setScript(() => ({ kind: "error", status: 502 }));
    for (let turn = 0; turn < 3; turn += 1) {
      const outcome = await brain.decide(question());
      expect(outcome.decision.reasonCodes).toContain("model_server");
    }
    expect(breaker.state).toBe("open");
    expect(await metric(metrics, "switchboard_llm_breaker_state")).toBe(2);
    const requests = fake.requests.length;
    const outcome = await brain.decide(question());
    expect(fake.requests).toHaveLength(requests);
    expect(outcome.decision.route).toBe("ai");
    expect(outcome.decision.reasonCodes).toEqual(expect.arrayContaining(["model_fallback", "model_circuit_open"]));
  });

  it("once the daily budget is spent, the fallback answers and the provider is not called", async () => {
    const { brain, metrics } = await createEngineKit({ fake, fallback: await fallback(), capUsd: 0.0002 });
    fake.setScript(() => ({ kind: "json", json: finalAnswer("A late fee may apply if a payment is missed.", { category: "late_fee" }) }));
    await brain.decide(question());
    await brain.decide(question());
    expect(fake.requests).toHaveLength(2);
    const outcome = await brain.decide(question());
    expect(fake.requests).toHaveLength(2);
    expect(outcome.decision.reasonCodes).toEqual(expect.arrayContaining(["model_fallback", "model_budget_exhausted"]));
    expect(await metric(metrics, "switchboard_llm_fallbacks_total", { reason: "budget_exhausted", to: "local" })).toBe(1);
    expect(await metric(metrics, "switchboard_llm_spend_today_usd")).toBeCloseTo(0.00036, 8);
  });
});

describe("conversation memory", () => {
  const longHistory = Array.from({ length: 12 }, (_, index) => ({
    author: index % 2 === 0 ? ("customer" as const) : ("ai" as const),
    text: `Turn ${index + 1}. ${index === 0 ? "I bought running shoes and my card 4242424242424242 was charged." : "Some more words about the order and the plan to fill the window."} ${"filler ".repeat(40)}`,
  }));

  it("shows the newest turns verbatim and summarises the rest, caching the summary in the context", async () => {
    const { brain } = await createEngineKit({ fake, engine: { historyTokens: 200 } });
    fake.enqueue({ kind: "json", json: finalAnswer("Happy to help with that.", { category: "other" }) });
    const outcome = await brain.decide(makeTurn({ text: "and what about the shoes?", customerId: "C-1001", history: longHistory }));
    const user = fake.requests[0]!.body.messages[1]!.content ?? "";
    expect(user).toContain("Earlier in the conversation (summary):\nCustomer: Turn 1. I bought running shoes and my card [card ending 4242] was charged.");
    expect(user).toContain("Turn 12.");
    expect(user).not.toContain("4242424242424242");
    const memory = outcome.contextPatch?.[OPENAI_CONTEXT_KEY] as { summary: { throughSeq: number; text: string } };
    expect(memory.summary.throughSeq).toBeGreaterThan(1);
    expect(memory.summary.throughSeq).toBeLessThan(12);
  });

  it("with summaries by model, one cheap call writes the summary; a cached one is not paid for again", async () => {
    const { brain } = await createEngineKit({ fake, engine: { historyTokens: 200, summaryMode: "model" } });
    fake.setScript((request) =>
      request.body.response_format?.json_schema?.name === "conversation_summary"
        ? { kind: "json", json: { summary: "The customer bought running shoes and asks about the order." } }
        : { kind: "json", json: finalAnswer("Happy to help with that.", { category: "other" }) },
    );
    const first = await brain.decide(makeTurn({ text: "and the shoes?", customerId: "C-1001", history: longHistory }));
    expect(fake.requests.map((request) => request.body.response_format?.json_schema?.name)).toEqual(["conversation_summary", "support_reply"]);
    expect(fake.requests[1]!.body.messages[1]!.content).toContain("The customer bought running shoes and asks about the order.");

    fake.requests.length = 0;
    await brain.decide(makeTurn({ text: "and the shoes?", customerId: "C-1001", history: longHistory, context: first.contextPatch }));
    expect(fake.requests.map((request) => request.body.response_format?.json_schema?.name)).toEqual(["support_reply"]);
  });
});
