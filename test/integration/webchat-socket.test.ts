/**
 * The web chat socket protocol on a real Fastify server (port 0) with a real `ws` client: messages in,
 * replies out through the bus, history on reconnect, acks, quick replies, and one visitor never seeing
 * another's conversation.
 */
import Fastify from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ChatClient, newSession, serveWebchat, type Frame, type ServedWebchat } from "../support/webchat-harness.js";
import { MemoryBus, MemoryCore, memoryContext } from "./webchat-memory-core.js";
import { DeliveryFailedError } from "../../src/errors.js";

let core: MemoryCore;
let bus: MemoryBus;
let served: ServedWebchat;
const clients: ChatClient[] = [];

async function connect(token?: string) {
  const sessionToken = token ?? (await newSession(served.baseUrl)).body.sessionToken;
  const connected = await ChatClient.connect(served.wsUrl, sessionToken);
  clients.push(connected.client);
  return { ...connected, token: sessionToken as string };
}

async function reply(conversationId: string, fields: { author?: "ai" | "agent" | "system"; text: string; authorName?: string; meta?: Record<string, unknown> }) {
  const message = core.appendOutbound({ conversationId, author: fields.author ?? "ai", text: fields.text, ...(fields.authorName ? { authorName: fields.authorName } : {}), ...(fields.meta ? { meta: fields.meta } : {}) });
  const receipt = await served.adapter.send({ message, conversation: core.conversations.get(conversationId)! });
  expect(receipt).toEqual({ status: "sent" });
  return message;
}

beforeEach(async () => {
  core = new MemoryCore();
  bus = new MemoryBus();
  served = await serveWebchat(Fastify(), memoryContext(core, bus));
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await served.close();
});

describe("web chat socket", () => {
  it("takes a message, answers with a receipt, and pushes the reply", async () => {
    const { client, ready } = await connect();
    expect(ready).toMatchObject({ type: "ready", conversationId: null, state: "ai", history: [], verified: false, maxTextChars: 4000 });

    client.send({ type: "message", id: "msg-000001", text: "  When is my next payment?  " });
    const receipt = await client.next((frame) => frame.type === "receipt");
    expect(receipt).toMatchObject({ id: "msg-000001", seq: 1, duplicate: false });
    expect(core.accepted).toHaveLength(1);
    const inbound = core.accepted[0]!;
    expect(inbound).toMatchObject({ channelId: "webchat", text: "When is my next payment?", meta: {} });
    expect(inbound.channelMessageId).toBe(`${inbound.customerAddress}.msg-000001`);
    // The customer's own message comes back (for other tabs) with its client id.
    await client.seen((frame) => frame.type === "message" && frame.message.seq === 1 && frame.message.clientId === "msg-000001");

    const sent = await reply(receipt.conversationId, { text: "Your next payment is due soon." });
    const pushed = await client.next((frame) => frame.type === "message" && frame.message.seq === 2);
    expect(pushed.message).toMatchObject({ id: sent.id, author: "ai", authorName: "Assistant", text: "Your next payment is due soon." });
    expect(pushed.message).not.toHaveProperty("meta");
  });

  it("recognises a resend after reconnect: nothing is stored twice", async () => {
    const first = await connect();
    first.client.send({ type: "message", id: "resend-0001", text: "hello" });
    await first.client.next((frame) => frame.type === "receipt");
    first.client.close();

    const second = await connect(first.token);
    second.client.send({ type: "message", id: "resend-0001", text: "hello" });
    expect(await second.client.next((frame) => frame.type === "receipt")).toMatchObject({ id: "resend-0001", seq: 1, duplicate: true });
    expect(core.messages).toHaveLength(1);
  });

  it("restores the history on reconnect, without internal notes or undelivered messages, and acks mark delivery", async () => {
    const { client, token } = await connect();
    client.send({ type: "message", id: "hist-00001", text: "I need help" });
    const { conversationId } = await client.next((frame) => frame.type === "receipt");
    const answer = await reply(conversationId, { text: "Sure, what's up?" });
    await client.next((frame) => frame.type === "message" && frame.message.seq === 2);
    core.appendOutbound({ conversationId, author: "system", text: "note: customer seems upset", meta: { internal: true } });
    const failed = core.appendOutbound({ conversationId, author: "ai", text: "superseded" });
    failed.status = "failed";
    const agent = await reply(conversationId, { author: "agent", text: "Hi, Dana here.", authorName: "Dana Whitfield" });
    await client.next((frame) => frame.type === "message" && frame.message.seq === agent.seq);

    client.send({ type: "ack", seq: agent.seq });
    await expect.poll(() => core.messages.find((m) => m.id === agent.id)?.status).toBe("delivered");
    expect(core.messages.find((m) => m.id === answer.id)?.status).toBe("delivered");
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

  it("sends the 'talk to a human' intent and forwards state and typing from the core", async () => {
    const { client } = await connect();
    client.send({ type: "message", id: "human-0001", text: "I'd like to talk to a person", intent: "human" });
    const { conversationId } = await client.next((frame) => frame.type === "receipt");
    expect(core.accepted[0]!.meta).toEqual({ intent: "human" });

    await bus.publish(`conversation.${conversationId}`, { type: "state", state: "awaiting_human" });
    expect(await client.next((frame) => frame.type === "state")).toEqual({ type: "state", state: "awaiting_human" });
    await bus.publish(`conversation.${conversationId}`, { type: "typing", on: true, author: "agent", name: "Dana" });
    expect(await client.next((frame) => frame.type === "typing")).toEqual({ type: "typing", on: true, author: "agent", name: "Dana" });
    await bus.publish(`conversation.${conversationId}`, { type: "state", state: "hijacked" });

    // The customer's typing goes to the bus for the desk, and is not echoed back.
    client.send({ type: "typing", on: true });
    await expect.poll(() => bus.published.some((p) => p.payload.type === "typing" && p.payload.author === "customer")).toBe(true);
    client.send({ type: "ack", seq: 1 });
    await bus.publish(`conversation.${conversationId}`, { type: "state", state: "human", agentName: "Dana" });
    expect(await client.next((frame) => frame.type === "state")).toEqual({ type: "state", state: "human", agentName: "Dana" });
    expect(client.frames.filter((frame) => frame.type === "typing")).toHaveLength(1);
    expect(client.frames.some((frame) => frame.type === "state" && frame.state === "hijacked")).toBe(false);
  });

  it("turns a CSAT button into an inbound message with meta.action, and refuses choices never offered", async () => {
    const { client } = await connect();
    client.send({ type: "message", id: "csat-00001", text: "thanks, all good" });
    const { conversationId } = await client.next((frame) => frame.type === "receipt");
    const actions = [1, 2, 3, 4, 5].map((score) => ({ label: String(score), value: String(score), kind: "csat" }));
    const survey = await reply(conversationId, { author: "system", text: "How did we do?", meta: { actions } });
    const shown = await client.next((frame) => frame.type === "message" && frame.message.seq === survey.seq);
    expect(shown.message.actions).toEqual(actions.map(({ label, value }) => ({ label, value })));

    client.send({ type: "action", id: "csat-00002", forSeq: survey.seq, value: "9" });
    expect(await client.next((frame) => frame.type === "error")).toMatchObject({ code: "invalid_action", id: "csat-00002" });
    client.send({ type: "action", id: "csat-00003", forSeq: 1, value: "4" });
    expect(await client.next((frame) => frame.type === "error")).toMatchObject({ code: "invalid_action", id: "csat-00003" });
    expect(core.accepted).toHaveLength(1);

    client.send({ type: "action", id: "csat-00004", forSeq: survey.seq, value: "4" });
    expect(await client.next((frame) => frame.type === "receipt")).toMatchObject({ id: "csat-00004", duplicate: false });
    expect(core.accepted[1]).toMatchObject({ text: "4", meta: { action: { kind: "csat", value: "4", label: "4", forSeq: survey.seq, forMessageId: survey.id } } });
  });

  it("keeps visitors apart: no shared history, no shared pushes, no dedupe across visitors", async () => {
    const alice = await connect();
    alice.client.send({ type: "message", id: "same-id-001", text: "alice's secret order" });
    const aliceReceipt = await alice.client.next((frame) => frame.type === "receipt");
    await reply(aliceReceipt.conversationId, { text: "reply for alice" });

    const bob = await connect();
    expect(bob.ready).toMatchObject({ conversationId: null, history: [] });
    // The same client id from another visitor is a different message in a different conversation.
    bob.client.send({ type: "message", id: "same-id-001", text: "bob here" });
    const bobReceipt = await bob.client.next((frame) => frame.type === "receipt");
    expect(bobReceipt.duplicate).toBe(false);
    expect(bobReceipt.conversationId).not.toBe(aliceReceipt.conversationId);
    await reply(aliceReceipt.conversationId, { text: "second reply for alice" });
    await alice.client.next((frame) => frame.type === "message" && frame.message.text === "second reply for alice");
    expect(JSON.stringify(bob.client.frames)).not.toContain("alice");
  });

  it("lets a second tab of the same visitor follow the conversation it did not start", async () => {
    const tab1 = await connect();
    const tab2 = await connect(tab1.token);
    tab1.client.send({ type: "message", id: "tab-000001", text: "from tab one" });
    const { conversationId } = await tab1.client.next((frame) => frame.type === "receipt");
    await tab2.client.seen((frame) => frame.type === "message" && frame.message.text === "from tab one");
    await reply(conversationId, { text: "to both tabs" });
    await tab2.client.seen((frame) => frame.type === "message" && frame.message.text === "to both tabs");
    await tab1.client.seen((frame) => frame.type === "message" && frame.message.text === "to both tabs");
    tab1.client.close();
    tab2.client.close();
    await expect.poll(() => bus.subscribers(`conversation.${conversationId}`)).toBe(0);
  });

  it("refuses to send internal notes or another channel's conversation", async () => {
    const { client } = await connect();
    client.send({ type: "message", id: "send-00001", text: "hi" });
    const { conversationId } = await client.next((frame) => frame.type === "receipt");
    const conversation = core.conversations.get(conversationId)!;
    const note = core.appendOutbound({ conversationId, author: "system", text: "internal", meta: { internal: true } });
    await expect(served.adapter.send({ message: note, conversation })).rejects.toMatchObject({ permanent: true, providerCode: "internal_message" });
    const other = { ...conversation, channelId: "sms" };
    await expect(served.adapter.send({ message: note, conversation: other })).rejects.toBeInstanceOf(DeliveryFailedError);
  });
});
