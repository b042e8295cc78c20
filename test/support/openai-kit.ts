/**
 * The OpenAI engine wired for tests: the real SDK against the fake Chat Completions server, the demo
 * account provider at the test clock, the shared guardrails and routing, and injected waiting so retry
 * tests assert the policy instead of sleeping.
 */
import { Registry } from "prom-client";
import { createOpenAIChatModel } from "../../adapters/llm/index.js";
import { createBrain } from "../../src/agent/decide-turn.js";
import { CircuitBreaker } from "../../src/agent/openai/circuit-breaker.js";
import { OpenAIEngine, type OpenAIEngineOptions } from "../../src/agent/openai/engine.js";
import { loadPromptTemplate } from "../../src/agent/openai/prompt-template.js";
import { ResilientChatModel } from "../../src/agent/openai/resilient-model.js";
import { DailyBudget, InMemorySpendLedger } from "../../src/agent/openai/spend.js";
import type { KnowledgeSearch } from "../../src/agent/openai/tools.js";
import { createGuardrails } from "../../src/guardrails/index.js";
import { LlmMetrics } from "../../src/observability/llm-metrics.js";
import type { AgentEngine, Brain, ReplyGuard, RoutingPolicy } from "../../src/ports/agent-engine.js";
import type { SpendLedger } from "../../src/ports/chat-model.js";
import { createRoutingPolicy } from "../../escalation/rules/index.js";
import { createLocalEngine } from "../../src/agent/local/index.js";
import { createProviderAccountTools } from "../../src/agent/local/provider-account-tools.js";
import { categoryChoicesOf, knowledgeSearchOver } from "../../src/agent/openai/knowledge.js";
import { learnedRoutingSignals, loadKnowledgeBase, type KnowledgeBase } from "../../src/kb/load.js";
import { demoProvider } from "./account-fixtures.js";
import type { FakeOpenAIServer } from "../fakes/openai-server.js";

const SHIPPED_KB = new URL("../../kb/", import.meta.url).pathname;
let shipped: Promise<KnowledgeBase> | undefined;

/** The shipped demo knowledge base (kb/), loaded once per test file. */
export function shippedKb(): Promise<KnowledgeBase> {
  shipped ??= loadKnowledgeBase(SHIPPED_KB);
  return shipped;
}

/** The embedded engine over the shipped kb and the demo accounts: the OpenAI engine's fallback. */
export async function localEngine(): Promise<AgentEngine> {
  return createLocalEngine(await shippedKb(), createProviderAccountTools(demoProvider()));
}

export interface EngineKitOptions {
  fake: FakeOpenAIServer;
  /** Default: the shipped routing rules with the shipped kb's learned signals. */
  routing?: RoutingPolicy;
  /** Default: retrieval over the shipped kb; `null`: no knowledge base. */
  knowledge?: KnowledgeSearch | null;
  fallback?: AgentEngine;
  capUsd?: number;
  ledger?: SpendLedger;
  breakerFailures?: number;
  maxRetries?: number;
  timeoutMs?: number;
  engine?: Partial<OpenAIEngineOptions>;
  /** Replace the guard list (red-team tests drop one guard to prove the test depends on it). */
  guards?: (all: ReplyGuard[]) => ReplyGuard[];
}

export interface EngineKit {
  engine: OpenAIEngine;
  brain: Brain;
  metrics: LlmMetrics;
  breaker: CircuitBreaker;
  waits: number[];
  ledger: SpendLedger;
}

export async function createEngineKit(options: EngineKitOptions): Promise<EngineKit> {
  const kb = await shippedKb();
  const knowledge = options.knowledge === undefined ? knowledgeSearchOver(kb) : options.knowledge;
  const metrics = new LlmMetrics(new Registry());
  const waits: number[] = [];
  const ledger = options.ledger ?? new InMemorySpendLedger();
  const breaker = new CircuitBreaker({ failureThreshold: options.breakerFailures ?? 5, cooldownMs: 60_000, onStateChange: (state) => metrics.breakerChanged(state) });
  const model = new ResilientChatModel({
    model: createOpenAIChatModel({ apiKey: options.fake.apiKey, baseURL: options.fake.baseURL, model: "gpt-test", timeoutMs: options.timeoutMs ?? 2_000 }),
    breaker,
    budget: new DailyBudget(ledger, options.capUsd, (usd) => metrics.spendTodayUsd.set(usd)),
    prices: { inputPer1k: 0.001, outputPer1k: 0.002 },
    retry: { maxRetries: options.maxRetries ?? 2, baseDelayMs: 50, maxDelayMs: 400 },
    metrics,
    sleep: async (ms) => {
      waits.push(ms);
    },
    random: () => 0.5,
  });
  const engine = new OpenAIEngine({
    model,
    template: loadPromptTemplate(),
    accounts: demoProvider(),
    ...(knowledge ? { knowledge } : {}),
    categories: categoryChoicesOf(kb),
    ...(options.fallback ? { fallback: options.fallback } : {}),
    companyName: "Switchboard Pay",
    maxToolRounds: 3,
    metrics,
    ...options.engine,
  });
  const all = createGuardrails({ instructions: engine.instructions });
  const guards = options.guards ? options.guards(all) : all;
  const routing = options.routing ?? createRoutingPolicy({ signals: learnedRoutingSignals(kb) });
  const brain = createBrain({ routing, engine, guards });
  return { engine, brain, metrics, breaker, waits, ledger };
}

/** The final structured answer as the fake model sends it. */
export function finalAnswer(reply: string, extra: Partial<{ route: "ai" | "human"; category: string; confidence: number; clarifying_question: boolean; escalation_reason: string | null }> = {}) {
  return { reply, route: "ai", category: "payment_schedule", confidence: 0.9, clarifying_question: false, escalation_reason: null, ...extra };
}
