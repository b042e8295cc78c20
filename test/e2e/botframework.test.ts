/**
 * Bot Framework end to end: activities posted to `POST /api/messages/<id>` on the real server ->
 * botbuilder's CloudAdapter (anonymous mode, as with the Emulator) -> intake (PostgreSQL) -> turn
 * worker (BullMQ on Redis) -> the local brain as `serve` composes it -> send worker -> a proactive
 * reply through botbuilder's connector client -> the fake Bot Connector that the activities named as
 * their serviceUrl. A request for a person reaches the desk; the agent's claim, reply and the CSAT
 * survey (as suggested actions) reach the customer the same way, and the customer's "5" is the score.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDemoAccountProvider } from "../../adapters/accounts/index.js";
import { createBotFrameworkAdapter } from "../../channels/botframework/index.js";
import { composeLocalBrain, type RunningSwitchboard } from "../../src/main.js";
import { startFakeBotConnector, type FakeBotConnector } from "../fakes/bot-connector.js";
import { messageActivity, otherActivity, postActivity } from "../support/bot-activities.js";
import { eventually } from "../support/eventually.js";
import { RecordingDesk } from "../support/recording-desk.js";
import { createHarness, type Harness } from "../support/switchboard-harness.js";

const PUBLIC_URL = "https://support.example.com";
const AGENT = { id: "slack:U0MAYA", displayName: "Maya Fischer" };

let connector: FakeBotConnector;
let harness: Harness;
let switchboard: RunningSwitchboard;
const desk = new RecordingDesk();

const endpoint = (channelId = "teams") => `${switchboard.url!}/api/messages/${channelId}`;
const say = (conversationId: string, text: string, extra: { id?: string; userId?: string } = {}) =>
  postActivity(endpoint(), messageActivity({ serviceUrl: connector.url, conversationId, text, userId: extra.userId ?? `user-${conversationId}`, ...(extra.id ? { id: extra.id } : {}) }));
const addressOf = (conversationId: string) => `emulator|${conversationId}|user-${conversationId}`;
const texts = (conversationId: string) => connector.sentTo(conversationId).map((sent) => sent.activity.text ?? "");

beforeAll(async () => {
  connector = await startFakeBotConnector();
  harness = await createHarness({ PUBLIC_URL });
  const teams = createBotFrameworkAdapter({ id: "teams", kind: "botframework" }, { env: {} });
  const { brain } = await composeLocalBrain({ kbDir: "kb", accounts: createDemoAccountProvider() });
  switchboard = await harness.start({ channels: [teams], brain, desk: { desk } });
});
afterAll(async () => {
  await harness?.stopAll();
  await connector?.close();
});

describe("the Bot Framework channel, end to end", () => {
  it("answers a policy question with a reply activity in the customer's conversation", async () => {
    const conversationId = `conv-${randomUUID()}`;
    const response = await say(conversationId, "How does pay in 4 work?");
    expect(response.status).toBe(200);

    const [reply] = await eventually(() => connector.sentTo(conversationId), (sent) => sent.length >= 1, 20_000, "the reply activity");
    expect(reply!.activity).toMatchObject({ type: "message", conversation: { id: conversationId }, recipient: { id: `user-${conversationId}` } });
    expect(reply!.activity.text).toMatch(/every two weeks/);

    const conversation = (await switchboard.store.findConversationByAddress("teams", addressOf(conversationId)))!;
    expect(conversation.customerName).toBe("Ada Lovelace");
    const stored = await eventually(() => switchboard.store.listMessages(conversation.id), (found) => found[1]?.status === "sent", 10_000, "the reply recorded as sent");
    expect(stored.map((message) => [message.author, message.status])).toEqual([["customer", "received"], ["ai", "sent"]]);
    expect(stored[1]!.channelMessageId).toBe(reply!.id);
    expect(stored[0]!.decision).toMatchObject({ route: "ai", engine: "local" });
  });

  it("escalates \"I want a human\"; the agent's claim, reply and the CSAT survey reach the customer, and the score is kept", async () => {
    const conversationId = `conv-${randomUUID()}`;
    expect((await say(conversationId, "I want a human")).status).toBe(200);
    const escalation = await eventually(
      () => desk.escalations.find((request) => request.conversation.customerAddress === addressOf(conversationId)),
      (found) => found !== undefined,
      20_000,
      "the escalation",
    );
    const id = escalation!.conversation.id;
    const [inbound] = await switchboard.store.listMessages(id);
    expect(inbound!.decision?.route).toBe("human");
    expect(inbound!.decision?.reasonCodes.length).toBeGreaterThan(0);

    await switchboard.handoff.claim(id, AGENT);
    await switchboard.handoff.replyAsAgent(id, AGENT, "Hi, I can help with that.");
    await eventually(() => texts(conversationId), (sent) => sent.includes("Maya: Hi, I can help with that."), 20_000, "the agent's reply");
    expect(texts(conversationId).some((text) => /Maya from our team has joined/.test(text))).toBe(true);

    await switchboard.handoff.resolve(id, AGENT);
    const survey = await eventually(
      () => connector.sentTo(conversationId).find((sent) => sent.activity.suggestedActions !== undefined),
      (found) => found !== undefined,
      20_000,
      "the CSAT survey",
    );
    expect(survey!.activity.suggestedActions).toEqual({
      to: [`user-${conversationId}`],
      actions: ["1", "2", "3", "4", "5"].map((value) => ({ type: "imBack", title: value, value })),
    });

    // Tapping "5" posts "5" back as the customer's message (imBack).
    expect((await say(conversationId, "5")).status).toBe(200);
    const scored = await eventually(() => switchboard.store.getConversation(id), (found) => found?.csat === 5, 20_000, "the CSAT score");
    expect(scored!.csat).toBe(5);
  });

  it("stores a replayed activity once and answers it once", async () => {
    const conversationId = `conv-${randomUUID()}`;
    const activityId = randomUUID();
    expect((await say(conversationId, "How does pay in 4 work?", { id: activityId })).status).toBe(200);
    expect((await say(conversationId, "How does pay in 4 work?", { id: activityId })).status).toBe(200);
    await eventually(() => connector.sentTo(conversationId), (sent) => sent.length === 1, 20_000, "one reply");
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(connector.sentTo(conversationId)).toHaveLength(1);
    const conversation = (await switchboard.store.findConversationByAddress("teams", addressOf(conversationId)))!;
    const inbound = (await switchboard.store.listMessages(conversation.id)).filter((message) => message.direction === "inbound");
    expect(inbound.map((message) => message.channelMessageId)).toEqual([activityId]);
  });

  it("gets the reply through when the connector throttles once (the queue retries after Retry-After)", async () => {
    const conversationId = `conv-${randomUUID()}`;
    connector.failConversation(conversationId, { status: 429, retryAfterSeconds: 1 });
    expect((await say(conversationId, "How does pay in 4 work?")).status).toBe(200);
    await eventually(() => connector.sentTo(conversationId), (sent) => sent.length === 1, 25_000, "the reply after the retry");
    const attempts = connector.requests.filter((request) => request.path.startsWith(`/v3/conversations/${encodeURIComponent(conversationId)}/`));
    expect(attempts).toHaveLength(2);
  });

  it("refuses bad input and ignores other activities without storing anything", async () => {
    const conversationId = `conv-${randomUUID()}`;
    const valid = messageActivity({ serviceUrl: connector.url, conversationId, text: "hello" });
    expect((await postActivity(endpoint(), "{oops")).status).toBe(400);
    expect((await postActivity(endpoint(), { ...valid, conversation: undefined })).status).toBe(400);
    expect((await postActivity(endpoint(), { ...valid, text: "x".repeat(300 * 1024) })).status).toBe(413);
    expect((await postActivity(endpoint("nobody"), valid)).status).toBe(404);
    expect((await postActivity(endpoint(), otherActivity("conversationUpdate", { serviceUrl: connector.url, conversationId }, { membersAdded: [{ id: "user-x" }] }))).status).toBe(200);
    expect((await postActivity(endpoint(), otherActivity("typing", { serviceUrl: connector.url, conversationId }))).status).toBe(200);
    expect(await switchboard.store.findConversationByAddress("teams", `emulator|${conversationId}|user-1`)).toBeNull();
    expect((await fetch(`${switchboard.url!}/healthz`)).status).toBe(200);
  });
});
