/**
 * The Slack escalation desk, assembled. `createSlackDesk(config, deps)` gives the composition root:
 * - `desk`: the core's `Desk` (escalation posts, mirrors, notes, delivery problems),
 * - `registerRoutes`: `POST /slack/events` on the shared Fastify server (HTTP mode; a no-op in Socket Mode),
 * - `taskHandlers`: the desk's queue tasks (clicks, thread replies, transcripts, SLA timers),
 * - `start` / `stop`: the Socket Mode connection (HTTP mode has nothing to start).
 */
import type { App } from "@slack/bolt";
import type { FastifyInstance } from "fastify";
import type { ChannelKind } from "../../src/domain/model.js";
import { ConfigError } from "../../src/errors.js";
import type { Logger } from "../../src/logging/logger.js";
import type { TaskHandler } from "../../src/pipeline/job-handlers.js";
import type { ConversationStore } from "../../src/ports/conversation-store.js";
import type { HandoffActions } from "../../src/ports/desk.js";
import type { DeskMedia } from "../../src/ports/media.js";
import type { OnceGuard, RateLimiter, WorkQueue } from "../../src/ports/work-queue.js";
import type { BusinessHours } from "../business-hours.js";
import { SlaTimers } from "../sla.js";
import { SlackActionTasks } from "./actions.js";
import { createBoltApp, registerDeskListeners } from "./bolt-app.js";
import { deskChannels, type SlackDeskConfig } from "./config.js";
import type { DeskContext, DeskStore } from "./desk-context.js";
import { FastifySlackReceiver } from "./fastify-receiver.js";
import { SlackCustomerMedia } from "./customer-media.js";
import { SlackApi } from "./slack-api.js";
import { SlackDesk } from "./slack-desk.js";
import { SlackThreadReplies } from "./thread-replies.js";
import { SlackTranscriptTask } from "./transcript-task.js";

export { slackDeskConfigFrom, SlackFileSchema, type SlackDeskConfig } from "./config.js";
export { SlackDesk } from "./slack-desk.js";
export { SLACK_TASKS } from "./tasks.js";
export { ACTION_IDS } from "./post-layout.js";
export { slackSignature, verifySlackSignature } from "./verify.js";

export interface SlackDeskDependencies {
  store: ConversationStore;
  /** The core's handoff actions (src/pipeline/handoff.ts). */
  handoff: HandoffActions;
  queue: WorkQueue;
  rateLimiter: RateLimiter;
  once: OnceGuard;
  logger: Logger;
  now: () => Date;
  /** Business hours: the customer's handoff notice, and SLA clocks start at the next opening. */
  availability?: BusinessHours;
  /** Channel id -> kind, for "SMS (sms-us)" in posts. */
  channelKinds?: ReadonlyMap<string, ChannelKind>;
  /** Media both ways (src/media): customers' attachments shown in threads, agents' files sent on. */
  media?: DeskMedia;
  /** For tests: how the desk waits for the channel rate limit. */
  sleep?: (ms: number) => Promise<void>;
}

/** Also the shape `src/main.ts` takes as its `DeskBundle` (`desk`, `availability`, `routes`, `tasks`, `start`, `stop`). */
export interface SlackDeskBundle {
  desk: SlackDesk;
  app: App;
  registerRoutes: (server: FastifyInstance) => Promise<void>;
  taskHandlers: TaskHandler[];
  routes: Array<(server: FastifyInstance) => Promise<void>>;
  tasks: TaskHandler[];
  availability?: BusinessHours;
  sla: SlaTimers;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createSlackDesk(config: SlackDeskConfig, deps: SlackDeskDependencies): SlackDeskBundle {
  const { store } = deps;
  if (typeof store.findConversationByDeskRef !== "function") {
    throw new ConfigError("The Slack desk needs a store with findConversationByDeskRef (adapters/store implements it).");
  }
  const socketMode = config.appToken !== undefined;
  if (!socketMode && !config.signingSecret) {
    throw new ConfigError("SLACK_SIGNING_SECRET is required for Slack events over HTTP (or set SLACK_APP_TOKEN for Socket Mode).");
  }
  const logger = deps.logger.child({ desk: "slack" });
  const receiver = socketMode ? undefined : new FastifySlackReceiver({ signingSecret: config.signingSecret!, logger, now: deps.now });
  const app = createBoltApp(config, { ...(receiver ? { receiver } : {}), logger });
  registerDeskListeners(app, { queue: deps.queue, once: deps.once, deskChannels: deskChannels(config), logger });

  const api = new SlackApi(app.client, {
    rateLimiter: deps.rateLimiter,
    rate: config.rateLimit,
    membersTtlMs: config.membersCacheSeconds * 1_000,
    usersTtlMs: config.usersCacheSeconds * 1_000,
    logger,
    now: deps.now,
    apiUrl: config.apiUrl,
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
  });
  const sla = new SlaTimers({
    store,
    queue: deps.queue,
    once: deps.once,
    config: config.sla,
    ...(deps.availability ? { clock: deps.availability } : {}),
    logger,
    now: deps.now,
  });
  const context: DeskContext = {
    api,
    store: store as DeskStore,
    handoff: deps.handoff,
    queue: deps.queue,
    once: deps.once,
    sla,
    config,
    channelKinds: deps.channelKinds ?? new Map(),
    media: deps.media,
    logger,
    now: deps.now,
  };
  const desk = new SlackDesk(context);
  sla.useAlerts(desk);

  const registerRoutes = receiver ? receiver.registerRoutes : async () => undefined;
  const taskHandlers: TaskHandler[] = [new SlackActionTasks(context), new SlackThreadReplies(context), new SlackTranscriptTask(context), new SlackCustomerMedia(context), sla];
  return {
    desk,
    app,
    sla,
    registerRoutes,
    taskHandlers,
    routes: [registerRoutes],
    tasks: taskHandlers,
    ...(deps.availability ? { availability: deps.availability } : {}),
    async start() {
      if (!socketMode) return;
      await app.init();
      await app.start();
    },
    async stop() {
      if (socketMode) await app.stop();
    },
  };
}
