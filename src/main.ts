/**
 * The composition root: the only module (with its parts in src/main/) that knows every concrete class.
 * It reads the configuration, opens the store and the queues (starting a private Redis when needed),
 * builds the channels, the brain and the desk, and runs the web server and/or the workers.
 * `startSwitchboard` is what `switchboard serve` runs and what end-to-end tests start in-process.
 */
import { resolve } from "node:path";
import type { FastifyInstance } from "fastify";
import { ensureRedis } from "../adapters/queue/embedded-redis.js";
import { createBullQueues, createRedisBus, createRedisOnceGuard, createRedisRateLimiter } from "../adapters/queue/index.js";
import { createConfiguredDesk } from "../escalation/desk-bundle.js";
import { loadSwitchboardFile } from "./config/channels-file.js";
import { loadEnv, publicUrlOf, type Env } from "./config/env.js";
import { ConfigError } from "./errors.js";
import { createLogger, type Logger } from "./logging/logger.js";
import { composeConfiguredBrain } from "./main/brain.js";
import { createChannel } from "./main/channels.js";
import { openConfiguredStore } from "./main/store.js";
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
import type { Brain } from "./ports/agent-engine.js";
import type { ChannelAdapter, ChannelContext, InboundIntake } from "./ports/channel-adapter.js";
import type { ConversationStore } from "./ports/conversation-store.js";
import type { Desk, HumanAvailability } from "./ports/desk.js";
import type { WorkQueue } from "./ports/work-queue.js";
import { adminInboxRoutes } from "./server/admin-inbox-routes.js";
import { createHttpServer } from "./server/http-server.js";
import { createMediaService, deskMedia } from "./media/index.js";

export { createAccountProviderFromEnv } from "../adapters/accounts/index.js";
export { ADMIN_RULES_FILE, composeConfiguredBrain, composeLocalBrain, createOpenAIModelFromEnv } from "./main/brain.js";
export type { BrainDependencies, ComposedBrain, LocalBrainComposition } from "./main/brain.js";
export { webchatSecretOf } from "./main/channels.js";
export { openStoreFromEnv } from "./main/store.js";

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

/** A database that does not answer at start is a configuration problem: say which setting to check. */
function databaseUnreachable(env: Env, error: unknown): Error {
  if (error instanceof ConfigError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  if (!env.DATABASE_URL) return new ConfigError(`the embedded database under DATA_DIR (${env.DATA_DIR}) could not be opened: ${reason}`, { cause: error });
  const host = new URL(env.DATABASE_URL).host;
  return new ConfigError(`the database at DATABASE_URL (${host}) does not answer (${reason}). Start PostgreSQL or fix DATABASE_URL.`, { cause: error });
}

/**
 * Separate web and worker processes share state only through PostgreSQL and Redis: embedded PGlite is one
 * process's database, and a generated web chat secret is one process's key.
 */
function assertRoleFits(role: Role, env: Env): void {
  if (role === "all") return;
  if (!env.DATABASE_URL) {
    throw new ConfigError(`--role ${role} runs beside other processes, which must share one database: set DATABASE_URL (PostgreSQL). Embedded PGlite serves a single process (--role all).`);
  }
  if (role === "web" && !env.WEBCHAT_SECRET) {
    throw new ConfigError("--role web: set WEBCHAT_SECRET (32+ characters, the same in every web process) so that every process accepts the web chat sessions the others signed.");
  }
}

export async function startSwitchboard(options: StartOptions = {}): Promise<RunningSwitchboard> {
  const env = loadEnv(options.env ?? process.env);
  const role = options.role ?? "all";
  const logger = options.logger ?? createLogger({ level: env.LOG_LEVEL, name: "switchboard" });
  const now = options.now ?? (() => new Date());
  const dataDir = resolve(env.DATA_DIR);
  const publicUrl = publicUrlOf(env);
  const file = loadSwitchboardFile(env.SWITCHBOARD_CONFIG);
  assertRoleFits(role, env);
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

    const store = await openConfiguredStore(env, logger);
    onClose("store", () => store.close());
    await store.migrate().catch((error: unknown) => {
      throw databaseUnreachable(env, error);
    });

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
    const channelList = options.channels ?? (await Promise.all(file.channels.map((entry) => createChannel(entry, { env, rawEnv, dataDir, logger, now }))));
    const channels = new Map(channelList.map((channel) => [channel.id, channel]));
    const media = createMediaService({ dataDir, publicUrl, now });
    const deskBundle = options.desk ?? (await createConfiguredDesk({ file, env: rawEnv, store, handoff, queue, rateLimiter, once, logger, now, media: deskMedia(media, channels) }));

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
        const composed = await composeConfiguredBrain(env, env.KB_DIR, { logger, metrics: new LlmMetrics(metrics.registry), redisUrl: redis.url, prefix, rateLimiter });
        onClose("brain", async () => composed.close?.());
        for (const warning of composed.kb.warnings) logger.warn({ kbDir: env.KB_DIR }, warning);
        brain = composed.brain;
      }
      const turns = new TurnProcessor({ store, queue, brain, channels, events, availability: deskBundle.availability ?? ALWAYS_AVAILABLE, metrics, logger, now });
      const sends = new SendDispatcher({ store, queue, channels, rateLimiter, metrics, logger });
      const deskTasks = new DeskTaskRunner({ store, desk: deskBundle.desk, logger });
      await pool.start(createJobHandlers({ turns, sends, tasks: [deskTasks, ...(deskBundle.tasks ?? [])] }));
      onClose("workers", () => pool.close());
      await enqueuePendingWork({ store, queue, logger });
    }

    // Web processes serve everything on PORT; a worker-only process serves health and metrics on
    // METRICS_PORT when it is set (its decision latency and send outcomes are counted there).
    let app: FastifyInstance | undefined;
    let url: string | undefined;
    const listenPort = role === "worker" ? env.METRICS_PORT : (options.port ?? env.PORT);
    if (listenPort !== undefined) {
      const routes = role === "worker" ? [] : [...(deskBundle.routes ?? []), media.route];
      if (role !== "worker" && env.ADMIN_TOKEN) routes.push(adminInboxRoutes({ store, handoff, adminToken: env.ADMIN_TOKEN }));
      app = await createHttpServer({
        logger,
        metrics,
        channels: role === "worker" ? [] : channelList,
        channelContext,
        routes,
        trustProxy: env.TRUST_PROXY,
        readiness: [
          { name: "database", check: () => store.ping() },
          { name: "redis", check: () => queue.ping() },
        ],
      });
      const server = app;
      onClose("http", () => server.close());
      url = await app.listen({ port: listenPort, host: env.HOST });
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


