/**
 * The desk the configuration asks for, ready for the composition root: the Slack desk when
 * SLACK_BOT_TOKEN is set, else the built-in inbox; both with the business hours of the `desk:` section
 * (what customers hear on handoff). `src/main.ts` calls this with the parts it built.
 */
import type { ChannelKind } from "../src/domain/model.js";
import type { TaskHandler } from "../src/pipeline/job-handlers.js";
import type { Desk, HumanAvailability } from "../src/ports/desk.js";
import type { FastifyInstance } from "fastify";
import { deskSettingsFrom } from "./desk-config.js";
import { InboxDesk } from "./inbox/inbox-desk.js";
import type { SlackDeskDependencies } from "./slack/index.js";

/** The parts the composition root built (as the Slack desk takes them), plus the configuration to read. */
export interface ConfiguredDeskInput extends Omit<SlackDeskDependencies, "availability" | "channelKinds" | "sleep"> {
  /** The parsed SWITCHBOARD_CONFIG file (its `desk:` section and channel kinds are read). */
  file: { desk?: unknown; channels?: ReadonlyArray<{ id: string; kind: ChannelKind }> } | undefined;
  /** The environment (SLACK_*). */
  env: Record<string, string | undefined>;
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
  const { file, env: _env, ...parts } = input;
  const slack = createSlackDesk(settings.slack, {
    ...parts,
    availability: settings.availability,
    channelKinds: new Map((file?.channels ?? []).map((channel) => [channel.id, channel.kind])),
  });
  return { desk: slack.desk, availability: settings.availability, routes: slack.routes, tasks: slack.tasks, start: () => slack.start(), stop: () => slack.stop() };
}
