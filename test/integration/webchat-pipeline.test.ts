/**
 * Web chat through the whole pipeline (turn worker, test brain, send worker, handoff actions) on real
 * PostgreSQL and Redis: the AI's reply reaches the socket and is acknowledged; "Talk to a human"
 * escalates; an agent claims, replies (first name shown), resolves; the CSAT buttons' answer is stored.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "../support/switchboard-harness.js";
import { createTestBrain } from "../support/test-brain.js";
import { ChatClient, newSession, startWebchat, type Frame, type WebchatServer } from "../support/webchat-harness.js";

const agent = { id: "slack:U42", displayName: "Dana Whitfield" };
let harness: Harness;
let server: WebchatServer;
const clients: ChatClient[] = [];

beforeAll(async () => {
  harness = await createHarness();
  server = await startWebchat(harness, { role: "all", brain: createTestBrain() });
});
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});
afterAll(async () => harness.stopAll());

async function connect() {
  const { body } = await newSession(server.baseUrl);
  const connected = await ChatClient.connect(server.wsUrl, String(body.sessionToken));
  clients.push(connected.client);
  return connected.client;
}

const isMessage = (text: string | RegExp) => (frame: Frame) =>
  frame.type === "message" && (typeof text === "string" ? frame.message.text === text : text.test(String(frame.message.text)));

describe("web chat through the pipeline", () => {
  it("pushes the AI's reply, also to a socket that subscribed after the reply was published; the ack marks it delivered", async () => {
    const client = await connect();
    client.send({ type: "message", id: "pipe-00001", text: "When is my next payment?" });
    const conversationId = String((await client.next((frame) => frame.type === "receipt")).conversationId);
    const reply = await client.seen(isMessage("Echo: When is my next payment?"), 15_000);
    expect(reply.message).toMatchObject({ author: "ai", authorName: "Assistant", seq: 2 });

    client.send({ type: "ack", seq: reply.message.seq });
    await expect.poll(async () => (await server.running.store.getMessage(String(reply.message.id)))?.status, { timeout: 10_000 }).toBe("delivered");
    expect((await server.running.store.getConversation(conversationId))?.state).toBe("ai");
  });

  it("escalates on 'Talk to a human', shows the agent by first name, and stores the CSAT score from the buttons", async () => {
    const client = await connect();
    client.send({ type: "message", id: "pipe-00010", text: "I'd like to talk to a person", intent: "human" });
    const conversationId = String((await client.next((frame) => frame.type === "receipt")).conversationId);
    expect(await client.seen((frame) => frame.type === "state", 15_000)).toMatchObject({ state: "awaiting_human" });
    await expect.poll(async () => (await server.running.store.getConversation(conversationId))?.state).toBe("awaiting_human");

    const claim = await server.running.handoff.claim(conversationId, agent);
    expect(claim.kind).toBe("claimed");
    expect(await client.seen((frame) => frame.type === "state" && frame.state === "human")).toBeTruthy();
    await client.seen(isMessage(/Dana from our team has joined/), 15_000);

    await server.running.handoff.replyAsAgent(conversationId, agent, "Hi, I can help with that.");
    const agentReply = await client.seen(isMessage("Hi, I can help with that."), 15_000);
    expect(agentReply.message).toMatchObject({ author: "agent", authorName: "Dana" });
    expect(JSON.stringify(client.frames)).not.toContain("Whitfield");
    expect(JSON.stringify(client.frames)).not.toContain("slack:U42");

    await server.running.handoff.resolve(conversationId, agent);
    expect(await client.seen((frame) => frame.type === "state" && frame.state === "resolved")).toBeTruthy();
    const survey = await client.seen((frame) => frame.type === "message" && Array.isArray(frame.message.actions), 15_000);
    expect((survey.message.actions as Frame[]).map((action): unknown => action.value)).toEqual(["1", "2", "3", "4", "5"]);

    client.send({ type: "action", id: "pipe-00011", forSeq: survey.message.seq, value: "4" });
    expect(await client.next((frame) => frame.type === "receipt")).toMatchObject({ id: "pipe-00011", duplicate: false });
    await expect.poll(async () => (await server.running.store.getConversation(conversationId))?.csat, { timeout: 15_000 }).toBe(4);
    await client.seen(isMessage("Thank you for the feedback!"), 15_000);

    // Writing again on the resolved conversation re-opens it, and the widget hears so.
    const statesBefore = client.frames.filter((frame) => frame.type === "state").length;
    client.send({ type: "message", id: "pipe-00012", text: "one more question" });
    await client.seen(isMessage("Echo: one more question"), 15_000);
    const later = client.frames.filter((frame) => frame.type === "state").slice(statesBefore);
    expect(later.at(-1)).toMatchObject({ state: "ai" });
  });
});
