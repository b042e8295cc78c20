/**
 * The desk as the composition root builds it from configuration (`createConfiguredDesk`): the inbox
 * without SLACK_BOT_TOKEN; with it, the Slack desk from the environment and the YAML `desk:` section,
 * working through a whole Switchboard (business-hours notice, category channel, signed events).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBullWorkQueue, createRedisBus, createRedisOnceGuard, createRedisRateLimiter } from "../../adapters/queue/index.js";
import { createPostgresStore } from "../../adapters/store/index.js";
import { createConfiguredDesk } from "../../escalation/desk-bundle.js";
import { parseSwitchboardFile } from "../../src/config/channels-file.js";
import { silentLogger } from "../../src/logging/logger.js";
import { ConversationEvents } from "../../src/pipeline/conversation-events.js";
import { Handoff } from "../../src/pipeline/handoff.js";
import { FakeSlackApi } from "../fakes/slack-api.js";
import { signSlack } from "../fakes/slack-requests.js";
import { eventually } from "../support/eventually.js";
import { RecordingChannel } from "../support/recording-channel.js";
import { TEST_REDIS_URL } from "../support/services.js";
import { createHarness, customerMessage, type Harness } from "../support/switchboard-harness.js";
import { createTestBrain } from "../support/test-brain.js";
import type { RunningSwitchboard } from "../../src/main.js";

const SECRET = "configured-desk-signing-secret-0123";
const FILE = parseSwitchboardFile(`
channels:
  - { id: sms-us, kind: twilio_sms }
desk:
  businessHours: { timezone: UTC, label: UTC, weekly: { mon: "00:00-24:00", tue: "00:00-24:00", wed: "00:00-24:00", thu: "00:00-24:00", fri: "00:00-24:00", sat: "00:00-24:00", sun: "00:00-24:00" } }
  replyWithinMinutes: 7
  slack:
    channels: { disputes: C0DISPUTES }
    agentName: { alias: Support }
`);

let harness: Harness;
let fake: FakeSlackApi;
let running: RunningSwitchboard | undefined;
const closers: Array<{ close(): Promise<void> }> = [];

function parts() {
  const logger = silentLogger();
  const redis = { redisUrl: TEST_REDIS_URL, prefix: harness.prefix, logger };
  const store = createPostgresStore({ url: harness.database.url, poolSize: 2 });
  const queue = createBullWorkQueue(redis);
  const bus = createRedisBus(redis);
  const rateLimiter = createRedisRateLimiter(redis);
  const once = createRedisOnceGuard(redis);
  closers.push(queue, bus, rateLimiter, once, store);
  const now = () => new Date();
  return { store, queue, rateLimiter, once, logger, now, handoff: new Handoff({ store, queue, events: new ConversationEvents(bus, logger), now }) };
}

beforeAll(async () => {
  harness = await createHarness();
  fake = await new FakeSlackApi().start();
  fake.addChannel("C0ESCALATE", []).addChannel("C0DISPUTES", []);
});
afterAll(async () => {
  // Workers first, then the desk's own connections, then the database.
  await running?.close();
  for (const part of closers) await part.close();
  await harness?.stopAll();
  await fake?.stop();
});

describe("createConfiguredDesk", () => {
  it("is the inbox without SLACK_BOT_TOKEN", async () => {
    const desk = await createConfiguredDesk({ file: FILE, env: {}, ...parts() });
    expect(desk.desk.name).toBe("inbox");
    expect(desk.routes).toEqual([]);
    expect(desk.availability.handoffNotice({ conversation: undefined as never, priority: "normal", now: new Date() })).toContain("usually within 7 minutes");
  });

  it("is the Slack desk with it, serving /slack/events and posting escalations", async () => {
    const env = { SLACK_BOT_TOKEN: fake.botToken, SLACK_SIGNING_SECRET: SECRET, SLACK_ESCALATION_CHANNEL: "C0ESCALATE", SLACK_API_URL: fake.apiUrl };
    const desk = await createConfiguredDesk({ file: FILE, env, ...parts() });
    expect(desk.desk.name).toBe("slack");
    const channel = new RecordingChannel("sms-us", "twilio_sms");
    const switchboard = await harness.start({ brain: createTestBrain(), channels: [channel], desk });
    running = switchboard;

    const body = JSON.stringify({ type: "url_verification", challenge: "hello-slack" });
    const answer = await fetch(`${switchboard.url}/slack/events`, { method: "POST", headers: { "content-type": "application/json", ...signSlack(SECRET, body, Math.floor(Date.now() / 1000)) }, body });
    expect(await answer.json()).toEqual({ challenge: "hello-slack" });

    const { conversationId } = await switchboard.intake.accept(customerMessage("sms-us", "+15557654321", "I need a human about a dispute"));
    const conversation = await eventually(() => switchboard.store.getConversation(conversationId), (found) => Boolean(found?.escalation?.deskRef));
    const [postChannel, ts] = conversation!.escalation!.deskRef!.split("/") as [string, string];
    expect(postChannel).toBe("C0ESCALATE");
    const post = JSON.stringify(fake.find(postChannel, ts)?.blocks);
    expect(post).toContain("SMS (sms-us)");
    expect(post).toContain("+1555***4321");
    expect(post).not.toContain("+15557654321");
    await eventually(() => channel.textsFor(conversationId), (texts) => texts.some((text) => text.includes("usually within 7 minutes")));
  });
});
