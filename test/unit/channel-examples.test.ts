/** The example channel files in config/examples parse and validate with each channel's own schema. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadBotFrameworkChannelConfig } from "../../channels/botframework/config.js";
import { loadTwilioChannelConfig } from "../../channels/twilio/config.js";
import { loadWhatsAppWebSettings } from "../../channels/whatsapp-web/config.js";
import { parseSwitchboardFile } from "../../src/config/channels-file.js";

const env = { TWILIO_ACCOUNT_SID: `AC${"0".repeat(32)}`, TWILIO_AUTH_TOKEN: "token" };
const load = (name: string) => parseSwitchboardFile(readFileSync(`config/examples/${name}`, "utf8"), name);

describe("example channel files", () => {
  it("sms.yaml: one SMS channel at one message per second, no reply texts of our own", () => {
    const entry = load("sms.yaml").channels.find((channel) => channel.kind === "twilio_sms")!;
    const config = loadTwilioChannelConfig(entry, env);
    expect(config.settings).toMatchObject({ id: "sms", from: "+15550001111", rateLimit: { perSecond: 1 }, compliance: {} });
  });

  it("whatsapp.yaml: a WhatsApp sender with a text template and a re-engagement template", () => {
    const entry = load("whatsapp.yaml").channels.find((channel) => channel.kind === "twilio_whatsapp")!;
    const { settings } = loadTwilioChannelConfig(entry, env);
    expect(settings.whatsapp.templates.map((template) => template.name)).toEqual(["agent_update", "reopen_conversation"]);
  });

  it("whatsapp-web.yaml: the system Chromium and a slow send rate", () => {
    const entry = load("whatsapp-web.yaml").channels.find((channel) => channel.kind === "whatsapp_web")!;
    expect(loadWhatsAppWebSettings(entry)).toMatchObject({ executablePath: "/usr/bin/chromium", rateLimit: { perSecond: 0.5 } });
  });

  it("botframework.yaml: a Teams/Web Chat bot, anonymous until the app id is set", () => {
    const entry = load("botframework.yaml").channels.find((channel) => channel.kind === "botframework")!;
    expect(loadBotFrameworkChannelConfig(entry, {})).toMatchObject({
      auth: { mode: "anonymous" },
      settings: { id: "teams", rateLimit: { perSecond: 2, burst: 7 }, agentNames: "prefix", allowedServiceUrls: [] },
    });
    const withApp = loadBotFrameworkChannelConfig(entry, { MICROSOFT_APP_ID: "00000000-0000-0000-0000-000000000001", MICROSOFT_APP_PASSWORD: "secret" });
    expect(withApp.auth).toEqual({ mode: "app", appId: "00000000-0000-0000-0000-000000000001", appType: "MultiTenant", appPassword: "secret" });
  });
});
