/**
 * The composition root: the only module that knows every concrete class. It reads the configuration,
 * opens the store and the queues (starting a private Redis when needed), builds the channels, the brain
 * and the desk, and runs the web server and/or the workers. `startSwitchboard` is what `switchboard serve`
 * runs and what end-to-end tests start in-process.
 */
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { FastifyInstance } from "fastify";
import { createAccountProviderFromEnv } from "../adapters/accounts/index.js";
import { createOpenAIChatModel, RedisSpendLedger } from "../adapters/llm/index.js";
import { ensureRedis, redisAnswers } from "../adapters/queue/embedded-redis.js";
import { createBullQueues, createRedisBus, createRedisOnceGuard, createRedisRateLimiter } from "../adapters/queue/index.js";
import { openConversationStore } from "../adapters/store/index.js";
import { createTwilioAdapter } from "../channels/twilio/index.js";
import { createWebchatAdapter } from "../channels/webchat/index.js";
import { createWhatsAppWebAdapter } from "../channels/whatsapp-web/index.js";
import { InboxDesk } from "../escalation/inbox/inbox-desk.js";
import { qualityFileSource, withQualityRouting } from "../escalation/rules/quality-routing.js";
import { createRoutingPolicy, type RuleBasedRoutingPolicy } from "../escalation/rules/index.js";
import type { AccountTools } from "./agent/local/account-tools.js";
import { createLocalBrain, createLocalEngine } from "./agent/local/index.js";
import { createProviderAccountTools } from "./agent/local/provider-account-tools.js";
import { createOpenAIBrain, createResilientModel } from "./agent/openai/compose.js";
import { categoryChoicesOf, knowledgeSearchOver } from "./agent/openai/knowledge.js";
import type { ResilientChatModel } from "./agent/openai/resilient-model.js";
import { InMemorySpendLedger } from "./agent/openai/spend.js";
import { createGuardrails } from "./guardrails/index.js";
import type { AccountProvider } from "./ports/account-provider.js";
import { loadSwitchboardFile, type ChannelEntry } from "./config/channels-file.js";
import { loadEnv, publicUrlOf, type Env } from "./config/env.js";
import { persistentSecret } from "./config/persistent-secret.js";
import { ConfigError } from "./errors.js";
import { createLogger, type Logger } from "./logging/logger.js";
import { LlmMetrics } from "./observability/llm-metrics.js";
import { SwitchboardMetrics } from "./observability/metrics.js";
import { ConversationEvents } from "./pipeline/conversation-events.js";
import { ALWAYS_AVAILABLE } from "./pipeline/customer-notices.js";
import { DESK_TASKS, DeskTaskRunner } from "./pipeline/desk-tasks.js";
import { Handoff } from "./pipeline/handoff.js";
import { createInboundIntake } from "./pipeline/intake.js";
import { createJobHandlers, type TaskHandler } from "./pipeline/job-handlers.js";
import { TurnProcessor } from "./pipeline/process-turn.js";
import { enqueuePendingWork } from "./pipeline/recovery.js";
import { SendDispatcher } from "./pipeline/send-dispatcher.js";
import { QUALITY_FILE } from "./qa/quality-file.js";
import { learnedRoutingSignals, loadKnowledgeBase, type KnowledgeBase } from "./kb/load.js";
import type { Brain, ReplyGuard, RoutingPolicy } from "./ports/agent-engine.js";
import type { ChannelAdapter, ChannelContext, InboundIntake } from "./ports/channel-adapter.js";
import type { ConversationStore } from "./ports/conversation-store.js";
import type { Desk, HumanAvailability } from "./ports/desk.js";
import type { WorkQueue } from "./ports/work-queue.js";
import { adminInboxRoutes } from "./server/admin-inbox-routes.js";
import { createHttpServer } from "./server/http-server.js";

export type Role = "web" | "worker" | "all";

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  role?: Role;
  /** Replace the configured brain (tests drive the pipeline with a test engine). */
  brain?: Brain;
  /** Replace the configured desk. */
  desk?: DeskBundle;
  /** Replace the channels of the channel file (tests, embedding). */
  channels?: ChannelAdapter[];
  logger?: Logger;
  now?: () => Date;
  /** Prefix of every Redis key and queue (tests isolate themselves with it). */
  queuePrefix?: string;
  /** Listen port override (0 = any free port). */
  port?: number;
}

/** A desk with what it adds to the server and the workers. */
export interface DeskBundle {
  desk: Desk;
  availability?: HumanAvailability;
  routes?: Array<(app: FastifyInstance) => void | Promise<void>>;
  tasks?: TaskHandler[];
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

export interface RunningSwitchboard {
  /** Where the server listens (web role), e.g. http://127.0.0.1:3000. */
  url: string | undefined;
  publicUrl: string;
  env: Env;
  store: ConversationStore;
  queue: WorkQueue;
  handoff: Handoff;
  intake: InboundIntake;
  channels: ReadonlyMap<string, ChannelAdapter>;
  app: FastifyInstance | undefined;
  logger: Logger;
  close(): Promise<void>;
}

interface ChannelBuildContext {
  env: Env;
  /** The raw environment: channels name their own credential variables (`authTokenEnv`). */
  rawEnv: NodeJS.ProcessEnv;
  dataDir: string;
  logger: Logger;
  now: () => Date;
}

/** One factory per channel kind; each validates its own settings from the channel file. */
function createChannel(entry: ChannelEntry, context: ChannelBuildContext): ChannelAdapter {
  const { env } = context;
  switch (entry.kind) {
    case "webchat":
      return createWebchatAdapter({
        settings: entry,
        sessionSecret: webchatSecretOf(env),
        ...(env.CUSTOMER_TOKEN_SECRET ? { customerTokenSecret: env.CUSTOMER_TOKEN_SECRET } : {}),
      });
    case "twilio_sms":
    case "twilio_whatsapp":
      return createTwilioAdapter(entry, { env: context.rawEnv, logger: context.logger, now: context.now });
    case "whatsapp_web":
      return createWhatsAppWebAdapter(entry, { env: context.rawEnv, logger: context.logger });
    default:
      throw new ConfigError(`channel "${entry.id}": kind ${entry.kind} is not available in this build.`);
  }
}

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
      : createProviderAccountTools(options.accounts, zone)
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
}

/**
 * The brain `serve`, `ask` and `eval` run, over KB_DIR with the configured account data: the local engine
 * (AI_ENGINE=local), or the OpenAI engine (AI_ENGINE=openai) with the same routing rules, guardrails,
 * account tools and knowledge base, and the local engine as its fallback.
 */
export async function composeConfiguredBrain(env: Env, kbDir = env.KB_DIR, dependencies: BrainDependencies = {}): Promise<ComposedBrain> {
  const accounts = createAccountProviderFromEnv(env);
  const qualityFile = join(resolve(env.DATA_DIR), QUALITY_FILE);
  const local = await composeLocalBrain({ kbDir, accounts, timeZone: env.BUSINESS_TIME_ZONE, qualityFile });
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
    localEngine: createLocalEngine(local.kb, createProviderAccountTools(accounts, { timeZone: env.BUSINESS_TIME_ZONE })),
    logger,
    ...(dependencies.metrics ? { metrics: dependencies.metrics } : {}),
  });
  return { brain, kb: local.kb, routing: local.routing, close: () => model.close() };
}

function createConfiguredDesk(_env: Env, store: ConversationStore, logger: Logger): DeskBundle {
  return { desk: new InboxDesk(store, logger) };
}

export async function startSwitchboard(options: StartOptions = {}): Promise<RunningSwitchboard> {
  const env = loadEnv(options.env ?? process.env);
  const role = options.role ?? "all";
  const logger = options.logger ?? createLogger({ level: env.LOG_LEVEL, name: "switchboard" });
  const now = options.now ?? (() => new Date());
  const dataDir = resolve(env.DATA_DIR);
  const publicUrl = publicUrlOf(env);
  const file = loadSwitchboardFile(env.SWITCHBOARD_CONFIG);
  const closers: Array<{ name: string; close: () => Promise<void> }> = [];
  const onClose = (name: string, close: () => Promise<void>) => closers.unshift({ name, close });

  const startedChannels: ChannelAdapter[] = [];
  async function stopChannels(): Promise<void> {
    for (const channel of startedChannels.splice(0)) {
      try {
        await channel.stop?.();
      } catch (error) {
        logger.warn({ err: error, channelId: channel.id }, "error while stopping a channel");
      }
    }
  }

  async function closeAll(): Promise<void> {
    for (const { name, close } of closers.splice(0)) {
      try {
        await close();
      } catch (error) {
        logger.warn({ err: error, part: name }, "error while shutting down");
      }
    }
  }

  try {
    const redis = await ensureRedis({ url: env.REDIS_URL, dataDir, logger });
    onClose("redis", () => redis.stop());

    const store = await openConversationStore({ databaseUrl: env.DATABASE_URL, pgliteDataDir: join(dataDir, "pglite"), poolSize: env.DATABASE_POOL_SIZE, logger });
    onClose("store", () => store.close());
    await store.migrate();

    const prefix = options.queuePrefix ?? env.QUEUE_PREFIX;
    const metricsHolder: { metrics?: SwitchboardMetrics } = {};
    const { queue, pool } = createBullQueues({
      redisUrl: redis.url,
      prefix,
      logger,
      onJobOutcome: (event) => {
        if (event.outcome === "failed" || event.outcome === "retrying") metricsHolder.metrics?.jobFailures.inc({ queue: event.queue });
      },
    });
    onClose("queue", () => queue.close());
    const metrics = new SwitchboardMetrics({ queues: queue });
    metricsHolder.metrics = metrics;
    const bus = createRedisBus({ redisUrl: redis.url, prefix, logger });
    onClose("bus", () => bus.close());
    const rateLimiter = createRedisRateLimiter({ redisUrl: redis.url, prefix, logger });
    onClose("rate-limiter", () => rateLimiter.close());
    const once = createRedisOnceGuard({ redisUrl: redis.url, prefix, logger });
    onClose("once-guard", () => once.close());

    const events = new ConversationEvents(bus, logger);
    const handoff = new Handoff({ store, queue, events, now });
    const intake = createInboundIntake({ store, queue, metrics, logger });
    const channelContext: ChannelContext = {
      intake,
      store,
      bus,
      rateLimiter,
      once,
      logger,
      publicUrl,
      dataDir,
      now,
      reportDeliveryProblem: (conversationId, messageId) =>
        queue.enqueueTask({ name: DESK_TASKS.deliveryProblem, payload: { conversationId, messageId } }),
    };
    const rawEnv = options.env ?? process.env;
    const channelList = options.channels ?? file.channels.map((entry) => createChannel(entry, { env, rawEnv, dataDir, logger, now }));
    const channels = new Map(channelList.map((channel) => [channel.id, channel]));
    const deskBundle = options.desk ?? createConfiguredDesk(env, store, logger);

    // Channels start before any worker can ask them to send.
    for (const channel of channelList) {
      // A linked WhatsApp Web device drives one browser: it lives with the send worker, never twice.
      if (role === "web" && channel.kind === "whatsapp_web") {
        logger.warn({ channelId: channel.id }, "whatsapp-web channels run in the worker process (role worker or all)");
        continue;
      }
      await channel.start?.(channelContext);
      startedChannels.push(channel);
    }
    if (deskBundle.start) {
      await deskBundle.start();
      onClose("desk", async () => deskBundle.stop?.());
    }

    if (role !== "web") {
      let brain = options.brain;
      if (!brain) {
        const composed = await composeConfiguredBrain(env, env.KB_DIR, { logger, metrics: new LlmMetrics(metrics.registry), redisUrl: redis.url, prefix });
        onClose("brain", async () => composed.close?.());
        brain = composed.brain;
      }
      const turns = new TurnProcessor({ store, queue, brain, channels, events, availability: deskBundle.availability ?? ALWAYS_AVAILABLE, metrics, logger, now });
      const sends = new SendDispatcher({ store, queue, channels, rateLimiter, metrics, logger });
      const deskTasks = new DeskTaskRunner({ store, desk: deskBundle.desk, logger });
      await pool.start(createJobHandlers({ turns, sends, tasks: [deskTasks, ...(deskBundle.tasks ?? [])] }));
      onClose("workers", () => pool.close());
      await enqueuePendingWork({ store, queue, logger });
    }

    let app: FastifyInstance | undefined;
    let url: string | undefined;
    if (role !== "worker") {
      const routes = [...(deskBundle.routes ?? [])];
      if (env.ADMIN_TOKEN) routes.push(adminInboxRoutes({ store, handoff, adminToken: env.ADMIN_TOKEN }));
      app = await createHttpServer({
        logger,
        metrics,
        channels: channelList,
        channelContext,
        routes,
        readiness: [
          { name: "database", check: () => store.ping() },
          { name: "redis", check: () => queue.ping() },
        ],
      });
      const server = app;
      onClose("http", () => server.close());
      url = await app.listen({ port: options.port ?? env.PORT, host: env.HOST });
    }

    // Channels stop first (registered last): live connections such as web chat sockets get a clean close
    // code before the server stops, and workers drain after that.
    onClose("channels", stopChannels);

    return { url, publicUrl, env, store, queue, handoff, intake, channels, app, logger, close: closeAll };
  } catch (error) {
    await stopChannels().catch(() => undefined);
    await closeAll();
    throw error;
  }
}

/** The web chat signing secret: WEBCHAT_SECRET, or one generated once under the data directory. */
export function webchatSecretOf(env: Env): string {
  return env.WEBCHAT_SECRET ?? persistentSecret(resolve(env.DATA_DIR), "webchat-secret");
}

export { createAccountProviderFromEnv };

/** The configured conversation store (DATABASE_URL, or PGlite under DATA_DIR), migrated: for CLI commands such as `qa review`. */
export async function openStoreFromEnv(env: Env, logger: Logger): Promise<ConversationStore> {
  const store = await openConversationStore({ databaseUrl: env.DATABASE_URL, pgliteDataDir: join(resolve(env.DATA_DIR), "pglite"), poolSize: env.DATABASE_POOL_SIZE, logger });
  await store.migrate().catch(async (error: unknown) => {
    await store.close();
    throw error;
  });
  return store;
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
