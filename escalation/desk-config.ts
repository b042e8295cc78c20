/**
 * The `desk:` section of the YAML file (SWITCHBOARD_CONFIG), owned by escalation/: business hours, the
 * wait customers are promised, and the Slack desk's settings. The core's file schema passes unknown
 * top-level keys through; this is where `desk` is checked.
 *
 * ```yaml
 * desk:
 *   businessHours: { timezone: America/New_York, label: ET, weekly: { mon: "09:00-17:00", ... }, holidays: [2025-12-25] }
 *   replyWithinMinutes: 15
 *   slack: { channels: { disputes: C0DISPUTES }, mentionGroup: S0SUPPORT, sla: { unclaimedMinutes: 10 } }
 * ```
 */
import { z } from "zod";
import { ConfigError } from "../src/errors.js";
import { AvailabilitySchema, BusinessHours } from "./business-hours.js";
import { slackDeskConfigFrom, type SlackDeskConfig } from "./slack/config.js";

export const DeskSectionSchema = AvailabilitySchema.extend({
  /** Checked by the Slack desk's own schema (desk.slack). */
  slack: z.unknown().optional(),
}).strict();

export interface DeskSettings {
  availability: BusinessHours;
  /** Undefined when SLACK_BOT_TOKEN is not set. */
  slack: SlackDeskConfig | undefined;
}

/** `file` is the parsed YAML file (or undefined without one); `env` the process environment. */
export function deskSettingsFrom(file: { desk?: unknown } | undefined, env: Record<string, string | undefined> = process.env): DeskSettings {
  const parsed = DeskSectionSchema.safeParse(file?.desk ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `- desk.${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`SWITCHBOARD_CONFIG: invalid desk settings:\n${problems.join("\n")}`);
  }
  const { slack, ...availability } = parsed.data;
  return { availability: new BusinessHours(availability), slack: slackDeskConfigFrom(env, slack) };
}
