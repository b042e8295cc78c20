/**
 * The web chat socket protocol on a whole in-process Switchboard (web role: the core's intake, the
 * PostgreSQL store, the Redis bus and rate limiter) with a real `ws` client: messages in, replies out
 * through the bus, history on reconnect, acks, quick replies, and visitors kept apart.
 */
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRedisBus } from "../../adapters/queue/index.js";
import { DeliveryFailedError } from "../../src/errors.js";
import { silentLogger } from "../../src/logging/logger.js";
import { conversationTopic } from "../../src/ports/conversation-events.js";
import { TEST_REDIS_URL } from "../support/services.js";
import { createHarness, type Harness } from "../support/switchboard-harness.js";
import { ChatClient, newSession, replyThrough, sessionOf, startWebchat, type Frame, type WebchatServer } from "../support/webchat-harness.js";

let harness: Harness;
let server: WebchatServer;
const clients: ChatClient[] = [];

beforeAll(async () => {
  harness = await createHarness();
  server = await startWebchat(harness);
});
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});
afterAll(async () => harness.stopAll());

async function connect(token?: string) {
  const sessionToken = String(token ?? (await newSession(server.baseUrl)).body.sessionToken);
  const connected = await ChatClient.connect(server.wsUrl, sessionToken);
  clients.push(connected.client);
  return { ...connected, token: sessionToken };
}

const reply = (conversationId: string, fields: { author?: "ai" | "agent" | "system"; text: string; authorName?: string; meta?: Record<string, unknown> }) =>
  replyThrough(server, { conversationId, author: fields.author ?? "ai", text: fields.text, ...(fields.authorName ? { authorName: fields.authorName } : {}), ...(fields.meta ? { meta: fields.meta } : {}) });

const messagesOf = (conversationId: string) => server.running.store.listMessages(conversationId);

describe("web chat socket", () => {
  it("takes a message, answers with a receipt, stores it for the pipeline and pushes the reply", async () => {
    const { client, ready, token } = await connect();
    expect(ready).toMatchObject({ type: "ready", conversationId: null, state: "ai", history: [], verified: false, maxTextChars: 4000 });

    client.send({ type: "message", id: "msg-000001", text: "  When is my next payment?  " });
    const receipt = await client.next((frame) => frame.type === "receipt");
    expect(receipt).toMatchObject({ id: "msg-000001", seq: 1, duplicate: false });
    const conversation = await server.running.store.getConversation(String(receipt.conversationId));
    const visitorId = sessionOf(token).visitorId;
    expect(conversation).toMatchObject({ channelId: "webchat", customerAddress: visitorId, state: "ai" });
    const [stored] = await messagesOf(conversation!.id);
    expect(stored).toMatchObject({ direction: "inbound", author: "customer", text: "When is my next payment?", channelMessageId: `${visitorId}.msg-000001`, meta: {} });
    // The customer's own message comes back over the bus (for other tabs) with its client id.
    await client.seen((frame) => frame.type === "message" && frame.message.seq === 1 && frame.message.clientId === "msg-000001");

    const sent = await reply(conversation!.id, { text: "Your next payment is due soon." });
    const pushed = await client.next((frame) => frame.type === "message" && frame.message.seq === 2);
    expect(pushed.message).toMatchObject({ id: sent.id, author: "ai", authorName: "Assistant", text: "Your next payment is due soon." });
    expect(pushed.message).not.toHaveProperty("meta");
  });

  it("recognises a resend after reconnect: nothing is stored twice", async () => {
    const first = await connect();
    first.client.send({ type: "message", id: "resend-0001", text: "hello" });
    const receipt = await first.client.next((frame) => frame.type === "receipt");
    first.client.close();

    const second = await connect(first.token);
    second.client.send({ type: "message", id: "resend-0001", text: "hello" });
    expect(await second.client.next((frame) => frame.type === "receipt")).toMatchObject({ id: "resend-0001", seq: 1, duplicate: true });
    expect(await messagesOf(String(receipt.conversationId))).toHaveLength(1);
  });

  it("restores the history on reconnect, without internal notes or undelivered messages, and acks mark delivery", async () => {
    const { client, token } = await connect();
    client.send({ type: "message", id: "hist-00001", text: "I need help" });
    const conversationId = String((await client.next((frame) => frame.type === "receipt")).conversationId);
    const answer = await reply(conversationId, { text: "Sure, what's up?" });
    await client.next((frame) => frame.type === "message" && frame.message.seq === 2);
    await server.running.store.appendOutbound({ conversationId, author: "system", text: "note: customer seems upset", meta: { internal: true } });
    const failed = await server.running.store.appendOutbound({ conversationId, author: "ai", text: "superseded" });
    await server.running.store.updateMessageStatus(failed.id, "failed", { error: { code: "superseded_by_human", message: "x", permanent: true } });
    const agent = await reply(conversationId, { author: "agent", text: "Hi, Dana here.", authorName: "Dana Whitfield" });
    await client.next((frame) => frame.type === "message" && frame.message.seq === agent.seq);

    client.send({ type: "ack", seq: agent.seq });
    await expect.poll(async () => (await server.running.store.getMessage(agent.id))?.status).toBe("delivered");
    expect((await server.running.store.getMessage(answer.id))?.status).toBe("delivered");
    client.close();

    const again = await connect(token);
    expect(again.ready.conversationId).toBe(conversationId);
    expect((again.ready.history as Frame[]).map((m): unknown[] => [m.seq, m.author, m.authorName ?? null, m.text])).toEqual([
      [1, "customer", null, "I need help"],
      [2, "ai", "Assistant", "Sure, what's up?"],
      [5, "agent", "Dana", "Hi, Dana here."],
    ]);
    again.client.send({ type: "history", afterSeq: 1, limit: 1 });
    expect(await again.client.next((frame) => frame.type === "history")).toMatchObject({ messages: [{ seq: 2 }], hasMore: true });
    again.client.send({ type: "ack", seq: 999 });
    expect(await again.client.next((frame) => frame.type === "error")).toMatchObject({ code: "unknown_message" });
  });

  it("sends the 'talk to a human' intent and forwards state and typing from the core over Redis", async () => {
    const bus = createRedisBus({ redisUrl: TEST_REDIS_URL, prefix: harness.prefix, logger: silentLogger() });
    try {
      const { client } = await connect();
      client.send({ type: "message", id: "human-0001", text: "I'd like to talk to a person", intent: "human" });
      const conversationId = String((await client.next((frame) => frame.type === "receipt")).conversationId);
      expect((await messagesOf(conversationId))[0]!.meta).toEqual({ intent: "human" });

      const heard: Array<Record<string, unknown>> = [];
      await bus.subscribe(conversationTopic(conversationId), (payload) => heard.push(payload));
      await bus.publish(conversationTopic(conversationId), { type: "state", state: "awaiting_human" });
      expect(await client.next((frame) => frame.type === "state")).toEqual({ type: "state", state: "awaiting_human" });
      await bus.publish(conversationTopic(conversationId), { type: "typing", on: true, author: "agent", name: "Dana" });
      expect(await client.next((frame) => frame.type === "typing")).toEqual({ type: "typing", on: true, author: "agent", name: "Dana" });
      await bus.publish(conversationTopic(conversationId), { type: "state", state: "hijacked" });

      // The customer's typing goes to the bus for the desk, and is not echoed back.
      client.send({ type: "typing", on: true });
      await expect.poll(() => heard.some((payload) => payload.type === "typing" && payload.author === "customer")).toBe(true);
      await bus.publish(conversationTopic(conversationId), { type: "state", state: "human", agentName: "Dana" });
      expect(await client.next((frame) => frame.type === "state")).toEqual({ type: "state", state: "human", agentName: "Dana" });
      expect(client.frames.filter((frame) => frame.type === "typing")).toHaveLength(1);
      expect(client.frames.some((frame) => frame.type === "state" && frame.state === "hijacked")).toBe(false);
    } finally {
      await bus.close();
    }
  });

  it("turns a CSAT button into an inbound message with meta.action, and refuses choices never offered", async () => {
    const { client } = await connect();
    client.send({ type: "message", id: "csat-00001", text: "thanks, all good" });
    const conversationId = String((await client.next((frame) => frame.type === "receipt")).conversationId);
    const actions = [1, 2, 3, 4, 5].map((score) => ({ label: String(score), value: String(score), kind: "csat" }));
    const survey = await reply(conversationId, { author: "system", text: "How did we do?", meta: { actions } });
    const shown = await client.next((frame) => frame.type === "message" && frame.message.seq === survey.seq);
    expect(shown.message.actions).toEqual(actions.map(({ label, value }) => ({ label, value })));

    client.send({ type: "action", id: "csat-00002", forSeq: survey.seq, value: "9" });
    expect(await client.next((frame) => frame.type === "error")).toMatchObject({ code: "invalid_action", id: "csat-00002" });
    client.send({ type: "action", id: "csat-00003", forSeq: 1, value: "4" });
    expect(await client.next((frame) => frame.type === "error")).toMatchObject({ code: "invalid_action", id: "csat-00003" });
    expect(await messagesOf(conversationId)).toHaveLength(2);

    client.send({ type: "action", id: "csat-00004", forSeq: survey.seq, value: "4" });
    const receipt = await client.next((frame) => frame.type === "receipt");
    expect(receipt).toMatchObject({ id: "csat-00004", duplicate: false });
    const answer = (await messagesOf(conversationId)).find((message) => message.seq === receipt.seq);
    expect(answer).toMatchObject({ text: "4", meta: { action: { kind: "csat", value: "4", label: "4", forSeq: survey.seq, forMessageId: survey.id } } });
  });

  it("keeps visitors apart: no shared history, no shared pushes, no dedupe across visitors", async () => {
    const alice = await connect();
    alice.client.send({ type: "message", id: "same-id-001", text: "alice's secret order" });
    const aliceReceipt = await alice.client.next((frame) => frame.type === "receipt");
    await reply(String(aliceReceipt.conversationId), { text: "reply for alice" });

    const bob = await connect();
    expect(bob.ready).toMatchObject({ conversationId: null, history: [] });
    // The same client id from another visitor is a different message in a different conversation.
    bob.client.send({ type: "message", id: "same-id-001", text: "bob here" });
    const bobReceipt = await bob.client.next((frame) => frame.type === "receipt");
    expect(bobReceipt.duplicate).toBe(false);
    expect(bobReceipt.conversationId).not.toBe(aliceReceipt.conversationId);
    await reply(String(aliceReceipt.conversationId), { text: "second reply for alice" });
    await alice.client.next((frame) => frame.type === "message" && frame.message.text === "second reply for alice");
    expect(JSON.stringify(bob.client.frames)).not.toContain("alice");
  });

  it("lets a second tab of the same visitor follow the conversation, and unsubscribes when the last tab goes", async () => {
    const tab1 = await connect();
    const tab2 = await connect(tab1.token);
    tab1.client.send({ type: "message", id: "tab-000001", text: "from tab one" });
    const conversationId = String((await tab1.client.next((frame) => frame.type === "receipt")).conversationId);
    await tab2.client.seen((frame) => frame.type === "message" && frame.message.text === "from tab one");
    await reply(conversationId, { text: "to both tabs" });
    await tab2.client.seen((frame) => frame.type === "message" && frame.message.text === "to both tabs");
    await tab1.client.seen((frame) => frame.type === "message" && frame.message.text === "to both tabs");

    const redis = new Redis(TEST_REDIS_URL);
    try {
      const subscribers = async () => Number(((await redis.pubsub("NUMSUB", `${harness.prefix}:bus:${conversationTopic(conversationId)}`)) as [string, number])[1]);
      expect(await subscribers()).toBe(1);
      tab1.client.close();
      tab2.client.close();
      await expect.poll(subscribers).toBe(0);
    } finally {
      redis.disconnect();
    }
  });

  it("refuses to send internal notes or another channel's conversation", async () => {
    const { client } = await connect();
    client.send({ type: "message", id: "send-00001", text: "hi" });
    const conversationId = String((await client.next((frame) => frame.type === "receipt")).conversationId);
    const conversation = (await server.running.store.getConversation(conversationId))!;
    const note = await server.running.store.appendOutbound({ conversationId, author: "system", text: "internal", meta: { internal: true } });
    await expect(server.adapter.send({ message: note, conversation })).rejects.toMatchObject({ permanent: true, providerCode: "internal_message" });
    await expect(server.adapter.send({ message: note, conversation: { ...conversation, channelId: "sms" } })).rejects.toBeInstanceOf(DeliveryFailedError);
  });
});
