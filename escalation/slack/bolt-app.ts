/**
 * The Bolt app: how Slack's traffic enters (our Fastify receiver over HTTP, or Bolt's Socket Mode
 * receiver when an app token is set) and the three things we listen to. Listeners do no work: they
 * dedupe, enqueue a task and acknowledge, well within Slack's three seconds.
 */
import { App, type Receiver } from "@slack/bolt";
import type { WebClientOptions } from "@slack/web-api";
import { z } from "zod";
import type { Logger } from "../../src/logging/logger.js";
import type { OnceGuard, WorkQueue } from "../../src/ports/work-queue.js";
import { boltLogger } from "./bolt-logger.js";
import type { SlackDeskConfig } from "./config.js";
import { SLACK_TASKS } from "./tasks.js";

/** Slack retries an unacknowledged event for about an hour and a half; remember ids well beyond that. */
const DEDUPE_TTL_MS = 24 * 3_600_000;
const ACTION_NAMESPACE = /^switchboard\./;

export function webClientOptions(config: Pick<SlackDeskConfig, "apiUrl">, logger: Logger): WebClientOptions {
  return {
    ...(config.apiUrl ? { slackApiUrl: config.apiUrl } : {}),
    // A 429 is not waited out inside a worker: it fails the call with Retry-After, and the task is
    // retried by the queue after that delay (see SlackApi). Network hiccups get two quick retries.
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 2, factor: 2, minTimeout: 250, maxTimeout: 2_000, randomize: true },
    timeout: 10_000,
    logger: boltLogger(logger),
  };
}

/**
 * `deferInitialization`: Bolt would otherwise call `auth.test` inside its constructor and keep a failed
 * answer (Slack unreachable at boot) for ever, as an unhandled rejection. Instead the receiver (or
 * `start` in Socket Mode) calls `app.init()` when the first request arrives and again after a failure.
 */
export function createBoltApp(config: SlackDeskConfig, options: { receiver?: Receiver; logger: Logger }): App {
  const logger = boltLogger(options.logger);
  const clientOptions = webClientOptions(config, options.logger);
  const common = { token: config.botToken, logger, clientOptions, convoStore: false as const, deferInitialization: true };
  const app = config.appToken
    ? new App({ ...common, appToken: config.appToken, socketMode: true })
    : new App({ ...common, ...(options.receiver ? { receiver: options.receiver } : {}) });
  app.error(async (error) => {
    options.logger.error({ err: error, code: error.code }, "Slack listener failed");
    throw error;
  });
  return app;
}

const ThreadMessage = z.object({
  type: z.literal("message"),
  subtype: z.string().optional(),
  channel: z.string(),
  user: z.string().optional(),
  bot_id: z.string().optional(),
  text: z.string().optional(),
  ts: z.string(),
  thread_ts: z.string().optional(),
  parent_user_id: z.string().optional(),
  files: z.array(z.unknown()).optional(),
});

/** The parts of a Slack file object the desk reads (`url_private_download` needs the bot token). */
const SlackFile = z.object({
  id: z.string().max(40),
  name: z.string().max(255).optional(),
  mimetype: z.string().max(255).optional(),
  size: z.number().int().nonnegative().optional(),
  url_private_download: z.string().max(2_000).optional(),
});

/** Each file as the thread-reply task takes it; unreadable entries keep their place as bare ids. */
function filesOf(files: readonly unknown[] | undefined): Array<Record<string, unknown>> {
  return (files ?? []).slice(0, 20).map((raw, index) => {
    const parsed = SlackFile.safeParse(raw);
    if (!parsed.success) return { id: `unreadable-${index + 1}` };
    const file = parsed.data;
    return {
      id: file.id,
      ...(file.name !== undefined ? { name: file.name } : {}),
      ...(file.mimetype !== undefined ? { mimetype: file.mimetype } : {}),
      ...(file.size !== undefined ? { size: file.size } : {}),
      ...(file.url_private_download !== undefined ? { urlPrivateDownload: file.url_private_download } : {}),
    };
  });
}

/** Subtypes that are still a person writing in the thread. */
const PERSON_SUBTYPES = new Set([undefined, "thread_broadcast", "file_share"]);

/** Which replay of which request this is, for the once-guard: events by id, clicks by trigger. */
export function dedupeKeyOf(body: Record<string, unknown>): string | undefined {
  if (typeof body.event_id === "string") return `slack:event:${body.event_id}`;
  if (typeof body.trigger_id === "string") return `slack:interaction:${body.trigger_id}`;
  return undefined;
}

/** What the replay filter needs of Bolt's middleware arguments. */
export interface SlackRequestArgs {
  body: unknown;
  context: { retryNum?: number | undefined };
  ack?: unknown;
  next: () => Promise<void>;
}

/**
 * Retries (X-Slack-Retry-Num) and replays of a request we already took carry the same id: drop them.
 * The id is remembered only once the listener has enqueued the work: if the process dies or the queue
 * fails in between, Slack's retry is processed instead of being dropped as "seen" (an agent's reply would
 * be lost). Two deliveries racing past the check are harmless: thread replies are enqueued under a job id
 * per Slack message and their task applies each message once.
 */
export async function dropReplays(deps: { once: OnceGuard; logger: Logger }, args: SlackRequestArgs): Promise<void> {
  const key = dedupeKeyOf(args.body as Record<string, unknown>);
  if (key && (await deps.once.seen(key))) {
    deps.logger.info({ key, retryNum: args.context.retryNum }, "Slack request seen before; ignored");
    if (typeof args.ack === "function") await (args.ack as () => Promise<void>)();
    return;
  }
  await args.next();
  if (key) await deps.once.remember(key, DEDUPE_TTL_MS);
}

export function registerDeskListeners(app: App, deps: { queue: WorkQueue; once: OnceGuard; deskChannels: readonly string[]; logger: Logger }): void {
  const channels = new Set(deps.deskChannels);

  app.use(async (args) => dropReplays(deps, args));

  app.action(ACTION_NAMESPACE, async ({ ack, body, action }) => {
    if (body.type !== "block_actions" || action.type !== "button" || !("action_id" in action)) {
      await ack();
      return;
    }
    const container = body.container as { channel_id?: unknown; message_ts?: unknown } | undefined;
    const channel: unknown = body.channel?.id ?? container?.channel_id;
    const messageTs: unknown = body.message?.ts ?? container?.message_ts;
    if (typeof channel !== "string" || typeof messageTs !== "string") {
      await ack();
      return;
    }
    await deps.queue.enqueueTask({
      name: SLACK_TASKS.action,
      payload: {
        actionId: action.action_id,
        value: action.value ?? "",
        userId: body.user.id,
        channel,
        messageTs,
        ...(typeof body.response_url === "string" ? { responseUrl: body.response_url } : {}),
      },
    });
    // Acknowledge after the click is safely queued: if the queue is down Slack shows the agent an error.
    await ack();
  });

  app.event("message", async ({ event, context }) => {
    const parsed = ThreadMessage.safeParse(event);
    if (!parsed.success) return;
    const message = parsed.data;
    const isReply = message.thread_ts !== undefined && message.thread_ts !== message.ts;
    if (!isReply || !channels.has(message.channel) || !PERSON_SUBTYPES.has(message.subtype)) return;
    // The bot's own posts, and every other bot's, are never an agent speaking.
    if (message.bot_id || !message.user || message.user === context.botUserId) return;
    await deps.queue.enqueueTask(
      {
        name: SLACK_TASKS.threadReply,
        payload: {
          channel: message.channel,
          threadTs: message.thread_ts,
          ts: message.ts,
          userId: message.user,
          text: (message.text ?? "").slice(0, 40_000),
          files: filesOf(message.files),
          ...(message.parent_user_id ? { parentUserId: message.parent_user_id } : {}),
        },
      },
      { jobId: `slack-reply-${message.channel}-${message.ts}` },
    );
  });
}
