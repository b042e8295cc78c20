/**
 * The Bot Framework channel's settings and credentials (by environment reference), the composition
 * root building it from the channel file, and the connector-error mapping on its own.
 */
import { describe, expect, it } from "vitest";
import { loadBotFrameworkChannelConfig, serviceUrlAllowed, toDeliveryFailure } from "../../channels/botframework/index.js";
import { loadEnv } from "../../src/config/env.js";
import { ConfigError, DeliveryFailedError } from "../../src/errors.js";
import { silentLogger } from "../../src/logging/logger.js";
import { createChannel } from "../../src/main/channels.js";

const APP_ID = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
const TENANT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
const SECRET = "Very~Secret.Value_123";
const entry = (extra: Record<string, unknown> = {}) => ({ id: "teams", kind: "botframework" as const, ...extra });

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).not.toContain(SECRET);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("Bot Framework channel settings", () => {
  it("runs anonymously (Emulator) with no app id, unless that is refused", () => {
    expect(loadBotFrameworkChannelConfig(entry(), {}).auth).toEqual({ mode: "anonymous" });
    expect(configError(() => loadBotFrameworkChannelConfig(entry({ allowAnonymous: false }), {})).message).toMatch(/MICROSOFT_APP_ID is not set and allowAnonymous is false/);
    expect(configError(() => loadBotFrameworkChannelConfig(entry(), { MICROSOFT_APP_PASSWORD: SECRET })).message).toMatch(/MICROSOFT_APP_PASSWORD is set but MICROSOFT_APP_ID is not/);
  });

  it("reads credentials from the variables the entry names", () => {
    const config = loadBotFrameworkChannelConfig(entry({ appIdEnv: "TEAMS_APP_ID", appPasswordEnv: "TEAMS_APP_SECRET", appTypeEnv: "TEAMS_APP_TYPE", tenantIdEnv: "TEAMS_TENANT" }), {
      TEAMS_APP_ID: APP_ID, TEAMS_APP_SECRET: SECRET, TEAMS_APP_TYPE: "singletenant", TEAMS_TENANT: TENANT,
    });
    expect(config.auth).toEqual({ mode: "app", appId: APP_ID, appType: "SingleTenant", appPassword: SECRET, tenantId: TENANT });
    expect(loadBotFrameworkChannelConfig(entry(), { MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_TYPE: "UserAssignedMSI", MICROSOFT_APP_TENANT_ID: TENANT }).auth)
      .toEqual({ mode: "app", appId: APP_ID, appType: "UserAssignedMSI", tenantId: TENANT });
  });

  it("says what is wrong with the credentials, never echoing them", () => {
    const cases: Array<[NodeJS.ProcessEnv, RegExp]> = [
      [{ MICROSOFT_APP_ID: "my-bot" }, /must be the Azure Bot's Microsoft App ID \(a GUID/],
      [{ MICROSOFT_APP_ID: APP_ID }, /MICROSOFT_APP_PASSWORD is not set/],
      [{ MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: SECRET, MICROSOFT_APP_TYPE: "Personal" }, /MultiTenant, SingleTenant or UserAssignedMSI/],
      [{ MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: SECRET, MICROSOFT_APP_TYPE: "SingleTenant" }, /SingleTenant bot needs MICROSOFT_APP_TENANT_ID/],
      [{ MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: SECRET, MICROSOFT_APP_TENANT_ID: "contoso" }, /tenant id \(a GUID\)/],
      [{ MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: SECRET, MICROSOFT_APP_TYPE: "UserAssignedMSI", MICROSOFT_APP_TENANT_ID: TENANT }, /has no password/],
    ];
    for (const [env, message] of cases) expect(configError(() => loadBotFrameworkChannelConfig(entry(), env)).message).toMatch(message);
  });

  it("validates its own settings, naming the channel", () => {
    expect(configError(() => loadBotFrameworkChannelConfig(entry({ allowedServiceUrls: ["ftp://x"] }), {})).message).toMatch(/channels\[teams\]\.allowedServiceUrls/);
    expect(configError(() => loadBotFrameworkChannelConfig(entry({ appIdEnv: "lower-case" }), {})).message).toMatch(/appIdEnv: must be an environment variable name/);
    expect(configError(() => loadBotFrameworkChannelConfig(entry({ sendTimeoutMs: 10 }), {})).message).toMatch(/sendTimeoutMs/);
  });

  it("matches service URLs against the allow-list by prefix, not by host name text", () => {
    const settings = loadBotFrameworkChannelConfig(entry({ allowedServiceUrls: ["https://smba.trafficmanager.net/"] }), {}).settings;
    expect(serviceUrlAllowed(settings, "https://smba.trafficmanager.net/amer/")).toBe(true);
    expect(serviceUrlAllowed(settings, "https://smba.trafficmanager.net.evil.example/")).toBe(false);
    expect(serviceUrlAllowed(settings, "not a url")).toBe(false);
  });

  it("is built by the composition root from the channel file", async () => {
    const env = loadEnv({});
    const channel = await createChannel(entry(), { env, rawEnv: { MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: SECRET }, dataDir: ".data", logger: silentLogger(), now: () => new Date() });
    expect(channel).toMatchObject({ id: "teams", kind: "botframework", authMode: "app" });
  });
});

describe("connector errors", () => {
  const restError = (statusCode: number, code: string, retryAfter?: string) =>
    Object.assign(new Error(code), { name: "RestError", statusCode, code, response: { headers: { get: (name: string) => (name === "retry-after" ? retryAfter : undefined) } } });

  it("reads Retry-After as seconds or as an HTTP date, capped", () => {
    const now = new Date("2026-01-01T00:00:00Z");
    expect(toDeliveryFailure(restError(429, "Throttled", "30"), now).retryAfterMs).toBe(30_000);
    expect(toDeliveryFailure(restError(503, "ServiceError", "Thu, 01 Jan 2026 00:00:05 GMT"), now).retryAfterMs).toBe(5_000);
    expect(toDeliveryFailure(restError(429, "Throttled", "86400"), now).retryAfterMs).toBe(600_000);
    expect(toDeliveryFailure(restError(429, "Throttled", "soon"), now).retryAfterMs).toBeUndefined();
  });

  it("gives up when Microsoft Entra refuses the bot's credentials, retries anything unknown", () => {
    const refused = toDeliveryFailure(Object.assign(new Error("AADSTS7000215: Invalid client secret provided."), { errorCode: "invalid_client" }));
    expect(refused).toMatchObject({ permanent: true, providerCode: "invalid_client" });
    expect(refused.message).not.toContain("AADSTS");
    expect(toDeliveryFailure(new Error("something odd"))).toMatchObject({ permanent: false, providerCode: "botframework_unexpected" });
    const already = new DeliveryFailedError("x", "y", { permanent: true });
    expect(toDeliveryFailure(already)).toBe(already);
  });
});
