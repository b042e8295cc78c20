/**
 * Assembling the OpenAI engine from configuration: the settings read from the environment, the resilient
 * model (breaker, retries, budget, metrics) around whatever `ChatModel` the composition root built, and
 * the brain: the engine inside `createBrain` with the same routing and the same guardrails as the
 * embedded engine (plus the engine's instructions, so a reply quoting them is blocked).
 */
import type { Env } from "../../config/env.js";
import { createGuardrails } from "../../guardrails/index.js";
import type { Logger } from "../../logging/logger.js";
import type { LlmMetrics } from "../../observability/llm-metrics.js";
import type { AccountProvider } from "../../ports/account-provider.js";
import type { AgentEngine, Brain, RoutingPolicy } from "../../ports/agent-engine.js";
import type { ChatModel, SpendLedger } from "../../ports/chat-model.js";
import { createBrain } from "../decide-turn.js";
import { CircuitBreaker } from "./circuit-breaker.js";
import { OpenAIEngine } from "./engine.js";
import { loadPromptTemplate } from "./prompt-template.js";
import { ResilientChatModel } from "./resilient-model.js";
import { DailyBudget } from "./spend.js";
import type { CategoryChoice } from "./final-answer.js";
import type { KnowledgeSearch } from "./tools.js";

export type OpenAIEnv = Pick<
  Env,
  | "OPENAI_MAX_RETRIES"
  | "OPENAI_BREAKER_FAILURES"
  | "OPENAI_BREAKER_COOLDOWN_MS"
  | "OPENAI_DAILY_BUDGET_USD"
  | "OPENAI_PRICE_INPUT_PER_1K"
  | "OPENAI_PRICE_OUTPUT_PER_1K"
  | "OPENAI_TIMEOUT_MS"
>;

export interface ResilientModelParts {
  chatModel: ChatModel;
  ledger: SpendLedger;
  env: OpenAIEnv;
  metrics?: LlmMetrics;
  logger?: Logger;
}

export function createResilientModel(parts: ResilientModelParts): ResilientChatModel {
  const { env, metrics } = parts;
  const breaker = new CircuitBreaker({
    failureThreshold: env.OPENAI_BREAKER_FAILURES,
    cooldownMs: env.OPENAI_BREAKER_COOLDOWN_MS,
    onStateChange: (state, previous) => {
      metrics?.breakerChanged(state);
      parts.logger?.warn({ state, previous }, `model provider circuit breaker: ${previous} -> ${state}`);
    },
  });
  metrics?.breakerChanged("closed");
  return new ResilientChatModel({
    model: parts.chatModel,
    breaker,
    budget: new DailyBudget(parts.ledger, env.OPENAI_DAILY_BUDGET_USD, (usd) => metrics?.spendTodayUsd.set(usd)),
    prices: { inputPer1k: env.OPENAI_PRICE_INPUT_PER_1K, outputPer1k: env.OPENAI_PRICE_OUTPUT_PER_1K },
    // A customer waits for this: never more than about three timeouts in all.
    retry: { maxRetries: env.OPENAI_MAX_RETRIES, deadlineMs: Math.max(10_000, env.OPENAI_TIMEOUT_MS * 2.5) },
    ...(metrics ? { metrics } : {}),
    ...(parts.logger ? { logger: parts.logger } : {}),
  });
}

export type OpenAIBrainEnv = Pick<
  Env,
  "OPENAI_PROMPT_FILE" | "OPENAI_MAX_TOOL_ROUNDS" | "OPENAI_HISTORY_TOKENS" | "OPENAI_SUMMARY" | "OPENAI_FALLBACK" | "BUSINESS_TIME_ZONE"
>;

export interface OpenAIBrainParts {
  model: ResilientChatModel;
  env: OpenAIBrainEnv;
  /** The same routing policy the embedded engine uses. */
  routing: RoutingPolicy;
  accounts?: AccountProvider;
  knowledge?: KnowledgeSearch;
  categories?: CategoryChoice[];
  /** The embedded engine, used when OPENAI_FALLBACK=local and the model cannot answer. */
  localEngine?: AgentEngine;
  companyName?: string;
  metrics?: LlmMetrics;
  logger?: Logger;
  clock?: () => number;
}

export interface OpenAIBrain {
  brain: Brain;
  engine: OpenAIEngine;
}

export function createOpenAIBrain(parts: OpenAIBrainParts): OpenAIBrain {
  const { env } = parts;
  const template = loadPromptTemplate(env.OPENAI_PROMPT_FILE);
  const engine = new OpenAIEngine({
    model: parts.model,
    template,
    ...(parts.accounts ? { accounts: parts.accounts } : {}),
    ...(parts.knowledge ? { knowledge: parts.knowledge } : {}),
    ...(parts.categories ? { categories: parts.categories } : {}),
    ...(env.OPENAI_FALLBACK === "local" && parts.localEngine ? { fallback: parts.localEngine } : {}),
    ...(parts.companyName ? { companyName: parts.companyName } : {}),
    timeZone: env.BUSINESS_TIME_ZONE,
    maxToolRounds: env.OPENAI_MAX_TOOL_ROUNDS,
    historyTokens: env.OPENAI_HISTORY_TOKENS,
    summaryMode: env.OPENAI_SUMMARY,
    ...(parts.metrics ? { metrics: parts.metrics } : {}),
    ...(parts.logger ? { logger: parts.logger } : {}),
  });
  const guards = createGuardrails({ timeZone: env.BUSINESS_TIME_ZONE, instructions: engine.instructions });
  const brain = createBrain({ routing: parts.routing, engine, guards, ...(parts.clock ? { clock: parts.clock } : {}) });
  return { brain, engine };
}
