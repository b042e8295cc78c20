import { describe, expect, it } from "vitest";
import { channelSettings, parseSwitchboardFile, secretFromEnv } from "../../src/config/channels-file.js";
import { loadEnv, publicUrlOf } from "../../src/config/env.js";
import { ConfigError } from "../../src/errors.js";
import { z } from "zod";

describe("environment", () => {
  it("applies the documented defaults", () => {
    const env = loadEnv({});
    expect(env).toMatchObject({ PORT: 3000, REDIS_URL: "redis://127.0.0.1:6379", AI_ENGINE: "local", KB_DIR: "kb", DATA_DIR: ".data" });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(publicUrlOf(env)).toBe("http://localhost:3000");
  });

  it("treats blank values as unset", () => {
    expect(loadEnv({ DATABASE_URL: "", PORT: "" }).PORT).toBe(3000);
  });

  it("stops with a message naming each wrong variable and what it got", () => {
    let error: unknown;
    try {
      loadEnv({ PORT: "eighty", AI_ENGINE: "gpt", REDIS_URL: "http://x" });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as Error).message;
    expect(text).toContain("PORT");
    expect(text).toContain('got "eighty"');
    expect(text).toContain("AI_ENGINE");
    expect(text).toContain("REDIS_URL");
    expect(text).toContain("redis://");
  });

  it("requires the variables that go together, without echoing secrets", () => {
    expect(() => loadEnv({ AI_ENGINE: "openai" })).toThrow(/OPENAI_API_KEY is required when AI_ENGINE=openai/);
    expect(() => loadEnv({ SLACK_BOT_TOKEN: "xoxb-1" })).toThrow(/SLACK_SIGNING_SECRET/);
    try {
      loadEnv({ WEBCHAT_SECRET: "short-secret" });
    } catch (error) {
      expect((error as Error).message).not.toContain("short-secret");
    }
  });

  it("lets Slack Socket Mode run without a signing secret", () => {
    const socketMode = { SLACK_BOT_TOKEN: "xoxb-1", SLACK_APP_TOKEN: "xapp-1-A-1", SLACK_ESCALATION_CHANNEL: "C0123ABCDEF" };
    expect(() => loadEnv(socketMode)).not.toThrow();
    expect(() => loadEnv({ ...socketMode, SLACK_APP_TOKEN: undefined })).toThrow(/SLACK_SIGNING_SECRET is required/);
    expect(() => loadEnv({ ...socketMode, SLACK_ESCALATION_CHANNEL: undefined })).toThrow(/SLACK_ESCALATION_CHANNEL is required/);
  });

  it("checks only the brain's settings for a brain-only run", () => {
    const halfConfigured = { SLACK_BOT_TOKEN: "xoxb-1", TWILIO_API_URL: "not a url" };
    expect(() => loadEnv(halfConfigured)).toThrow(/TWILIO_API_URL/);
    expect(loadEnv(halfConfigured, { scope: "brain" })).toMatchObject({ AI_ENGINE: "local" });
    expect(() => loadEnv({ ...halfConfigured, AI_ENGINE: "openai" }, { scope: "brain" })).toThrow(/OPENAI_API_KEY/);
  });

  it("drops a trailing slash from PUBLIC_URL", () => {
    expect(publicUrlOf(loadEnv({ PUBLIC_URL: "https://support.example.com/" }))).toBe("https://support.example.com");
  });
});

describe("channel file", () => {
  it("parses channels and keeps their own settings for the channel to validate", () => {
    const file = parseSwitchboardFile("channels:\n  - id: sms-us\n    kind: twilio_sms\n    from: '+15550100000'\n");
    expect(file.channels[0]).toMatchObject({ id: "sms-us", kind: "twilio_sms", from: "+15550100000" });
    const settings = channelSettings(file.channels[0]!, z.object({ from: z.string().startsWith("+") }));
    expect(settings.from).toBe("+15550100000");
  });

  it("refuses duplicate ids, unknown kinds, bad ids and broken YAML with clear messages", () => {
    expect(() => parseSwitchboardFile("channels:\n  - {id: a, kind: webchat}\n  - {id: a, kind: webchat}\n")).toThrow(/used twice/);
    expect(() => parseSwitchboardFile("channels:\n  - {id: a, kind: fax}\n")).toThrow(/kind/);
    expect(() => parseSwitchboardFile("channels:\n  - {id: 'Bad Id', kind: webchat}\n")).toThrow(/lower-case/);
    expect(() => parseSwitchboardFile("channels: [\n")).toThrow(/not valid YAML/);
    expect(() => parseSwitchboardFile("channels: []\n")).toThrow(/at least one channel/);
  });

  it("names the channel and field when a channel's own settings are wrong", () => {
    const file = parseSwitchboardFile("channels:\n  - {id: wa, kind: twilio_whatsapp}\n");
    expect(() => channelSettings(file.channels[0]!, z.object({ from: z.string() }))).toThrow(/channels\[wa\]\.from/);
  });

  it("reads credentials by environment reference", () => {
    expect(secretFromEnv("MY_TOKEN", "sms", { MY_TOKEN: " abc " })).toBe("abc");
    expect(() => secretFromEnv("MY_TOKEN", "sms", {})).toThrow(/set MY_TOKEN/);
  });
});
