/**
 * Outbound through botbuilder's real CloudAdapter (anonymous mode) to the fake Bot Connector on
 * loopback: the proactive reply lands in the stored conversation, quick replies become suggested
 * actions, agents are named, and each connector failure maps to a transient or permanent
 * `DeliveryFailedError` after exactly one request (botbuilder's own retries are off: the queue retries).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Activity } from "botbuilder";
import { createBotFrameworkAdapter, parseActivity, type BotFrameworkChannelAdapter } from "../../channels/botframework/index.js";
import type { Conversation, Message } from "../../src/domain/model.js";
import { DeliveryFailedError } from "../../src/errors.js";
import { CSAT_ACTIONS } from "../../src/pipeline/handoff.js";
import { startFakeBotConnector, type FakeBotConnector } from "../fakes/bot-connector.js";
import { memoryChannelContext, type MemoryChannelContext } from "../fakes/memory-channel-context.js";
import { messageActivity, TEST_BOT } from "../support/bot-activities.js";

let connector: FakeBotConnector;
let context: MemoryChannelContext;
let channel: BotFrameworkChannelAdapter;
let conversationCounter = 0;

async function customerWrote(options: { serviceUrl?: string; userId?: string } = {}): Promise<{ conversation: Conversation; conversationId: string; activityId: string }> {
  conversationCounter += 1;
  const conversationId = `conv-send-${conversationCounter}`;
  const activity = messageActivity({ serviceUrl: options.serviceUrl ?? connector.url, conversationId, userId: options.userId ?? "user-1", text: "hi" });
  // The channel's own parser makes the stored message, reference included, as the endpoint would.
  const parsed = parseActivity(activity as unknown as Activity, { channelId: "teams", receivedAt: new Date() });
  if (parsed.kind !== "message") throw new Error("the test activity should be a message");
  const { conversationId: id } = await context.intake.accept(parsed.inbound);
  return { conversation: (await context.memory.getConversation(id))!, conversationId, activityId: String(activity.id) };
}

async function reply(conversation: Conversation, text: string, extra: Partial<Parameters<MemoryChannelContext["memory"]["appendOutbound"]>[0]> = {}): Promise<Message> {
  return context.memory.appendOutbound({ conversationId: conversation.id, author: "ai", text, ...extra });
}

const send = async (conversation: Conversation, message: Message) => channel.send({ message, conversation: (await context.memory.getConversation(conversation.id))! });

async function sendFailure(conversation: Conversation, message: Message): Promise<DeliveryFailedError> {
  const error = await send(conversation, message).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DeliveryFailedError);
  return error as DeliveryFailedError;
}

beforeAll(async () => {
  connector = await startFakeBotConnector();
});
afterAll(async () => {
  await connector.close();
});
beforeEach(async () => {
  context = memoryChannelContext();
  channel = createBotFrameworkAdapter({ id: "teams", kind: "botframework", sendTimeoutMs: 1_000 }, { env: {} });
  await channel.start(context);
});

describe("Bot Framework sends", () => {
  it("continues the stored conversation and posts the reply as the bot, to the customer", async () => {
    const { conversation, conversationId } = await customerWrote();
    const message = await reply(conversation, "Pay in 4 splits your purchase into four payments.");
    const receipt = await send(conversation, message);

    const [sent] = connector.sentTo(conversationId);
    expect(sent).toBeDefined();
    expect(receipt).toEqual({ status: "sent", channelMessageId: sent!.id, meta: { botChannel: "emulator" } });
    expect(sent!.activity).toMatchObject({
      type: "message",
      text: "Pay in 4 splits your purchase into four payments.",
      textFormat: "plain",
      channelId: "emulator",
      conversation: { id: conversationId },
      from: { id: TEST_BOT.id },
      recipient: { id: "user-1" },
    });
    // botbuilder's proactive turn replies to its continuation activity; anonymous mode sends no token.
    expect(sent!.replyToId).toBe(sent!.activity.replyToId);
    expect(sent!.authorization).toBeUndefined();
  });

  it("offers quick replies (the CSAT survey) as suggested actions that post their value back", async () => {
    const { conversation, conversationId } = await customerWrote({ userId: "user-csat" });
    const message = await reply(conversation, "How did we do? Reply 1-5.", { author: "system", meta: { actions: CSAT_ACTIONS } });
    await send(conversation, message);
    expect(connector.sentTo(conversationId)[0]!.activity.suggestedActions).toEqual({
      to: ["user-csat"],
      actions: ["1", "2", "3", "4", "5"].map((value) => ({ type: "imBack", title: value, value })),
    });
  });

  it("names the agent, attaches files by URL, and refuses internal notes and empty messages", async () => {
    const { conversation, conversationId } = await customerWrote();
    await send(conversation, await reply(conversation, "I have refunded the fee.", { author: "agent", authorName: "Maya", authorRef: "slack:U1" }));
    await send(conversation, await reply(conversation, "Your statement", { attachments: [{ url: "https://files.example.com/s.pdf", contentType: "application/pdf", name: "s.pdf" }] }));
    const [agent, file] = connector.sentTo(conversationId);
    expect(agent!.activity.text).toBe("Maya: I have refunded the fee.");
    expect(file!.activity.attachments).toEqual([{ contentType: "application/pdf", contentUrl: "https://files.example.com/s.pdf", name: "s.pdf" }]);

    expect((await sendFailure(conversation, await reply(conversation, "note", { author: "system", meta: { internal: true } }))).providerCode).toBe("internal_message");
    expect((await sendFailure(conversation, await reply(conversation, "   "))).providerCode).toBe("empty_message");
    expect(connector.sentTo(conversationId)).toHaveLength(2);
  });

  it("uses the newest reference the customer gave (the service URL can move)", async () => {
    const { conversation, conversationId } = await customerWrote({ serviceUrl: "http://127.0.0.1:1/" });
    await context.memory.recordInbound({
      channelId: "teams", channelMessageId: "newer", customerAddress: conversation.customerAddress, text: "again", attachments: [], receivedAt: new Date(),
      meta: { botframework: { channel: "emulator", reference: { serviceUrl: connector.url, channelId: "emulator", conversation: { id: conversationId }, bot: { id: TEST_BOT.id }, user: { id: "user-1" } } } },
    });
    await send(conversation, await reply(conversation, "found you"));
    expect(connector.sentTo(conversationId).map((sent) => sent.activity.text)).toEqual(["found you"]);
  });

  it("maps throttling and server errors to retries with Retry-After, after one request each", async () => {
    const { conversation, conversationId } = await customerWrote();
    const message = await reply(conversation, "retry me");
    const before = connector.requests.length;

    connector.failConversation(conversationId, { status: 429, retryAfterSeconds: 7 });
    const throttled = await sendFailure(conversation, message);
    expect(throttled).toMatchObject({ permanent: false, providerCode: "Throttled", retryAfterMs: 7_000 });

    connector.failConversation(conversationId, { status: 503, retryAfterSeconds: 2 }, { status: 500 });
    expect(await sendFailure(conversation, message)).toMatchObject({ permanent: false, providerCode: "ServiceError", retryAfterMs: 2_000 });
    expect(await sendFailure(conversation, message)).toMatchObject({ permanent: false, retryAfterMs: undefined });
    expect(connector.requests.length - before).toBe(3);

    await send(conversation, message);
    expect(connector.sentTo(conversationId).map((sent) => sent.activity.text)).toEqual(["retry me"]);
  });

  it("gives up on refusals an agent must know about", async () => {
    const { conversation, conversationId } = await customerWrote();
    const message = await reply(conversation, "are you there?");
    for (const [status, code, text] of [
      [403, "BotNotInConversationRoster", /no longer in this conversation/],
      [404, "ConversationNotFound", /no longer knows this conversation/],
      [401, "Unauthorized", /credentials/],
      [400, "BadArgument", /refused the message \(HTTP 400, BadArgument\)/],
    ] as const) {
      connector.failConversation(conversationId, { status, code });
      const failure = await sendFailure(conversation, message);
      expect(failure.permanent, String(status)).toBe(true);
      expect(failure.providerCode).toBe(code);
      expect(failure.message).toMatch(text);
    }
    expect(connector.sentTo(conversationId)).toHaveLength(0);
  });

  it("retries when the connector cannot be reached or does not answer in time", async () => {
    const unreachable = await customerWrote({ serviceUrl: "http://127.0.0.1:1/" });
    expect(await sendFailure(unreachable.conversation, await reply(unreachable.conversation, "hello?"))).toMatchObject({ permanent: false, providerCode: "network" });

    const { conversation, conversationId } = await customerWrote();
    connector.failConversation(conversationId, { status: 0, hang: true });
    expect(await sendFailure(conversation, await reply(conversation, "slow"))).toMatchObject({ permanent: false, providerCode: "timeout" });
  });

  it("refuses conversations it cannot reach: no stored reference, a service URL outside the allow-list", async () => {
    const { conversation: bare } = await context.memory.recordInbound({
      channelId: "teams", channelMessageId: "no-ref", customerAddress: "emulator|x|y", text: "hi", attachments: [], receivedAt: new Date(), meta: {},
    });
    expect((await sendFailure(bare, await reply(bare, "hi"))).providerCode).toBe("no_conversation_reference");

    const guarded = createBotFrameworkAdapter({ id: "teams", kind: "botframework", allowedServiceUrls: ["https://smba.trafficmanager.net/"] }, { env: {} });
    await guarded.start(context);
    const { conversation } = await customerWrote();
    const refused = await guarded.send({ message: await reply(conversation, "hi"), conversation }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ permanent: true, providerCode: "service_url_not_allowed" });
  });

  it("paces each conversation on its own bucket", () => {
    const limit = channel.sendRateLimit({ message: {} as Message, conversation: { id: "c-1" } as Conversation });
    expect(limit).toEqual({ key: "botframework:teams:c-1", perSecond: 2, burst: 7 });
  });
});
