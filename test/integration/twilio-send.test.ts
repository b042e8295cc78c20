/**
 * Outbound through the official `twilio` SDK to the fake Twilio API on loopback: splitting, segment
 * counts, pacing, error mapping, opt-outs, WhatsApp's window and templates, and media fetches.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { countSegments, createTwilioAdapter, type TwilioChannelAdapter } from "../../channels/twilio/index.js";
import type { Conversation, Message } from "../../src/domain/model.js";
import { DeliveryFailedError, PayloadTooLargeError, ValidationError } from "../../src/errors.js";
import { startFakeTwilioApi, twilioError, type FakeTwilioApi } from "../fakes/twilio-api.js";
import { memoryChannelContext, type MemoryChannelContext } from "../fakes/memory-channel-context.js";
import { sid } from "../support/twilio-signing.js";

const SMS_NUMBER = "+15550001111";
const WA_NUMBER = "whatsapp:+15550002222";
const CUSTOMER = "+15557654321";
const WA_CUSTOMER = "whatsapp:+447700900123";
const HOUR = 3_600_000;

let api: FakeTwilioApi;
let virtualNow: number;
let context: MemoryChannelContext;
let env: Record<string, string>;
const clock = () => new Date(virtualNow);
const sleep = async (ms: number) => {
  virtualNow += ms;
};

function smsAdapter(extra: Record<string, unknown> = {}): TwilioChannelAdapter {
  const adapter = createTwilioAdapter({ id: "sms", kind: "twilio_sms", from: SMS_NUMBER, ...extra }, { env, sleep, now: clock });
  void adapter.start(context);
  return adapter;
}

const templates = [
  { name: "reopen", contentSid: `HX${"a".repeat(32)}`, variables: { "1": "customerName" }, nameFallback: "there" },
  { name: "agent_update", contentSid: `HX${"b".repeat(32)}`, variables: { "1": "agentName", "2": "messageText" }, maxTextLength: 300, nameFallback: "our team" },
];
function waAdapter(withTemplates = true): TwilioChannelAdapter {
  const adapter = createTwilioAdapter(
    { id: "wa", kind: "twilio_whatsapp", from: WA_NUMBER, whatsapp: { templates: withTemplates ? templates : [] } },
    { env, sleep, now: clock },
  );
  void adapter.start(context);
  return adapter;
}

async function conversationFor(channelId: string, address: string, lastInboundAgoMs = 60_000): Promise<Conversation> {
  const received = await context.memory.recordInbound({
    channelId, channelMessageId: sid("SM"), customerAddress: address, text: "hi", attachments: [], receivedAt: new Date(virtualNow - lastInboundAgoMs), meta: {},
  });
  return received.conversation;
}

async function outbound(conversation: Conversation, text: string, extra: Partial<Message> = {}): Promise<Message> {
  const message = await context.memory.appendOutbound({ conversationId: conversation.id, author: extra.author === "customer" ? "ai" : (extra.author ?? "ai"), text, ...(extra.authorName ? { authorName: extra.authorName } : {}), ...(extra.attachments ? { attachments: extra.attachments } : {}) });
  return message;
}

async function expectFailure(promise: Promise<unknown>): Promise<DeliveryFailedError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(DeliveryFailedError);
  return error as DeliveryFailedError;
}

beforeAll(async () => {
  api = await startFakeTwilioApi();
  env = { TWILIO_ACCOUNT_SID: api.accountSid, TWILIO_AUTH_TOKEN: api.authToken, TWILIO_API_URL: api.url };
});
afterAll(async () => api.close());
beforeEach(() => {
  virtualNow = Date.parse("2025-03-01T12:00:00Z");
  context = memoryChannelContext({ publicUrl: "https://support.example.com", now: clock });
  api.reset();
});

describe("sending SMS through the twilio SDK", () => {
  it("sends with From, To, Body and the status callback URL, and records the receipt", async () => {
    const adapter = smsAdapter();
    const conversation = await conversationFor("sms", CUSTOMER);
    const message = await outbound(conversation, "Your next payment is $42.50 on 3 March 2025.");
    const receipt = await adapter.send({ message, conversation });
    expect(api.sent).toHaveLength(1);
    expect(api.sent[0]).toMatchObject({ to: CUSTOMER, from: SMS_NUMBER, body: "Your next payment is $42.50 on 3 March 2025.", statusCallback: "https://support.example.com/webhooks/sms/status" });
    expect(receipt).toEqual({ status: "sent", channelMessageId: api.sent[0]!.sid, meta: { encoding: "GSM-7", segments: 1, parts: 1, partSids: [api.sent[0]!.sid] } });
  });

  it("sends through a Messaging Service when configured", async () => {
    const adapter = smsAdapter({ from: undefined, messagingServiceSid: `MG${"e".repeat(32)}` });
    const conversation = await conversationFor("sms", CUSTOMER);
    await adapter.send({ message: await outbound(conversation, "hi"), conversation });
    expect(api.sent[0]).toMatchObject({ messagingServiceSid: `MG${"e".repeat(32)}` });
    expect(api.sent[0]?.from).toBeUndefined();
  });

  it("splits a long reply at sentence boundaries, sends the parts in order and paces them at the sender's rate", async () => {
    const adapter = smsAdapter();
    const conversation = await conversationFor("sms", CUSTOMER);
    const text = Array.from({ length: 80 }, (_, index) => `Line ${index + 1} of your statement is fine.`).join(" ");
    const started = virtualNow;
    const receipt = await adapter.send({ message: await outbound(conversation, text), conversation });
    expect(api.sent.length).toBeGreaterThan(1);
    expect(api.sent.map((sent) => sent.body).join(" ")).toBe(text);
    expect(api.sent.every((sent) => (sent.body ?? "").length <= 1600 && sent.body!.endsWith("."))).toBe(true);
    // Parts after the first each took a token from the 1/s bucket shared with the send worker.
    expect(context.rates.taken.filter((key) => key === "send:twilio:+15550001111").length).toBe(api.sent.length - 1);
    expect(virtualNow - started).toBeGreaterThanOrEqual((api.sent.length - 2) * 1000);
    expect(receipt.channelMessageId).toBe(api.sent[api.sent.length - 1]!.sid);
    expect(receipt.meta).toMatchObject({ parts: api.sent.length, encoding: "GSM-7" });
    const segments = api.sent.reduce((sum, sent) => sum + countSegments(sent.body ?? "").segments, 0);
    expect(segments).toBeGreaterThan(api.sent.length * 5);
    expect(receipt.meta?.segments).toBe(segments);
  });

  it("records each accepted part, so a retry after part 2 failed sends only the parts not yet accepted", async () => {
    const adapter = smsAdapter();
    const conversation = await conversationFor("sms", CUSTOMER);
    const text = Array.from({ length: 80 }, (_, index) => `Line ${index + 1} of your statement is fine.`).join(" ");
    const message = await outbound(conversation, text);
    // Part 2 fails on the first attempt, through every in-place retry: the send queue retries the message.
    api.failAfter(1, twilioError(20500), 4);
    const failure = await expectFailure(adapter.send({ message, conversation }));
    expect(failure).toMatchObject({ permanent: false, providerCode: "20500", message: expect.stringMatching(/^Part 2 of \d+ could not be sent/) });
    expect(api.sent).toHaveLength(1);
    const afterFailure = context.memory.messages.get(message.id)!;
    expect(afterFailure.meta.partSids).toEqual([api.sent[0]!.sid]);

    const receipt = await adapter.send({ message: afterFailure, conversation });
    const bodies = api.sent.map((sent) => sent.body);
    expect(bodies.join(" ")).toBe(text);
    expect(new Set(bodies).size).toBe(bodies.length);
    expect(receipt.meta).toMatchObject({ parts: api.sent.length, partSids: api.sent.map((sent) => sent.sid) });
    expect(receipt.meta?.segments).toBe(api.sent.reduce((sum, sent) => sum + countSegments(sent.body ?? "").segments, 0));
    expect(receipt.channelMessageId).toBe(api.sent.at(-1)!.sid);
  });

  it("records UCS-2 and the segment count for text with emoji", async () => {
    const adapter = smsAdapter();
    const conversation = await conversationFor("sms", CUSTOMER);
    const receipt = await adapter.send({ message: await outbound(conversation, `Thanks! ${"😀".repeat(40)}`), conversation });
    expect(receipt.meta).toMatchObject({ encoding: "UCS-2", segments: 2, parts: 1 });
  });

  it("gives the per-sender rate-limit key and rate", () => {
    const adapter = smsAdapter({ rateLimit: { perSecond: 10, burst: 5 } });
    expect(adapter.sendRateLimit({} as never)).toEqual({ key: "twilio:+15550001111", perSecond: 10, burst: 5 });
    expect(smsAdapter().sendRateLimit({} as never)).toEqual({ key: "twilio:+15550001111", perSecond: 1 });
  });

  it("attaches public media URLs (MMS)", async () => {
    const adapter = smsAdapter();
    const conversation = await conversationFor("sms", CUSTOMER);
    await adapter.send({ message: await outbound(conversation, "Your receipt", { attachments: [{ url: "https://cdn.example.com/r.png", contentType: "image/png" }] }), conversation });
    expect(api.sent[0]?.mediaUrls).toEqual(["https://cdn.example.com/r.png"]);
  });
});

describe("Twilio errors", () => {
  async function sendExpectingFailure(adapter: TwilioChannelAdapter): Promise<DeliveryFailedError> {
    const conversation = await conversationFor(adapter.id, adapter.kind === "twilio_sms" ? CUSTOMER : WA_CUSTOMER);
    return expectFailure(adapter.send({ message: await outbound(conversation, "hello"), conversation }));
  }

  it("maps 429 with Retry-After, 500 and network errors to transient failures", async () => {
    const adapter = smsAdapter();
    api.failNext(twilioError(20429, { retryAfterSeconds: 7 }));
    const limited = await sendExpectingFailure(adapter);
    expect(limited).toMatchObject({ permanent: false, providerCode: "20429", retryAfterMs: 7000 });
    api.failNext(twilioError(20429));
    expect(await sendExpectingFailure(adapter)).toMatchObject({ permanent: false, retryAfterMs: undefined });
    api.failNext(twilioError(20500));
    expect(await sendExpectingFailure(adapter)).toMatchObject({ permanent: false, providerCode: "20500" });

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const offline = createTwilioAdapter({ id: "sms", kind: "twilio_sms", from: SMS_NUMBER }, { env: { ...env, TWILIO_API_URL: `http://127.0.0.1:${port}` }, now: clock });
    await offline.start(context);
    expect(await sendExpectingFailure(offline)).toMatchObject({ permanent: false, providerCode: "network" });
  });

  it.each([
    [21610, /opted out/],
    [21211, /not a valid phone number/],
    [21614, /cannot receive text messages/],
    [21999, /Twilio refused the message \(error 21999/],
  ])("maps Twilio error %i to a permanent failure an agent understands", async (code, sentence) => {
    const adapter = smsAdapter();
    api.failNext(twilioError(code));
    const failure = await sendExpectingFailure(adapter);
    expect(failure).toMatchObject({ permanent: true, providerCode: String(code) });
    expect(failure.message).toMatch(sentence);
  });

  it("opts the number out when Twilio answers 21610, fails the message for good, and never calls Twilio for that number again", async () => {
    const adapter = smsAdapter();
    const conversation = await conversationFor("sms", CUSTOMER);
    api.failFor(CUSTOMER, twilioError(21610));
    const refused = await expectFailure(adapter.send({ message: await outbound(conversation, "Your payment is due Friday."), conversation }));
    expect(refused).toMatchObject({ permanent: true, providerCode: "21610", message: expect.stringMatching(/opted out/) });
    expect((await context.store.getContact("sms", CUSTOMER))?.optedOut).toBe(true);

    const next = await expectFailure(adapter.send({ message: await outbound(conversation, "Anything else?"), conversation }));
    expect(next).toMatchObject({ permanent: true, providerCode: "opted_out" });
    expect(api.requests).toHaveLength(1);
  });

  it("opts the number out when 21610 stops a later part of a split reply", async () => {
    const adapter = smsAdapter();
    const conversation = await conversationFor("sms", CUSTOMER);
    api.failAfter(1, twilioError(21610));
    const text = Array.from({ length: 60 }, (_, index) => `Line ${index + 1} of your statement is fine.`).join(" ");
    const refused = await expectFailure(adapter.send({ message: await outbound(conversation, text), conversation }));
    expect(refused).toMatchObject({ permanent: true, providerCode: "21610" });
    expect(api.sent).toHaveLength(1);
    expect((await context.store.getContact("sms", CUSTOMER))?.optedOut).toBe(true);
  });

  it("maps 63016 (outside the WhatsApp window) to a permanent failure", async () => {
    api.failNext(twilioError(63016));
    const failure = await sendExpectingFailure(waAdapter());
    expect(failure).toMatchObject({ permanent: true, providerCode: "63016" });
    expect(failure.message).toMatch(/24-hour window/);
  });

  it("refuses bad credentials permanently", async () => {
    const adapter = createTwilioAdapter({ id: "sms", kind: "twilio_sms", from: SMS_NUMBER }, { env: { ...env, TWILIO_AUTH_TOKEN: "wrong" }, now: clock });
    await adapter.start(context);
    expect(await sendExpectingFailure(adapter)).toMatchObject({ permanent: true, providerCode: "20003" });
  });
});

describe("SMS compliance", () => {
  async function inboundText(conversation: Conversation, text: string): Promise<Message> {
    const result = await context.memory.recordInbound({ channelId: "sms", channelMessageId: sid("SM"), customerAddress: conversation.customerAddress, text, attachments: [], receivedAt: clock(), meta: {} });
    return result.message;
  }

  it("opts out on STOP before routing, never calls Twilio for that number, and opts back in on START", async () => {
    const adapter = smsAdapter();
    const conversation = await conversationFor("sms", CUSTOMER);
    const directive = await adapter.preRoute(await inboundText(conversation, " Stop. "), conversation);
    expect(directive).toMatchObject({ kind: "handled", reason: "sms_opt_out", deskNote: expect.stringMatching(/opted out/) });
    expect((await context.store.getContact("sms", CUSTOMER))?.optedOut).toBe(true);

    const failure = await expectFailure(adapter.send({ message: await outbound(conversation, "Are you still there?"), conversation }));
    expect(failure).toMatchObject({ permanent: true, providerCode: "opted_out" });
    expect(api.requests).toHaveLength(0);

    expect(await adapter.preRoute(await inboundText(conversation, "START"), conversation)).toMatchObject({ kind: "handled", reason: "sms_opt_in" });
    await adapter.send({ message: await outbound(conversation, "Welcome back"), conversation });
    expect(api.sent).toHaveLength(1);
  });

  it("handles an opted-out number's ordinary messages before routing, with no reply to send", async () => {
    const adapter = smsAdapter({ compliance: { helpText: "Acme Pay help." } });
    const conversation = await conversationFor("sms", CUSTOMER);
    await adapter.preRoute(await inboundText(conversation, "STOP"), conversation);
    const question = await adapter.preRoute(await inboundText(conversation, "When is my next payment?"), conversation);
    expect(question).toMatchObject({ kind: "handled", reason: "sms_opted_out", deskNote: expect.stringMatching(/When is my next payment\?/) });
    expect(question).not.toHaveProperty("replies");
    expect(await adapter.preRoute(await inboundText(conversation, "help"), conversation)).not.toHaveProperty("replies");
    expect((await context.store.getContact("sms", CUSTOMER))?.optedOut).toBe(true);
  });

  it("routes YES from a subscribed number to the brain, and opts an opted-out number back in on YES", async () => {
    const adapter = smsAdapter();
    const conversation = await conversationFor("sms", CUSTOMER);
    expect(await adapter.preRoute(await inboundText(conversation, "Yes"), conversation)).toEqual({ kind: "route" });
    expect(await context.store.getContact("sms", CUSTOMER)).toBeNull();

    await adapter.preRoute(await inboundText(conversation, "STOP"), conversation);
    expect(await adapter.preRoute(await inboundText(conversation, "YES"), conversation)).toMatchObject({ kind: "handled", reason: "sms_opt_in" });
    expect((await context.store.getContact("sms", CUSTOMER))?.optedOut).toBe(false);
  });

  it("lets exactly the configured opt-out confirmation through after STOP", async () => {
    const adapter = smsAdapter({ compliance: { optOutConfirmation: "You will get no more messages. Text START to resume." } });
    const conversation = await conversationFor("sms", CUSTOMER);
    const directive = await adapter.preRoute(await inboundText(conversation, "STOP"), conversation);
    expect(directive).toMatchObject({ replies: ["You will get no more messages. Text START to resume."] });
    virtualNow += 10;
    const confirmation = await context.memory.appendOutbound({ conversationId: conversation.id, author: "system", text: "You will get no more messages. Text START to resume." });
    await adapter.send({ message: confirmation, conversation });
    expect(api.sent).toHaveLength(1);
    const sneaky = await context.memory.appendOutbound({ conversationId: conversation.id, author: "ai", text: "You will get no more messages. Text START to resume." });
    await expectFailure(adapter.send({ message: sneaky, conversation }));
    expect(api.sent).toHaveLength(1);
  });

  it("answers HELP with the configured help text and routes everything else", async () => {
    const adapter = smsAdapter({ compliance: { helpText: "Acme Pay help: acme.example/help. Reply STOP to opt out." } });
    const conversation = await conversationFor("sms", CUSTOMER);
    expect(await adapter.preRoute(await inboundText(conversation, "help"), conversation)).toEqual({ kind: "handled", reason: "sms_help", replies: ["Acme Pay help: acme.example/help. Reply STOP to opt out."] });
    expect(await adapter.preRoute(await inboundText(conversation, "stop charging me twice"), conversation)).toEqual({ kind: "route" });
  });
});

describe("WhatsApp window and templates", () => {
  it("sends free text inside the 24-hour window", async () => {
    const adapter = waAdapter();
    const conversation = await conversationFor("wa", WA_CUSTOMER, 23 * HOUR);
    const receipt = await adapter.send({ message: await outbound(conversation, "Your payment went through."), conversation });
    expect(api.sent[0]).toMatchObject({ to: WA_CUSTOMER, from: WA_NUMBER, body: "Your payment went through." });
    expect(api.sent[0]?.contentSid).toBeUndefined();
    expect(receipt.status).toBe("sent");
  });

  it("sends an agent's message as the approved template outside the window", async () => {
    const adapter = waAdapter();
    const conversation = await conversationFor("wa", WA_CUSTOMER, 25 * HOUR);
    const message = await outbound(conversation, "Your refund\nhas been approved.", { author: "agent", authorName: "Sam" });
    const receipt = await adapter.send({ message, conversation });
    expect(api.sent[0]).toMatchObject({ contentSid: `HX${"b".repeat(32)}`, contentVariables: { "1": "Sam", "2": "Your refund has been approved." } });
    expect(api.sent[0]?.body).toBeUndefined();
    expect(receipt).toMatchObject({ status: "sent", meta: { template: "agent_update" } });
  });

  it("sends one media per WhatsApp message: the first with the text, the rest on their own", async () => {
    const adapter = waAdapter();
    const conversation = await conversationFor("wa", WA_CUSTOMER, HOUR);
    const attachments = [
      { url: "https://cdn.example.com/1.png", contentType: "image/png" },
      { url: "https://cdn.example.com/2.pdf", contentType: "application/pdf" },
    ];
    const receipt = await adapter.send({ message: await outbound(conversation, "Your documents", { attachments }), conversation });
    expect(api.sent.map((sent) => [sent.body, sent.mediaUrls])).toEqual([
      ["Your documents", ["https://cdn.example.com/1.png"]],
      [undefined, ["https://cdn.example.com/2.pdf"]],
    ]);
    expect(receipt.meta).toMatchObject({ parts: 2, segments: 1 });
  });

  it("holds a message no template fits and says why", async () => {
    const adapter = waAdapter(false);
    const conversation = await conversationFor("wa", WA_CUSTOMER, 30 * HOUR);
    const receipt = await adapter.send({ message: await outbound(conversation, "Anything else?"), conversation });
    expect(receipt).toMatchObject({ status: "held", error: { code: "outside_whatsapp_window", permanent: false, message: expect.stringMatching(/24 hours/) } });
    expect(api.requests).toHaveLength(0);
  });

  it("sends a re-engagement template once per silence and holds the messages behind it", async () => {
    const adapter = waAdapter();
    const conversation = await conversationFor("wa", WA_CUSTOMER, 48 * HOUR);
    const first = await adapter.send({ message: await outbound(conversation, "x".repeat(400), { author: "agent" }), conversation });
    const second = await adapter.send({ message: await outbound(conversation, "y".repeat(400), { author: "agent" }), conversation });
    expect(first).toMatchObject({ status: "held", meta: { reengagementTemplate: "reopen" } });
    expect(second.status).toBe("held");
    expect(api.sent).toHaveLength(1);
    expect(api.sent[0]).toMatchObject({ contentSid: `HX${"a".repeat(32)}`, contentVariables: { "1": "there" } });
  });
});

describe("inbound media", () => {
  let offsite: Server;
  let offsiteUrl: string;
  beforeAll(async () => {
    offsite = createServer((_request, response) => response.end("not twilio"));
    await new Promise<void>((resolve) => offsite.listen(0, "127.0.0.1", resolve));
    offsiteUrl = `http://127.0.0.1:${(offsite.address() as AddressInfo).port}/steal`;
  });
  afterAll(async () => new Promise<void>((resolve) => offsite.close(() => resolve())));

  it("fetches media from Twilio with credentials, follows Twilio's redirect to its CDN without them", async () => {
    const adapter = waAdapter();
    const url = api.addMedia(sid("MM"), { contentType: "image/png", bytes: Buffer.from("png-bytes") });
    const media = await adapter.fetchAttachment({ url, contentType: "image/png" });
    expect(media.bytes.toString()).toBe("png-bytes");
    expect(media.contentType).toBe("image/png");
    const [apiHit, cdnHit] = api.requests;
    expect(apiHit?.authorization).toMatch(/^Basic /);
    expect(cdnHit?.path).toMatch(/^\/mms-cdn\//);
    expect(cdnHit?.authorization).toBeUndefined();
  });

  it("refuses a redirect off Twilio's hosts, media over the cap, and URLs that are not Twilio's", async () => {
    const adapter = waAdapter();
    const redirected = api.addMedia(sid("MM"), { contentType: "image/png", bytes: Buffer.alloc(1), redirectTo: offsiteUrl });
    await expect(adapter.fetchAttachment({ url: redirected, contentType: "image/png" })).rejects.toBeInstanceOf(ValidationError);
    const small = createTwilioAdapter({ id: "wa", kind: "twilio_whatsapp", from: WA_NUMBER, media: { maxBytes: 1000 } }, { env });
    const big = api.addMedia(sid("MM"), { contentType: "video/mp4", bytes: Buffer.alloc(5000) });
    await expect(small.fetchAttachment({ url: big, contentType: "video/mp4" })).rejects.toBeInstanceOf(PayloadTooLargeError);
    await expect(adapter.fetchAttachment({ url: offsiteUrl, contentType: "image/png" })).rejects.toBeInstanceOf(ValidationError);
    const otherAccount = redirected.replace(api.accountSid, `AC${"f".repeat(32)}`);
    await expect(adapter.fetchAttachment({ url: otherAccount, contentType: "image/png" })).rejects.toThrow(/another Twilio account/);
  });
});

describe("before the channel is started", () => {
  it("asks the queue to retry a send that arrives before start() gave the channel its context", async () => {
    const adapter = createTwilioAdapter({ id: "sms", kind: "twilio_sms", from: SMS_NUMBER }, { env });
    const conversation = await conversationFor("sms", CUSTOMER);
    const failure = await expectFailure(adapter.send({ message: await outbound(conversation, "early"), conversation }));
    expect(failure).toMatchObject({ permanent: false, providerCode: "channel_not_started", retryAfterMs: 1000 });
    expect(api.requests).toHaveLength(0);
  });
});
