/**
 * Part of the composition root (with src/main.ts): the brain `serve`, `ask` and `eval` run, and the
 * OpenAI model behind AI_ENGINE=openai.
 */
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { createAccountProviderFromEnv } from "../../adapters/accounts/index.js";
import { createOpenAIChatModel, RedisSpendLedger } from "../../adapters/llm/index.js";
import { redisAnswers } from "../../adapters/queue/embedded-redis.js";
import { qualityFileSource, withQualityRouting } from "../../escalation/rules/quality-routing.js";
import { createRoutingPolicy, type RuleBasedRoutingPolicy } from "../../escalation/rules/index.js";
import type { AccountTools } from "../agent/local/account-tools.js";
import { createLocalBrain, createLocalEngine } from "../agent/local/index.js";
import { createProviderAccountTools } from "../agent/local/provider-account-tools.js";
import { createOpenAIBrain, createResilientModel } from "../agent/openai/compose.js";
import { categoryChoicesOf, knowledgeSearchOver } from "../agent/openai/knowledge.js";
import type { ResilientChatModel } from "../agent/openai/resilient-model.js";
import { InMemorySpendLedger } from "../agent/openai/spend.js";
import type { Env } from "../config/env.js";
import { ConfigError } from "../errors.js";
import { createGuardrails } from "../guardrails/index.js";
import { learnedRoutingSignals, loadKnowledgeBase, type KnowledgeBase } from "../kb/load.js";
import { createLogger, type Logger } from "../logging/logger.js";
import type { LlmMetrics } from "../observability/llm-metrics.js";
import type { AccountProvider } from "../ports/account-provider.js";
import type { Brain, ReplyGuard, RoutingPolicy } from "../ports/agent-engine.js";
import type { RateLimiter } from "../ports/work-queue.js";
import { QUALITY_FILE } from "../qa/quality-file.js";

/** The account data the brain reads (also what `accounts show` uses). */
export { createAccountProviderFromEnv };

/** An admin's routing rules, merged over the shipped ones, live next to the knowledge base. */
export const ADMIN_RULES_FILE = "routing-rules.yaml";

export interface ComposedBrain {
  brain: Brain;
  kb: KnowledgeBase;
  routing: RuleBasedRoutingPolicy;
  /** Releases what the brain holds (the OpenAI engine's spend-ledger connection). */
  close?(): Promise<void>;
}

export interface LocalBrainComposition {
  kbDir: string;
  /** The guardrails (default: every guardrail of src/guardrails). */
  guards?: readonly ReplyGuard[];
  /** Account data: a provider (wrapped with identity and account facts) or ready account tools. */
  accounts?: AccountProvider | AccountTools;
  /** BUSINESS_TIME_ZONE: the calendar of "today" for account facts and guardrails. */
  timeZone?: string;
  /** QA's `quality.json`: categories whose quality dropped go to people until they recover. */
  qualityFile?: string;
  clock?: () => number;
  /** Shared (Redis) limiter: verification tries per claimed e-mail across conversations. */
  identityLimiter?: RateLimiter;
}

function isAccountTools(value: AccountProvider | AccountTools): value is AccountTools {
  return "identify" in value;
}

/** The routing policy the brain runs: the rules, plus the adaptive quality rule when a quality file is named. */
function brainRouting(routing: RuleBasedRoutingPolicy, qualityFile: string | undefined): RoutingPolicy {
  return qualityFile ? withQualityRouting(routing, qualityFileSource(qualityFile)) : routing;
}

/** The local brain over a knowledge-base folder: what `serve`, `ask` and `eval` all use. */
export async function composeLocalBrain(options: LocalBrainComposition): Promise<ComposedBrain> {
  const kb = await loadKnowledgeBase(options.kbDir);
  const adminPath = join(options.kbDir, ADMIN_RULES_FILE);
  const adminRulesText = await readFile(adminPath, "utf8").catch(() => undefined);
  const routing = createRoutingPolicy({
    signals: learnedRoutingSignals(kb),
    ...(adminRulesText !== undefined ? { adminRulesText, adminRulesSource: adminPath } : {}),
  });
  const zone = options.timeZone ? { timeZone: options.timeZone } : {};
  const accounts = options.accounts
    ? isAccountTools(options.accounts)
      ? options.accounts
      : createProviderAccountTools(options.accounts, { ...zone, ...(options.identityLimiter ? { identity: { attemptLimiter: options.identityLimiter } } : {}) })
    : undefined;
  const brain = createLocalBrain({
    kb,
    routing: brainRouting(routing, options.qualityFile),
    guards: options.guards ?? createGuardrails(zone),
    ...(accounts ? { accounts } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return { brain, kb, routing };
}

/** What the OpenAI engine needs from a running Switchboard (the CLI passes nothing). */
export interface BrainDependencies {
  logger?: Logger;
  metrics?: LlmMetrics;
  /** The server's Redis, for the shared daily spend ledger. */
  redisUrl?: string;
  prefix?: string;
  /** The server's shared rate limiter (verification tries per claimed e-mail). */
  rateLimiter?: RateLimiter;
}

/**
 * The brain `serve`, `ask` and `eval` run, over KB_DIR with the configured account data: the local engine
 * (AI_ENGINE=local), or the OpenAI engine (AI_ENGINE=openai) with the same routing rules, guardrails,
 * account tools and knowledge base, and the local engine as its fallback.
 */
export async function composeConfiguredBrain(env: Env, kbDir = env.KB_DIR, dependencies: BrainDependencies = {}): Promise<ComposedBrain> {
  const accounts = createAccountProviderFromEnv(env);
  const qualityFile = join(resolve(env.DATA_DIR), QUALITY_FILE);
  const identityLimiter = dependencies.rateLimiter;
  const local = await composeLocalBrain({ kbDir, accounts, timeZone: env.BUSINESS_TIME_ZONE, qualityFile, ...(identityLimiter ? { identityLimiter } : {}) });
  if (env.AI_ENGINE === "local") return local;

  const logger = dependencies.logger ?? createLogger({ level: env.LOG_LEVEL, name: "openai" });
  const model = await createOpenAIModelFromEnv(env, { logger, ...dependencies });
  const { brain } = createOpenAIBrain({
    model: model.model,
    env,
    routing: brainRouting(local.routing, qualityFile),
    accounts,
    knowledge: knowledgeSearchOver(local.kb),
    categories: categoryChoicesOf(local.kb),
    localEngine: createLocalEngine(
      local.kb,
      createProviderAccountTools(accounts, { timeZone: env.BUSINESS_TIME_ZONE, ...(identityLimiter ? { identity: { attemptLimiter: identityLimiter } } : {}) }),
    ),
    ...(identityLimiter ? { identity: { attemptLimiter: identityLimiter } } : {}),
    logger,
    ...(dependencies.metrics ? { metrics: dependencies.metrics } : {}),
  });
  return { brain, kb: local.kb, routing: local.routing, close: () => model.close() };
}

/**
 * The model of AI_ENGINE=openai (any OpenAI-compatible server at OPENAI_BASE_URL) with retries, breaker,
 * daily budget and metrics. The spend ledger is shared through Redis when `redisUrl` answers (the server
 * passes its own); a CLI run without Redis counts its spend in memory.
 */
export async function createOpenAIModelFromEnv(
  env: Env,
  options: { logger: Logger; metrics?: LlmMetrics; redisUrl?: string; prefix?: string },
): Promise<{ model: ResilientChatModel; close(): Promise<void> }> {
  if (!env.OPENAI_API_KEY) throw new ConfigError("OPENAI_API_KEY is required for the OpenAI engine (any value for a local server that does not check it).");
  const chatModel = createOpenAIChatModel({
    apiKey: env.OPENAI_API_KEY,
    model: env.OPENAI_MODEL,
    ...(env.OPENAI_BASE_URL ? { baseURL: env.OPENAI_BASE_URL } : {}),
    timeoutMs: env.OPENAI_TIMEOUT_MS,
    temperature: env.OPENAI_TEMPERATURE,
    maxTokens: env.OPENAI_MAX_TOKENS,
  });
  const redisUrl = options.redisUrl ?? env.REDIS_URL;
  const shared = options.redisUrl !== undefined || (await redisAnswers(redisUrl, 1_000));
  const ledger = shared ? new RedisSpendLedger({ redisUrl, prefix: options.prefix ?? env.QUEUE_PREFIX, logger: options.logger }) : new InMemorySpendLedger();
  const model = createResilientModel({ chatModel, ledger, env, logger: options.logger, ...(options.metrics ? { metrics: options.metrics } : {}) });
  return { model, close: async () => (ledger instanceof RedisSpendLedger ? ledger.close() : undefined) };
}
