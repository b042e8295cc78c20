/**
 * The desk the configuration asks for, ready for the composition root: the Slack desk when
 * SLACK_BOT_TOKEN is set, else the built-in inbox; both with the business hours of the `desk:` section
 * (what customers hear on handoff). `src/main.ts` calls this with the parts it built.
 */
import type { ChannelKind } from "../src/domain/model.js";
import type { Logger } from "../src/logging/logger.js";
import type { TaskHandler } from "../src/pipeline/job-handlers.js";
import type { ConversationStore } from "../src/ports/conversation-store.js";
import type { Desk, HandoffActions, HumanAvailability } from "../src/ports/desk.js";
import type { DeskMedia } from "../src/ports/media.js";
import type { OnceGuard, RateLimiter, WorkQueue } from "../src/ports/work-queue.js";
import type { FastifyInstance } from "fastify";
import { deskSettingsFrom } from "./desk-config.js";
import { InboxDesk } from "./inbox/inbox-desk.js";

export interface ConfiguredDeskInput {
  /** The parsed SWITCHBOARD_CONFIG file (its `desk:` section and channel kinds are read). */
  file: { desk?: unknown; channels?: ReadonlyArray<{ id: string; kind: ChannelKind }> } | undefined;
  /** The environment (SLACK_*). */
  env: Record<string, string | undefined>;
  store: ConversationStore;
  handoff: HandoffActions;
  queue: WorkQueue;
  rateLimiter: RateLimiter;
  once: OnceGuard;
  logger: Logger;
  now: () => Date;
  /** Media both ways between customers and agents (src/media). */
  media?: DeskMedia;
}

/** Structurally `src/main.ts`'s `DeskBundle`. */
export interface ConfiguredDesk {
  desk: Desk;
  availability: HumanAvailability;
  routes: Array<(app: FastifyInstance) => Promise<void>>;
  tasks: TaskHandler[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Slack's SDK (Bolt) is imported only when Slack is configured; the inbox desk needs none of it. */
export async function createConfiguredDesk(input: ConfiguredDeskInput): Promise<ConfiguredDesk> {
  const settings = deskSettingsFrom(input.file, input.env);
  if (!settings.slack) {
    return { desk: new InboxDesk(input.store, input.logger), availability: settings.availability, routes: [], tasks: [], start: async () => undefined, stop: async () => undefined };
  }
  const { createSlackDesk } = await import("./slack/index.js");
  const slack = createSlackDesk(settings.slack, {
    store: input.store,
    handoff: input.handoff,
    queue: input.queue,
    rateLimiter: input.rateLimiter,
    once: input.once,
    logger: input.logger,
    now: input.now,
    availability: settings.availability,
    channelKinds: new Map((input.file?.channels ?? []).map((channel) => [channel.id, channel.kind])),
    ...(input.media ? { media: input.media } : {}),
  });
  return { desk: slack.desk, availability: settings.availability, routes: slack.routes, tasks: slack.tasks, start: () => slack.start(), stop: () => slack.stop() };
}
