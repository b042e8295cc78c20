/**
 * The pipeline end to end on real Redis and PostgreSQL: intake -> turn worker -> brain -> commit ->
 * send worker -> channel, escalation to the desk, agents' actions, and the AI never talking over a human.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import type { RunningSwitchboard } from "../../src/main.js";
import type { TurnContext } from "../../src/ports/agent-engine.js";
import { eventually } from "../support/eventually.js";
import { RecordingChannel } from "../support/recording-channel.js";
import { RecordingDesk } from "../support/recording-desk.js";
import { createHarness, customerMessage, type Harness } from "../support/switchboard-harness.js";
import { createTestBrain } from "../support/test-brain.js";

const agent = { id: "slack:U1", displayName: "Alex Morgan" };
let harness: Harness;
let switchboard: RunningSwitchboard;
const channel = new RecordingChannel("test");
const desk = new RecordingDesk();
const seen: TurnContext[] = [];

beforeAll(async () => {
  harness = await createHarness();
  switchboard = await harness.start({ brain: createTestBrain({ seen }), desk: { desk }, channels: [channel] });
});
afterAll(async () => harness.stopAll());

let counter = 0;
const newAddress = () => `customer-${++counter}-${Date.now()}`;

async function say(address: string, text: string, meta: Record<string, unknown> = {}) {
  return switchboard.intake.accept(customerMessage("test", address, text, { meta }));
}

describe("pipeline", () => {
  it("answers through the brain and delivers through the channel, recording the decision", async () => {
    const address = newAddress();
    const accepted = await say(address, "hello there");
    await eventually(() => channel.textsFor(accepted.conversationId), (texts) => texts.includes("Echo: hello there"));
    const messages = await eventually(() => switchboard.store.listMessages(accepted.conversationId), (found) => found[1]?.status === "sent");
    expect(messages.map((message) => [message.seq, message.author, message.status])).toEqual([
      [1, "customer", "received"],
      [2, "ai", "sent"],
    ]);
    expect(messages[0]?.decision).toMatchObject({ route: "ai", engine: "test-echo", category: "echo" });
    expect(messages[1]?.channelMessageId).toBe(`test-${messages[1]?.id}`);
  });

  it("stores a replayed message once and answers it once", async () => {
    const address = newAddress();
    const message = customerMessage("test", address, "only once");
    const first = await switchboard.intake.accept(message);
    const again = await switchboard.intake.accept(message);
    expect(again).toMatchObject({ duplicate: true, messageId: first.messageId });
    await eventually(() => channel.textsFor(first.conversationId), (texts) => texts.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(channel.textsFor(first.conversationId)).toEqual(["Echo: only once"]);
  });

  it("escalates to the desk, tells the customer, and then stays silent while a person owns it", async () => {
    const address = newAddress();
    const { conversationId } = await say(address, "I want a human");
    await eventually(() => desk.escalations.filter((request) => request.conversation.id === conversationId), (found) => found.length === 1);
    const conversation = await eventually(() => switchboard.store.getConversation(conversationId), (found) => found?.escalation?.deskRef !== undefined);
    expect(conversation).toMatchObject({ state: "awaiting_human", escalation: { reasonCodes: ["human_requested"], deskRef: expect.stringMatching(/^recording\//) } });
    await eventually(() => channel.textsFor(conversationId), (texts) => texts.length === 1);
    expect(channel.textsFor(conversationId)[0]).toMatch(/member of our team/);

    await say(address, "hello? anyone?");
    await eventually(() => desk.mirrored.filter((message) => message.conversationId === conversationId), (found) => found.length === 1);
    // Asking again while waiting gets a reassurance, not an AI answer.
    await say(address, "Talk to a human", { intent: "human" });
    await eventually(() => channel.textsFor(conversationId), (texts) => texts.length === 2);
    expect(channel.textsFor(conversationId)[1]).toMatch(/in the queue/);
    expect(channel.textsFor(conversationId).some((text) => text.startsWith("Echo:"))).toBe(false);
  });

  it("tells a customer who writes in Spanish about the handoff in Spanish only", async () => {
    const address = newAddress();
    const { conversationId } = await say(address, "Quiero hablar con alguien de la empresa, por favor", { intent: "human" });
    const [notice] = await eventually(() => channel.textsFor(conversationId), (texts) => texts.length === 1);
    expect(notice).toBe("Le paso con una persona de nuestro equipo. Una persona le responderá aquí lo antes posible.");
    // A routing rule's English note gives way to the Spanish lead.
    const second = await say(newAddress(), "Quiero hablar con un agente");
    const [translated] = await eventually(() => channel.textsFor(second.conversationId), (texts) => texts.length === 1);
    expect(translated).toBe("Le paso con una persona de nuestro equipo. Una persona le responderá aquí lo antes posible.");
  });

  it("lets an agent claim, reply with their first name, resolve, and collects the CSAT score", async () => {
    const address = newAddress();
    const { conversationId } = await say(address, "agent please");
    await eventually(() => switchboard.store.getConversation(conversationId), (found) => found?.state === "awaiting_human");

    const claim = await switchboard.handoff.claim(conversationId, agent);
    expect(claim.kind).toBe("claimed");
    const second = await switchboard.handoff.claim(conversationId, { id: "slack:U2", displayName: "Sam" });
    expect(second).toEqual({ kind: "already_claimed", by: "slack:U1" });

    await switchboard.handoff.replyAsAgent(conversationId, agent, "Hi, I can help with that.");
    await eventually(
      () => channel.delivered.filter((item) => item.conversationId === conversationId && item.author === "agent"),
      (found) => found.length === 1,
    );
    expect(channel.delivered.find((item) => item.conversationId === conversationId && item.author === "agent")).toMatchObject({ authorName: "Alex", text: "Hi, I can help with that." });
    await expect(switchboard.handoff.replyAsAgent(conversationId, { id: "slack:U2", displayName: "Sam" }, "me too")).rejects.toThrow(/claimed by/);

    await switchboard.handoff.resolve(conversationId, agent);
    const survey = await eventually(
      () => channel.delivered.find((item) => item.conversationId === conversationId && Array.isArray(item.meta.actions)),
      (found) => found !== undefined,
    );
    expect((survey!.meta.actions as unknown[]).length).toBe(5);

    await say(address, "4");
    const scored = await eventually(() => switchboard.store.getConversation(conversationId), (found) => found?.csat === 4);
    expect(scored?.state).toBe("resolved");
    await eventually(() => desk.notes.filter((note) => note.conversationId === conversationId), (notes) => notes.some((note) => note.text.includes("4/5")));
  });

  it("hands back to the AI, which then answers again", async () => {
    const address = newAddress();
    const { conversationId } = await say(address, "human please");
    await eventually(() => switchboard.store.getConversation(conversationId), (found) => found?.state === "awaiting_human");
    await switchboard.handoff.claim(conversationId, agent);
    await switchboard.handoff.handBack(conversationId, agent);
    await say(address, "what are your hours");
    await eventually(() => channel.textsFor(conversationId), (texts) => texts.includes("Echo: what are your hours"));
    expect(channel.textsFor(conversationId).some((text) => text.includes("back with"))).toBe(true);
  });

  it("keeps seq order for a burst on one conversation", async () => {
    const address = newAddress();
    const texts = Array.from({ length: 15 }, (_, index) => `burst ${index + 1}`);
    let conversationId = "";
    for (const text of texts) conversationId = (await say(address, text)).conversationId;
    await eventually(() => channel.textsFor(conversationId), (delivered) => delivered.length === texts.length, 30_000);
    expect(channel.textsFor(conversationId)).toEqual(texts.map((text) => `Echo: ${text}`));
    const order = seen.filter((turn) => turn.conversation.id === conversationId).map((turn) => turn.message.seq);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });
});

describe("outside business hours", () => {
  it("keeps answering what the AI may while an escalation waits, and stops once a person claims", async () => {
    const afterHoursChannel = new RecordingChannel("after-hours");
    const afterHoursDesk = new RecordingDesk();
    // Its own harness: a second set of workers on the same queues would take the other tests' jobs.
    const ownHarness = await createHarness();
    onTestFinished(() => ownHarness.stopAll());
    const instance = await ownHarness.start({
      brain: createTestBrain(),
      channels: [afterHoursChannel],
      desk: { desk: afterHoursDesk, availability: { handoffNotice: () => "Our team is back at 9:00 on Monday.", aiAssistsWhileWaiting: () => true } },
    });
    const accept = (text: string, meta: Record<string, unknown> = {}) =>
      instance.intake.accept(customerMessage("after-hours", "night-owl", text, { meta }));
    const { conversationId } = await accept("I want a human");
    await eventually(() => afterHoursChannel.textsFor(conversationId), (texts) => texts.length === 1);
    expect(afterHoursChannel.textsFor(conversationId)[0]).toBe("I'm passing this to a member of our team. Our team is back at 9:00 on Monday.");

    await accept("what are your fees");
    await eventually(() => afterHoursChannel.textsFor(conversationId), (texts) => texts.includes("Echo: what are your fees"));
    const answered = afterHoursChannel.delivered.find((item) => item.text === "Echo: what are your fees");
    expect(answered?.meta.whileWaiting).toBe(true);
    expect((await instance.store.getConversation(conversationId))?.state).toBe("awaiting_human");
    await eventually(() => afterHoursDesk.mirrored.filter((message) => message.conversationId === conversationId), (found) => found.length === 1);

    await instance.handoff.claim(conversationId, agent);
    await accept("still there?");
    await eventually(() => afterHoursDesk.mirrored.filter((message) => message.conversationId === conversationId), (found) => found.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(afterHoursChannel.textsFor(conversationId)).not.toContain("Echo: still there?");
  });
});

describe("held messages", () => {
  it("sends what a channel held back once the customer writes again", async () => {
    const address = newAddress();
    const { conversationId } = await say(address, "human please");
    await eventually(() => switchboard.store.getConversation(conversationId), (found) => found?.state === "awaiting_human");
    await switchboard.handoff.claim(conversationId, agent);
    channel.holding = true;
    const reply = await switchboard.handoff.replyAsAgent(conversationId, agent, "Here is what I found.");
    await eventually(() => switchboard.store.getMessage(reply.id), (found) => found?.status === "held");
    await eventually(() => desk.problems.filter((problem) => problem.messageId === reply.id), (found) => found.length === 1);
    channel.holding = false;

    await say(address, "hello again");
    await eventually(() => channel.textsFor(conversationId), (texts) => texts.includes("Here is what I found."));
    const sent = await eventually(() => switchboard.store.getMessage(reply.id), (found) => found?.status === "sent");
    expect(sent?.meta.releasedBy).toBeDefined();
  });
});

describe("delivery failures", () => {
  it("retries transient failures and records permanent ones for the agents", async () => {
    const address = newAddress();
    channel.transientFailures = 2;
    const { conversationId } = await say(address, "retry me");
    await eventually(() => channel.textsFor(conversationId), (texts) => texts.includes("Echo: retry me"), 30_000);

    channel.permanentFailure = "21610";
    const second = await say(address, "this one fails");
    await eventually(() => desk.problems.filter((problem) => problem.conversationId === second.conversationId), (found) => found.length === 1, 30_000);
    channel.permanentFailure = undefined;
    const failed = (await switchboard.store.listMessages(conversationId)).find((message) => message.text === "Echo: this one fails");
    expect(failed).toMatchObject({ status: "failed", error: { code: "21610", permanent: true } });
  });
});
