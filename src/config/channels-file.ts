/**
 * The optional YAML file naming the channels (`SWITCHBOARD_CONFIG`). The core checks what every channel
 * has (a unique id and a kind); each channel folder validates its own settings with its own schema.
 */
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { ChannelKind } from "../domain/model.js";
import { ConfigError } from "../errors.js";

export const ChannelEntry = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "must be lower-case letters, digits, - or _ (it appears in webhook URLs)"),
    kind: ChannelKind,
  })
  .passthrough();
export type ChannelEntry = z.infer<typeof ChannelEntry>;

export const SwitchboardFile = z
  .object({
    channels: z.array(ChannelEntry).min(1, "name at least one channel"),
  })
  .passthrough();
export type SwitchboardFile = z.infer<typeof SwitchboardFile>;

/** With no file, Switchboard runs the web chat channel only. */
export const DEFAULT_FILE: SwitchboardFile = { channels: [{ id: "webchat", kind: "webchat" }] };

export function loadSwitchboardFile(path: string | undefined): SwitchboardFile {
  if (path === undefined) return DEFAULT_FILE;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(`SWITCHBOARD_CONFIG: cannot read ${path}; point it at a readable YAML file.`, { cause: error });
  }
  return parseSwitchboardFile(text, path);
}

export function parseSwitchboardFile(text: string, origin = "SWITCHBOARD_CONFIG"): SwitchboardFile {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${origin}: not valid YAML (${(error as Error).message}).`, { cause: error });
  }
  const parsed = SwitchboardFile.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `- ${issue.path.join(".") || "(file)"}: ${issue.message}`);
    throw new ConfigError(`${origin}: invalid channel configuration:\n${problems.join("\n")}`);
  }
  const seen = new Set<string>();
  for (const channel of parsed.data.channels) {
    if (seen.has(channel.id)) throw new ConfigError(`${origin}: channel id "${channel.id}" is used twice; ids must be unique.`);
    seen.add(channel.id);
  }
  return parsed.data;
}

/** Validate one channel's own settings with the channel's schema, naming the channel in every problem. */
export function channelSettings<T extends z.ZodType>(entry: ChannelEntry, schema: T, origin = "SWITCHBOARD_CONFIG"): z.infer<T> {
  const parsed = schema.safeParse(entry);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `- channels[${entry.id}].${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`${origin}: invalid settings for channel "${entry.id}":\n${problems.join("\n")}`);
  }
  return parsed.data;
}

/** Resolve a credential given "by environment reference" (`authTokenEnv: TWILIO_AUTH_TOKEN`). */
export function secretFromEnv(name: string, channelId: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value.trim() === "") {
    throw new ConfigError(`channel "${channelId}" reads its credential from ${name}, which is not set; set ${name}.`);
  }
  return value.trim();
}
