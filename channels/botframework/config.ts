/**
 * One Bot Framework channel's entry in the channels file (`kind: botframework`): which environment
 * variables hold the Azure Bot's app id, password, type and tenant (never the values themselves), which
 * service URLs may receive replies, and how fast. With no app id the channel runs in anonymous mode,
 * the Bot Framework Emulator's mode: no token is checked on the way in or sent on the way out.
 */
import { z } from "zod";
import { channelSettings, type ChannelEntry } from "../../src/config/channels-file.js";
import { ConfigError } from "../../src/errors.js";

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A YAML section left with only comments in it parses as null: treat it as absent. */
const section = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === null ? undefined : value), schema);

const envName = (fallback: string) => z.string().regex(ENV_NAME, "must be an environment variable name").default(fallback);

/** A service URL prefix such as `https://smba.trafficmanager.net/`: scheme, host, optional path. */
const serviceUrlPrefix = z
  .string()
  .trim()
  .transform((value, ctx) => {
    try {
      const url = new URL(value);
      if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("scheme");
      if (url.search !== "" || url.hash !== "") throw new Error("query");
      return url.href;
    } catch {
      ctx.addIssue({ code: "custom", message: `"${value}" is not a service URL prefix like https://smba.trafficmanager.net/` });
      return z.NEVER;
    }
  });

export const BotFrameworkChannelSettings = z
  .object({
    id: z.string(),
    kind: z.literal("botframework"),
    /** Where the Azure Bot's credentials are (the values are never written in this file). */
    appIdEnv: envName("MICROSOFT_APP_ID"),
    appPasswordEnv: envName("MICROSOFT_APP_PASSWORD"),
    /** `MultiTenant` (default when unset), `SingleTenant` or `UserAssignedMSI`, as in the Azure Bot resource. */
    appTypeEnv: envName("MICROSOFT_APP_TYPE"),
    tenantIdEnv: envName("MICROSOFT_APP_TENANT_ID"),
    /**
     * With no app id in the environment the channel runs anonymously (Bot Framework Emulator, local
     * tests): inbound activities carry no token and nothing authenticates them. Set false in production
     * so that a missing app id stops start-up instead.
     */
    allowAnonymous: z.boolean().default(true),
    /**
     * Service URLs (prefixes) the channel may talk to. Replies go to the `serviceUrl` an activity names;
     * with credentials the token binds it, in anonymous mode only this list does. Empty: any.
     */
    allowedServiceUrls: section(z.array(serviceUrlPrefix).max(50).default([])),
    /**
     * Sends per conversation. Teams allows a bot about 7 messages a second and 60 per 30 seconds in one
     * conversation; the defaults stay under that.
     */
    rateLimit: section(
      z
        .object({ perSecond: z.number().positive().max(50).default(2), burst: z.number().int().positive().max(50).default(7) })
        .default({ perSecond: 2, burst: 7 }),
    ),
    /** Agent replies start with the agent's name ("Maya: ...") so the customer sees a person took over. */
    agentNames: z.enum(["prefix", "none"]).default("prefix"),
    /** One call to the connector may take this long before it counts as failed (and is retried). */
    sendTimeoutMs: z.number().int().min(1_000).max(120_000).default(15_000),
  })
  .passthrough();
export type BotFrameworkChannelSettings = z.infer<typeof BotFrameworkChannelSettings>;

export type BotAppType = "MultiTenant" | "SingleTenant" | "UserAssignedMSI";

/** How the channel authenticates: as an Azure Bot app, or not at all (Emulator). */
export type BotFrameworkAuth =
  | { mode: "anonymous" }
  | { mode: "app"; appId: string; appType: BotAppType; appPassword?: string; tenantId?: string };

export interface BotFrameworkChannelConfig {
  settings: BotFrameworkChannelSettings;
  auth: BotFrameworkAuth;
}

const APP_TYPES: Record<string, BotAppType> = { multitenant: "MultiTenant", singletenant: "SingleTenant", userassignedmsi: "UserAssignedMSI" };

function optionalEnv(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

/** Validate the channel entry and resolve its credentials from the environment (values never echoed). */
export function loadBotFrameworkChannelConfig(entry: ChannelEntry, env: NodeJS.ProcessEnv = process.env): BotFrameworkChannelConfig {
  const settings = channelSettings(entry, BotFrameworkChannelSettings);
  return { settings, auth: resolveAuth(settings, env) };
}

function resolveAuth(settings: BotFrameworkChannelSettings, env: NodeJS.ProcessEnv): BotFrameworkAuth {
  const where = `channel "${settings.id}"`;
  const appId = optionalEnv(env, settings.appIdEnv);
  const appPassword = optionalEnv(env, settings.appPasswordEnv);
  const tenantId = optionalEnv(env, settings.tenantIdEnv);
  const rawType = optionalEnv(env, settings.appTypeEnv);

  if (appId === undefined) {
    if (!settings.allowAnonymous) {
      throw new ConfigError(`${where}: ${settings.appIdEnv} is not set and allowAnonymous is false; set ${settings.appIdEnv} (and ${settings.appPasswordEnv}) to the Azure Bot's app registration.`);
    }
    if (appPassword !== undefined) {
      throw new ConfigError(`${where}: ${settings.appPasswordEnv} is set but ${settings.appIdEnv} is not; set both, or neither for anonymous (Emulator) mode.`);
    }
    return { mode: "anonymous" };
  }
  if (!GUID.test(appId)) {
    throw new ConfigError(`${where}: ${settings.appIdEnv} must be the Azure Bot's Microsoft App ID (a GUID such as 00000000-0000-0000-0000-000000000000).`);
  }
  const appType = rawType === undefined ? "MultiTenant" : APP_TYPES[rawType.toLowerCase()];
  if (appType === undefined) {
    throw new ConfigError(`${where}: ${settings.appTypeEnv} must be MultiTenant, SingleTenant or UserAssignedMSI.`);
  }
  if (tenantId !== undefined && !GUID.test(tenantId)) {
    throw new ConfigError(`${where}: ${settings.tenantIdEnv} must be the Microsoft Entra tenant id (a GUID).`);
  }
  if (appType === "UserAssignedMSI") {
    if (appPassword !== undefined) throw new ConfigError(`${where}: a UserAssignedMSI bot has no password; unset ${settings.appPasswordEnv}.`);
    if (tenantId === undefined) throw new ConfigError(`${where}: a UserAssignedMSI bot needs ${settings.tenantIdEnv}.`);
    return { mode: "app", appId, appType, tenantId };
  }
  if (appPassword === undefined) {
    throw new ConfigError(`${where}: ${settings.appPasswordEnv} is not set; a ${appType} bot needs its client secret there.`);
  }
  if (appType === "SingleTenant" && tenantId === undefined) {
    throw new ConfigError(`${where}: a SingleTenant bot needs ${settings.tenantIdEnv}.`);
  }
  return { mode: "app", appId, appType, appPassword, ...(tenantId !== undefined ? { tenantId } : {}) };
}

/** Whether replies may be sent to this service URL under the channel's allow-list. */
export function serviceUrlAllowed(settings: Pick<BotFrameworkChannelSettings, "allowedServiceUrls">, serviceUrl: string): boolean {
  if (settings.allowedServiceUrls.length === 0) return true;
  let normalized: string;
  try {
    normalized = new URL(serviceUrl).href;
  } catch {
    return false;
  }
  return settings.allowedServiceUrls.some((prefix) => normalized.startsWith(prefix) || `${normalized}/` === prefix);
}
