/**
 * The Slack desk end to end on real Redis and PostgreSQL, through the real pipeline and the core's
 * Handoff: Slack is the fake Web API on loopback, driven by the official WebClient inside Bolt, and
 * every event and click is signed exactly as Slack signs them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACTION_IDS } from "../../escalation/slack/index.js";
import { SLA_TASKS } from "../../escalation/sla.js";
import { DeliveryFailedError } from "../../src/errors.js";
import { eventually } from "../support/eventually.js";
import { RecordingChannel } from "../support/recording-channel.js";
import { AGENTS, DESK_CHANNEL, DISPUTES_CHANNEL, SIGNING_SECRET, startSlackDeskWorld, type SlackDeskWorld } from "../support/slack-desk-harness.js";
import { customerMessage } from "../support/switchboard-harness.js";
import { createTestBrain } from "../support/test-brain.js";
import { blockActionRequest, eventRequest, signSlack } from "../fakes/slack-requests.js";
import type { FakeSlackMessage } from "../fakes/slack-api.js";

const CARD = "4111 1111 1111 1111";
let world: SlackDeskWorld;
const channel = new RecordingChannel("test", "webchat");

beforeAll(async () => {
  world = await startSlackDeskWorld({ brain: createTestBrain(), channels: [channel], channelKinds: new Map([["test", "webchat"]]) });
});
afterAll(async () => world?.close());

let counter = 0;
const newAddress = () => `visitor-${++counter}-${Date.now()}`;

async function say(address: string, text: string, meta: Record<string, unknown> = {}) {
  return world.switchboard.intake.accept(customerMessage("test", address, text, { meta }));
}

/** A customer who asked for a person, and the escalation post that appeared in Slack. */
async function escalated(text = "I want a human please", options: { channel?: string } = {}) {
  const address = newAddress();
  const { conversationId } = await say(address, text);
  const conversation = await eventually(() => world.switchboard.store.getConversation(conversationId), (found) => Boolean(found?.escalation?.deskRef), 15_000, "the desk reference");
  const [postChannel, ts] = conversation!.escalation!.deskRef!.split("/") as [string, string];
  expect(postChannel).toBe(options.channel ?? DESK_CHANNEL);
  const post = world.fake.find(postChannel, ts)!;
  return { address, conversationId, post };
}

const postText = (post: FakeSlackMessage) => JSON.stringify(world.fake.find(post.channel, post.ts)!.blocks);
const ephemeralsFor = (user: string) => world.fake.ephemerals.filter((item) => item.user === user).map((item) => item.text);
const deliveredTo = (conversationId: string) => channel.delivered.filter((item) => item.conversationId === conversationId);

async function claimed(options: { text?: string } = {}) {
  const escalation = await escalated(options.text);
  const response = await world.click(AGENTS.sam.id, escalation.post, ACTION_IDS.claim, escalation.conversationId);
  expect(response.status).toBe(200);
  await eventually(() => world.switchboard.store.getConversation(escalation.conversationId), (found) => found?.state === "human");
  return escalation;
}

describe("start-up", () => {
  it("answers 503 while Slack's auth.test fails, and initialises on the next request", async () => {
    world.fake.failWith("auth.test", "service_unavailable");
    const event = eventRequest(SIGNING_SECRET, world.fake, { type: "reaction_added", user: AGENTS.sam.id, reaction: "eyes", item: { type: "message", channel: DESK_CHANNEL, ts: "1.2" } });
    expect((await world.send(event)).status).toBe(503);
    const retry = eventRequest(SIGNING_SECRET, world.fake, { type: "reaction_added", user: AGENTS.sam.id, reaction: "eyes", item: { type: "message", channel: DESK_CHANNEL, ts: "1.2" } }, { eventId: event.eventId, retryNum: 1 });
    expect((await world.send(retry)).status).toBe(200);
    expect(world.fake.callsOf("auth.test").map((call) => call.answer.ok)).toEqual([false, true]);
  });
});

describe("escalation post", () => {
  it("posts the customer, channel, reasons in words, priority, summary, latest messages and buttons; tells the customer", async () => {
    const { conversationId, post } = await escalated(`I want a human, my card ${CARD} was charged twice`);
    const text = postText(post);
    expect(text).toContain("Customer asked for a person");
    expect(text).toContain("Web chat (test)");
    expect(text).toContain("Normal");
    expect(text).toContain("charged twice");
    expect(text).toContain("[card ending 1111]");
    expect(text).toContain(ACTION_IDS.claim);
    expect(text).toContain(conversationId);
    // Slack never saw the card number, in any call.
    expect(world.fake.everythingSeen()).not.toContain(CARD);
    expect(world.fake.everythingSeen()).not.toContain("4111111111111111");
    await eventually(() => deliveredTo(conversationId).map((item) => item.text), (texts) => texts.some((text) => /A person will reply here, usually within 15 minutes/.test(text)));
    // The official client authenticated with the bot token.
    expect(world.fake.callsOf("chat.postMessage").every((call) => call.authorization === `Bearer ${world.fake.botToken}`)).toBe(true);
  });

  it("routes a category to its own channel and puts a long transcript in the thread, split within limits", async () => {
    const address = newAddress();
    for (let index = 0; index < 5; index += 1) {
      await say(address, `message ${index}: ${"lorem ipsum ".repeat(400)}`);
    }
    await eventually(() => channel.delivered.some((item) => item.text.startsWith("Echo: message 4")), Boolean);
    const { conversationId } = await say(address, "agent please");
    await world.switchboard.store.updateConversation(conversationId, { category: "disputes" });
    // The category was set after this escalation: the next one (after a hand back) goes to the disputes channel.
    const first = await eventually(() => world.switchboard.store.getConversation(conversationId), (found) => Boolean(found?.escalation?.deskRef));
    const [postChannel, ts] = first!.escalation!.deskRef!.split("/") as [string, string];
    await world.click(AGENTS.sam.id, { channel: postChannel, ts }, ACTION_IDS.handBack, conversationId);
    await eventually(() => world.switchboard.store.getConversation(conversationId), (found) => found?.state === "ai");
    await say(address, "human again please");
    const second = await eventually(() => world.switchboard.store.getConversation(conversationId), (found) => found?.escalation?.deskRef?.startsWith(`${DISPUTES_CHANNEL}/`) === true);
    const secondTs = second!.escalation!.deskRef!.split("/")[1]!;
    const transcript = await eventually(() => world.fake.thread(DISPUTES_CHANNEL, secondTs), (replies) => replies.some((reply) => reply.text.startsWith("Transcript")));
    const parts = transcript.filter((reply) => reply.text.startsWith("Transcript"));
    expect(parts.length).toBeGreaterThanOrEqual(1);
    for (const part of parts) expect(part.blocks.length).toBeLessThanOrEqual(50);
    expect(JSON.stringify(parts)).toContain("message 4");
  });
});

describe("claim", () => {
  it("gives the conversation to the first agent, updates the post, tells the customer; a second click gets an ephemeral", async () => {
    const { conversationId, post } = await escalated();
    const response = await world.click(AGENTS.sam.id, post, ACTION_IDS.claim, conversationId);
    expect(response.status).toBe(200);
    const conversation = await eventually(() => world.switchboard.store.getConversation(conversationId), (found) => found?.state === "human");
    expect(conversation?.assignee).toBe(`slack:${AGENTS.sam.id}`);
    await eventually(() => postText(post), (text) => text.includes(`Claimed by <@${AGENTS.sam.id}>`));
    expect(postText(post)).toMatch(/after (under a minute|\d+ min)/);
    await eventually(() => deliveredTo(conversationId).map((item) => item.text), (texts) => texts.includes("Sam from our team has joined the conversation."));

    await world.click(AGENTS.alex.id, post, ACTION_IDS.claim, conversationId);
    await eventually(() => ephemeralsFor(AGENTS.alex.id), (texts) => texts.includes(`Already claimed by <@${AGENTS.sam.id}>.`));
    await world.click(AGENTS.sam.id, post, ACTION_IDS.claim, conversationId);
    await eventually(() => ephemeralsFor(AGENTS.sam.id), (texts) => texts.some((text) => text.startsWith("You have already claimed")));
    expect((await world.switchboard.store.getConversation(conversationId))?.assignee).toBe(`slack:${AGENTS.sam.id}`);
  });

  it("lets exactly one of two simultaneous claims win", async () => {
    const { conversationId, post } = await escalated();
    await Promise.all([
      world.click(AGENTS.sam.id, post, ACTION_IDS.claim, conversationId),
      world.click(AGENTS.alex.id, post, ACTION_IDS.claim, conversationId),
    ]);
    const conversation = await eventually(() => world.switchboard.store.getConversation(conversationId), (found) => found?.state === "human");
    const loser = conversation?.assignee === `slack:${AGENTS.sam.id}` ? AGENTS.alex.id : AGENTS.sam.id;
    await eventually(() => ephemeralsFor(loser), (texts) => texts.some((text) => text.startsWith("Already claimed by")));
    const joined = () => deliveredTo(conversationId).filter((item) => item.text.endsWith("has joined the conversation."));
    await eventually(joined, (found) => found.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(joined()).toHaveLength(1);
  });

  it("keeps the post true to the final state when a claim and a hand back race", async () => {
    const { conversationId, post } = await escalated();
    await Promise.all([
      world.click(AGENTS.sam.id, post, ACTION_IDS.claim, conversationId),
      world.click(AGENTS.alex.id, post, ACTION_IDS.handBack, conversationId),
    ]);
    // Let both tasks finish, whichever order they ran in.
    await eventually(() => world.fake.ephemerals.length + world.fake.find(post.channel, post.ts)!.updates, (count) => count >= 2);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const final = await world.switchboard.store.getConversation(conversationId);
    const expected = final?.state === "ai" ? "Handed back to the AI by" : `Claimed by <@${AGENTS.sam.id}>`;
    await eventually(() => postText(post), (text) => text.includes(expected), 15_000, `the post to say "${expected}"`);
  });

  it("refuses people outside the desk channel (answered through the response URL)", async () => {
    const { conversationId, post } = await escalated();
    await world.click(AGENTS.outsider.id, post, ACTION_IDS.claim, conversationId);
    await eventually(() => world.fake.responses.map((item) => String(item.body.text)), (texts) => texts.some((text) => text.startsWith(`Only members of <#${DESK_CHANNEL}>`)));
    expect(world.fake.responses.at(-1)?.body).toMatchObject({ response_type: "ephemeral", replace_original: false });
    expect((await world.switchboard.store.getConversation(conversationId))?.state).toBe("awaiting_human");
  });
});

describe("thread replies", () => {
  it("sends the claimer's reply to the customer with their first name; keeps others' replies and notes internal", async () => {
    const { conversationId, post } = await claimed();
    const reply = await world.reply(post.channel, post.ts, AGENTS.sam.id, "Hi! I can see the double charge, <https://help.example.com/refunds|here is how refunds work>.");
    expect(reply.response.status).toBe(200);
    const sent = await eventually(() => deliveredTo(conversationId).filter((item) => item.author === "agent"), (items) => items.length === 1);
    expect(sent[0]).toMatchObject({ authorName: "Sam", text: "Hi! I can see the double charge, here is how refunds work (https://help.example.com/refunds)." });

    await world.reply(post.channel, post.ts, AGENTS.alex.id, "I think we should refund");
    await eventually(() => ephemeralsFor(AGENTS.alex.id), (texts) => texts.some((text) => text.startsWith(`Only <@${AGENTS.sam.id}>, who claimed this conversation`)));
    await world.reply(post.channel, post.ts, AGENTS.sam.id, "note: customer is a VIP");
    // Give the workers time to (wrongly) send anything, then check nothing else reached the customer.
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(deliveredTo(conversationId).filter((item) => item.author === "agent")).toHaveLength(1);
  });

  it("posts a failed delivery in the thread with the reason, mentioning the agent", async () => {
    const { conversationId, post } = await claimed();
    // The "has joined" notice goes out first; only then does the channel start refusing.
    await eventually(() => deliveredTo(conversationId).some((item) => item.text.endsWith("has joined the conversation.")), Boolean);
    channel.permanentFailure = "opted_out";
    try {
      await world.reply(post.channel, post.ts, AGENTS.sam.id, "Are you still there?");
      const problem = await eventually(
        () => world.fake.thread(post.channel, post.ts).find((reply) => reply.text.startsWith("Delivery problem") && JSON.stringify(reply.blocks).includes("Are you still there?")),
        Boolean,
        15_000,
        "the delivery problem in the thread",
      );
      const text = JSON.stringify(problem?.blocks);
      expect(text).toContain(`<@${AGENTS.sam.id}> :warning: This message did not reach the customer`);
      expect(text).toContain("opted_out");
      expect(text).toContain("Are you still there?");
      const failed = (await world.switchboard.store.listMessages(conversationId)).find((item) => item.text === "Are you still there?");
      expect(failed).toMatchObject({ status: "failed", error: { code: "opted_out", permanent: true } });
    } finally {
      channel.permanentFailure = undefined;
    }
  });

  it("mirrors the customer's messages into the thread while the AI stays silent", async () => {
    const { address, conversationId, post } = await claimed();
    await say(address, `is anyone there? my card is ${CARD}`);
    const mirrored = await eventually(() => world.fake.thread(post.channel, post.ts), (replies) => replies.some((reply) => JSON.stringify(reply.blocks).includes("is anyone there?")));
    expect(JSON.stringify(mirrored)).toContain("[card ending 1111]");
    expect(world.fake.everythingSeen()).not.toContain(CARD);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(deliveredTo(conversationId).some((item) => item.author === "ai")).toBe(false);
  });

  it("claims an unclaimed escalation by replying, and ignores bots and its own messages", async () => {
    const { conversationId, post } = await escalated();
    await world.reply(post.channel, post.ts, AGENTS.alex.id, "Hello, Alex here");
    const conversation = await eventually(() => world.switchboard.store.getConversation(conversationId), (found) => found?.state === "human");
    expect(conversation?.assignee).toBe(`slack:${AGENTS.alex.id}`);
    await eventually(() => postText(post), (text) => text.includes(`Claimed by <@${AGENTS.alex.id}> (by replying)`));
    await eventually(() => deliveredTo(conversationId).filter((item) => item.author === "agent").map((item) => item.authorName), (names) => names.includes("Alex"));

    const bot = eventRequest(SIGNING_SECRET, world.fake, { type: "message", subtype: "bot_message", bot_id: "B0OTHER", channel: post.channel, text: "beep", ts: "1700000001.000001", thread_ts: post.ts });
    const self = eventRequest(SIGNING_SECRET, world.fake, { type: "message", user: world.fake.botUserId, channel: post.channel, text: "my own words", ts: "1700000001.000002", thread_ts: post.ts });
    expect((await world.send(bot)).status).toBe(200);
    expect((await world.send(self)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(deliveredTo(conversationId).filter((item) => item.author === "agent").map((item) => item.text)).toEqual(["Hello, Alex here"]);
  });

  it("processes a replayed event (same event_id, Slack retry) once", async () => {
    const { conversationId, post } = await claimed();
    const { ts, event } = world.fake.userReply(post.channel, post.ts, AGENTS.sam.id, "Only once, please");
    const first = eventRequest(SIGNING_SECRET, world.fake, event);
    const retry = eventRequest(SIGNING_SECRET, world.fake, event, { eventId: first.eventId, retryNum: 1 });
    expect((await world.send(first)).status).toBe(200);
    expect((await world.send(retry)).status).toBe(200);
    expect((await world.send(first)).status).toBe(200);
    // A different event id for the same Slack message (Slack never does this, but a replay might): still once.
    expect((await world.send(eventRequest(SIGNING_SECRET, world.fake, event))).status).toBe(200);
    await eventually(() => deliveredTo(conversationId).filter((item) => item.author === "agent"), (items) => items.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(deliveredTo(conversationId).filter((item) => item.text === "Only once, please")).toHaveLength(1);
    expect(ts).toMatch(/^\d+\.\d+$/);
  });
});

describe("resolve and hand back", () => {
  it("resolves: the customer gets the CSAT buttons, the post says so, and the score lands in the thread", async () => {
    const { address, conversationId, post } = await claimed();
    await world.click(AGENTS.alex.id, post, ACTION_IDS.resolve, conversationId);
    await eventually(() => ephemeralsFor(AGENTS.alex.id), (texts) => texts.includes(`Claimed by <@${AGENTS.sam.id}>: only they can resolve it or hand it back.`));
    await world.click(AGENTS.sam.id, post, ACTION_IDS.resolve, conversationId);
    await eventually(() => world.switchboard.store.getConversation(conversationId), (found) => found?.state === "resolved");
    const survey = await eventually(() => deliveredTo(conversationId).find((item) => /How did we do/.test(item.text)), Boolean);
    expect(survey?.meta.actions).toHaveLength(5);
    await eventually(() => postText(post), (text) => text.includes(`Resolved by <@${AGENTS.sam.id}>`));
    expect(postText(post)).not.toContain(ACTION_IDS.claim);

    await say(address, "4", { action: { kind: "csat", value: "4" } });
    await eventually(() => world.switchboard.store.getConversation(conversationId), (found) => found?.csat === 4);
    await eventually(() => world.fake.thread(post.channel, post.ts), (replies) => replies.some((reply) => reply.text.includes("Customer satisfaction: 4/5")));

    // A late click on the resolved conversation, and a reply in its thread: a clear answer, nothing sent.
    await world.click(AGENTS.sam.id, post, ACTION_IDS.claim, conversationId);
    await world.reply(post.channel, post.ts, AGENTS.sam.id, "one more thing");
    await eventually(() => ephemeralsFor(AGENTS.sam.id), (texts) => texts.some((text) => /resolved|no longer|closed/.test(text)));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(deliveredTo(conversationId).some((item) => item.text === "one more thing")).toBe(false);
  });

  it("hands back to the AI: the customer is told, the post updated, and the AI answers again", async () => {
    const { address, conversationId, post } = await claimed();
    await world.click(AGENTS.sam.id, post, ACTION_IDS.handBack, conversationId);
    await eventually(() => world.switchboard.store.getConversation(conversationId), (found) => found?.state === "ai");
    await eventually(() => deliveredTo(conversationId).map((item) => item.text), (texts) => texts.some((text) => text.startsWith("You're back with the Switchboard assistant")));
    await eventually(() => postText(post), (text) => text.includes(`Handed back to the AI by <@${AGENTS.sam.id}>`));
    await say(address, "what is my balance");
    await eventually(() => deliveredTo(conversationId).map((item) => item.text), (texts) => texts.includes("Echo: what is my balance"));
    // The old thread no longer reaches the customer.
    await world.reply(post.channel, post.ts, AGENTS.sam.id, "still there?");
    await eventually(() => ephemeralsFor(AGENTS.sam.id), (texts) => texts.some((text) => text.startsWith("This escalation is closed")));
    expect(deliveredTo(conversationId).some((item) => item.text === "still there?")).toBe(false);
  });
});

describe("SLA timer retries", () => {
  it("raises the priority once per level when a re-alert runs again (a retry after Slack said later)", async () => {
    const { conversationId, post } = await escalated();
    const conversation = (await world.switchboard.store.getConversation(conversationId))!;
    const task = {
      name: SLA_TASKS.unclaimed,
      payload: { conversationId, deskRef: `${post.channel}/${post.ts}`, escalatedAt: conversation.escalation!.at.toISOString(), level: 1, basePriority: "normal" },
    };
    // Run it as the queue would: a transient failure (the channel's rate limit) is retried after its delay.
    const runLikeTheQueue = async () => {
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await world.bundle.sla.run(task);
        } catch (error) {
          if (!(error instanceof DeliveryFailedError) || error.permanent || attempt >= 5) throw error;
          await new Promise((resolve) => setTimeout(resolve, error.retryAfterMs ?? 1_000));
        }
      }
    };
    await runLikeTheQueue();
    await runLikeTheQueue();
    expect((await world.switchboard.store.getConversation(conversationId))?.escalation?.priority).toBe("high");
    const levelOne = (await world.switchboard.store.listEvents(conversationId)).filter((event) => event.type === "sla_realert" && event.data.level === 1);
    expect(levelOne).toHaveLength(1);
    expect(postText(post)).toContain("re-alerted 1×");
    expect(postText(post)).toContain("High");
  });
});

describe("bad input", () => {
  it("refuses unsigned, wrongly signed and stale requests with 401 and does nothing", async () => {
    const { conversationId, post } = await escalated();
    const message = world.fake.find(post.channel, post.ts)!;
    const click = blockActionRequest(SIGNING_SECRET, world.fake, { user: AGENTS.sam.id, message, actionId: ACTION_IDS.claim, value: conversationId });
    const unsigned = await world.send({ body: click.body, headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(unsigned.status).toBe(401);
    const forged = blockActionRequest("not-the-secret", world.fake, { user: AGENTS.sam.id, message, actionId: ACTION_IDS.claim, value: conversationId });
    expect((await world.send(forged)).status).toBe(401);
    const stale = blockActionRequest(SIGNING_SECRET, world.fake, { user: AGENTS.sam.id, message, actionId: ACTION_IDS.claim, value: conversationId, at: new Date(Date.now() - 6 * 60_000) });
    expect((await world.send(stale)).status).toBe(401);
    const tampered = { ...click, body: click.body.replace(AGENTS.sam.id, AGENTS.alex.id) };
    expect((await world.send(tampered)).status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect((await world.switchboard.store.getConversation(conversationId))?.state).toBe("awaiting_human");
  });

  it("answers URL verification, malformed bodies and foreign events without crashing", async () => {
    const challengeBody = JSON.stringify({ type: "url_verification", challenge: "abc123", token: "x" });
    const challenge = await world.send({ body: challengeBody, headers: { "content-type": "application/json", ...signSlack(SIGNING_SECRET, challengeBody, Math.floor(Date.now() / 1000)) } });
    expect(await challenge.json()).toEqual({ challenge: "abc123" });
    const garbage = "{not json";
    const bad = await world.send({ body: garbage, headers: { "content-type": "application/json", ...signSlack(SIGNING_SECRET, garbage, Math.floor(Date.now() / 1000)) } });
    expect(bad.status).toBe(400);
    const reaction = eventRequest(SIGNING_SECRET, world.fake, { type: "reaction_added", user: AGENTS.sam.id, reaction: "eyes", item: { type: "message", channel: DESK_CHANNEL, ts: "1.2" } });
    expect((await world.send(reaction)).status).toBe(200);
    const elsewhere = eventRequest(SIGNING_SECRET, world.fake, { type: "message", user: AGENTS.sam.id, channel: "C0RANDOM", text: "hi", ts: "1700000002.000001", thread_ts: "1700000000.000001" });
    expect((await world.send(elsewhere)).status).toBe(200);
  });

  it("answers unknown actions, bad values, missing conversations and stale posts with a clear ephemeral", async () => {
    const { conversationId, post } = await escalated();
    await world.click(AGENTS.sam.id, post, "switchboard.explode", conversationId);
    await world.click(AGENTS.sam.id, post, ACTION_IDS.claim, "not-a-conversation");
    await world.click(AGENTS.sam.id, post, ACTION_IDS.claim, "7d6f1a52-8f0e-4a39-9a55-6f0e3c1b2a10");
    const other = await escalated();
    // The button of one post pointing at another conversation (a forged or mixed-up payload) does nothing.
    await world.click(AGENTS.sam.id, post, ACTION_IDS.claim, other.conversationId);
    await eventually(
      () => ephemeralsFor(AGENTS.sam.id),
      (texts) =>
        texts.some((text) => text.includes("switchboard.explode")) &&
        texts.includes("That button does not point at a conversation; nothing was done.") &&
        texts.includes("This conversation no longer exists; nothing was done.") &&
        texts.some((text) => text.startsWith("This post is out of date")),
    );
    expect((await world.switchboard.store.getConversation(other.conversationId))?.state).toBe("awaiting_human");
    expect((await world.switchboard.store.getConversation(conversationId))?.state).toBe("awaiting_human");
    // A button of another app in the same workspace: a silent 200.
    const foreign = blockActionRequest(SIGNING_SECRET, world.fake, { user: AGENTS.sam.id, message: world.fake.find(post.channel, post.ts)!, actionId: "other_app.approve", value: "x" });
    expect((await world.send(foreign)).status).toBe(200);
  });

  it("honours Slack's 429 Retry-After: the post is retried by the queue and appears once", async () => {
    world.fake.rateLimit("chat.postMessage", 1);
    const before = world.fake.callsOf("chat.postMessage").length;
    const { post } = await escalated();
    const calls = world.fake.callsOf("chat.postMessage").slice(before);
    expect(calls[0]?.status).toBe(429);
    expect(calls.some((call) => call.status === 200)).toBe(true);
    expect(world.fake.posts(DESK_CHANNEL).filter((item) => item.ts === post.ts)).toHaveLength(1);
  });
});
