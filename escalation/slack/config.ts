/**
 * The Slack desk's settings: credentials and the escalation channel from the environment (`SLACK_*`),
 * everything else from the `desk.slack` section of the YAML file. Validated with zod; a wrong value
 * stops start-up with a message naming the setting.
 */
import { z } from "zod";
import { ConfigError } from "../../src/errors.js";
import { SlaConfigSchema } from "../sla.js";

const channelId = z
  .string()
  .trim()
  .regex(/^[CG][A-Z0-9]{2,}$/, "must be a Slack channel ID such as C0123ABCDEF (channel details -> About -> Channel ID), not a #name");

/** The desk's environment variables (a subset of src/config/env.ts). */
export const SlackEnvSchema = z.object({
  SLACK_BOT_TOKEN: z.string().trim().regex(/^xox[bp]-/, "must be a bot token starting with xoxb-"),
  SLACK_SIGNING_SECRET: z.string().trim().min(8, "must be the app's signing secret (Basic Information -> App Credentials)").optional(),
  SLACK_APP_TOKEN: z.string().trim().regex(/^xapp-/, "must be an app-level token starting with xapp- (Socket Mode)").optional(),
  SLACK_ESCALATION_CHANNEL: channelId,
  SLACK_API_URL: z.string().url().optional(),
});

/** How agents are named to customers: their Slack first name (default), display name, or one word for all. */
export const AgentNameSchema = z.union([
  z.enum(["first_name", "display_name"]),
  z.object({ alias: z.string().trim().regex(/^\S{1,40}$/, "must be one word (customers see it as the agent's name)") }),
]);
export type AgentNameStyle = z.infer<typeof AgentNameSchema>;

/** `desk.slack` in the YAML file. */
export const SlackFileSchema = z
  .object({
    /** Routing category -> channel ID; other categories go to SLACK_ESCALATION_CHANNEL. */
    channels: z.record(z.string().min(1).max(100), channelId).default({}),
    agentName: AgentNameSchema.default("first_name"),
    /** User group mentioned on SLA re-alerts, as its ID (S0123ABCD) from the group's profile. */
    mentionGroup: z
      .string()
      .trim()
      .regex(/^S[A-Z0-9]{2,}$/, "must be a user group ID such as S0123ABCD")
      .optional(),
    sla: SlaConfigSchema.prefault({}),
    /** Slack allows about one message per second per channel, with short bursts. */
    rateLimit: z.object({ perSecond: z.number().positive().max(10).default(1), burst: z.number().int().min(1).max(20).default(3) }).prefault({}),
    /** How long a channel's member list is trusted before asking Slack again. */
    membersCacheSeconds: z.number().int().min(0).max(3_600).default(60),
    /** How long a Slack user's name is cached. */
    usersCacheSeconds: z.number().int().min(0).max(86_400).default(600),
  })
  .strict();

export interface SlackDeskConfig {
  botToken: string;
  signingSecret?: string | undefined;
  appToken?: string | undefined;
  escalationChannel: string;
  apiUrl?: string | undefined;
  channelsByCategory: Record<string, string>;
  agentName: AgentNameStyle;
  mentionGroup?: string | undefined;
  sla: z.infer<typeof SlaConfigSchema>;
  rateLimit: { perSecond: number; burst: number };
  membersCacheSeconds: number;
  usersCacheSeconds: number;
}

function problems(error: z.ZodError, prefix: string): string {
  return error.issues.map((issue) => `- ${prefix}${issue.path.join(".")}: ${issue.message}`).join("\n");
}

/**
 * The desk's configuration, or undefined when Slack is not configured (no SLACK_BOT_TOKEN). `file` is
 * the `desk.slack` section of the YAML file (or undefined).
 */
export function slackDeskConfigFrom(env: Record<string, string | undefined>, file?: unknown): SlackDeskConfig | undefined {
  const present = (value: string | undefined) => (value === undefined || value.trim() === "" ? undefined : value);
  const raw = {
    SLACK_BOT_TOKEN: present(env.SLACK_BOT_TOKEN),
    SLACK_SIGNING_SECRET: present(env.SLACK_SIGNING_SECRET),
    SLACK_APP_TOKEN: present(env.SLACK_APP_TOKEN),
    SLACK_ESCALATION_CHANNEL: present(env.SLACK_ESCALATION_CHANNEL),
    SLACK_API_URL: present(env.SLACK_API_URL),
  };
  if (raw.SLACK_BOT_TOKEN === undefined) return undefined;
  const parsedEnv = SlackEnvSchema.safeParse(raw);
  if (!parsedEnv.success) throw new ConfigError(`Invalid Slack configuration:\n${problems(parsedEnv.error, "")}\nSet these environment variables and start again.`);
  if (!parsedEnv.data.SLACK_APP_TOKEN && !parsedEnv.data.SLACK_SIGNING_SECRET) {
    throw new ConfigError("Invalid Slack configuration:\n- SLACK_SIGNING_SECRET is required for events over HTTP (or set SLACK_APP_TOKEN for Socket Mode).");
  }
  const parsedFile = SlackFileSchema.safeParse(file ?? {});
  if (!parsedFile.success) throw new ConfigError(`SWITCHBOARD_CONFIG: invalid desk.slack settings:\n${problems(parsedFile.error, "desk.slack.")}`);
  const settings = parsedFile.data;
  const apiUrl = parsedEnv.data.SLACK_API_URL;
  return {
    botToken: parsedEnv.data.SLACK_BOT_TOKEN,
    signingSecret: parsedEnv.data.SLACK_SIGNING_SECRET,
    appToken: parsedEnv.data.SLACK_APP_TOKEN,
    escalationChannel: parsedEnv.data.SLACK_ESCALATION_CHANNEL,
    // The WebClient joins method names onto the base URL: it must end with a slash.
    apiUrl: apiUrl === undefined ? undefined : apiUrl.endsWith("/") ? apiUrl : `${apiUrl}/`,
    channelsByCategory: settings.channels,
    agentName: settings.agentName,
    mentionGroup: settings.mentionGroup,
    sla: settings.sla,
    rateLimit: settings.rateLimit,
    membersCacheSeconds: settings.membersCacheSeconds,
    usersCacheSeconds: settings.usersCacheSeconds,
  };
}

/** Every channel the desk posts in (the default one first). */
export function deskChannels(config: Pick<SlackDeskConfig, "escalationChannel" | "channelsByCategory">): string[] {
  return [...new Set([config.escalationChannel, ...Object.values(config.channelsByCategory)])];
}
