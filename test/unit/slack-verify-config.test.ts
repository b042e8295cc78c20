import { describe, expect, it } from "vitest";
import { deskSettingsFrom } from "../../escalation/desk-config.js";
import { parseBody } from "../../escalation/slack/fastify-receiver.js";
import { slackSignature, verifySlackSignature } from "../../escalation/slack/verify.js";
import { AuthenticationError, ConfigError } from "../../src/errors.js";
import { signSlack } from "../fakes/slack-requests.js";

const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";

describe("Slack request signatures", () => {
  const body = Buffer.from('{"type":"event_callback","event_id":"Ev1"}');
  const now = new Date("2025-03-04T15:00:00Z");
  const ts = Math.floor(now.getTime() / 1000);

  it("matches Slack's published example", () => {
    // https://api.slack.com/authentication/verifying-requests-from-slack (the documented test values)
    const documented =
      "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    expect(slackSignature(SECRET, 1531420618, documented)).toBe("v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503");
  });

  it("accepts a correctly signed request within five minutes either way", () => {
    for (const skew of [0, -299, 299]) {
      const headers = signSlack(SECRET, body.toString(), ts + skew);
      expect(() =>
        verifySlackSignature({ signingSecret: SECRET, rawBody: body, signature: headers["x-slack-signature"], timestamp: headers["x-slack-request-timestamp"], now }),
      ).not.toThrow();
    }
  });

  it("refuses missing, stale, future, tampered and wrongly signed requests", () => {
    const good = signSlack(SECRET, body.toString(), ts);
    const attempt = (overrides: { signature?: string | undefined; timestamp?: string | undefined; rawBody?: Buffer; secret?: string }) => () =>
      verifySlackSignature({
        signingSecret: overrides.secret ?? SECRET,
        rawBody: overrides.rawBody ?? body,
        signature: "signature" in overrides ? overrides.signature : good["x-slack-signature"],
        timestamp: "timestamp" in overrides ? overrides.timestamp : good["x-slack-request-timestamp"],
        now,
      });
    expect(attempt({ signature: undefined })).toThrow(AuthenticationError);
    expect(attempt({ timestamp: undefined })).toThrow(/missing/);
    const stale = signSlack(SECRET, body.toString(), ts - 301);
    expect(attempt({ signature: stale["x-slack-signature"], timestamp: stale["x-slack-request-timestamp"] })).toThrow(/stale/);
    const future = signSlack(SECRET, body.toString(), ts + 301);
    expect(attempt({ signature: future["x-slack-signature"], timestamp: future["x-slack-request-timestamp"] })).toThrow(/stale/);
    expect(attempt({ rawBody: Buffer.from('{"type":"event_callback","event_id":"Ev2"}') })).toThrow(/does not match/);
    expect(attempt({ secret: "another-secret-entirely" })).toThrow(/does not match/);
    expect(attempt({ timestamp: "12ab" })).toThrow(/Unix time/);
    expect(attempt({ signature: "v1=abc" })).toThrow(/does not match/);
  });
});

describe("request bodies", () => {
  it("parses JSON events and form-encoded interactions, and refuses the rest", () => {
    expect(parseBody(Buffer.from('{"type":"event_callback"}'), "application/json; charset=utf-8")).toEqual({ type: "event_callback" });
    const form = new URLSearchParams({ payload: JSON.stringify({ type: "block_actions", actions: [] }) }).toString();
    expect(parseBody(Buffer.from(form), "application/x-www-form-urlencoded")).toEqual({ type: "block_actions", actions: [] });
    expect(parseBody(Buffer.from("ssl_check=1&token=x"), "application/x-www-form-urlencoded")).toEqual({ ssl_check: "1", token: "x" });
    expect(parseBody(Buffer.from("{not json"), "application/json")).toBeNull();
    expect(parseBody(Buffer.from("[1,2]"), "application/json")).toBeNull();
    expect(parseBody(Buffer.from("payload=%7Bbroken"), "application/x-www-form-urlencoded")).toBeNull();
    expect(parseBody(Buffer.from("<xml/>"), "text/xml")).toBeNull();
  });
});

describe("desk configuration", () => {
  const env = {
    SLACK_BOT_TOKEN: "xoxb-1-2-3",
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_ESCALATION_CHANNEL: "C0ESCALATE",
    SLACK_API_URL: "http://127.0.0.1:9999/api",
  };

  it("reads the environment and the YAML desk section, with defaults", () => {
    const settings = deskSettingsFrom(
      {
        desk: {
          businessHours: { timezone: "America/New_York", label: "ET", weekly: { mon: "09:00-17:00" } },
          replyWithinMinutes: 20,
          slack: { channels: { disputes: "C0DISPUTES" }, mentionGroup: "S0SUPPORT", agentName: { alias: "Support" }, sla: { unclaimedMinutes: 5 } },
        },
      },
      env,
    );
    expect(settings.slack).toMatchObject({
      botToken: "xoxb-1-2-3",
      escalationChannel: "C0ESCALATE",
      apiUrl: "http://127.0.0.1:9999/api/",
      channelsByCategory: { disputes: "C0DISPUTES" },
      mentionGroup: "S0SUPPORT",
      agentName: { alias: "Support" },
      sla: { unclaimedMinutes: 5, noReplyMinutes: 15, maxRealerts: 3, raisePriority: true },
      rateLimit: { perSecond: 1, burst: 3 },
    });
    expect(settings.availability.expectedReplyMinutes("normal")).toBe(20);
    expect(deskSettingsFrom(undefined, {}).slack).toBeUndefined();
  });

  it("says exactly what is wrong", () => {
    expect(() => deskSettingsFrom(undefined, { ...env, SLACK_ESCALATION_CHANNEL: "#support" })).toThrow(/SLACK_ESCALATION_CHANNEL: must be a Slack channel ID/);
    expect(() => deskSettingsFrom(undefined, { ...env, SLACK_SIGNING_SECRET: undefined })).toThrow(/SLACK_SIGNING_SECRET is required/);
    expect(() => deskSettingsFrom(undefined, { ...env, SLACK_SIGNING_SECRET: undefined, SLACK_APP_TOKEN: "xapp-1-A-1" })).not.toThrow();
    expect(() => deskSettingsFrom({ desk: { slack: { mentionGroup: "@support" } } }, env)).toThrow(/desk\.slack\.mentionGroup: must be a user group ID/);
    expect(() => deskSettingsFrom({ desk: { slack: { agentName: { alias: "Support Team" } } } }, env)).toThrow(/one word/);
    expect(() => deskSettingsFrom({ desk: { slack: { typo: 1 } } }, env)).toThrow(ConfigError);
    expect(() => deskSettingsFrom({ desk: { replyWithinMinutes: 0 } }, env)).toThrow(/desk\.replyWithinMinutes/);
  });
});
