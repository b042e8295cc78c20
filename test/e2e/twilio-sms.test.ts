/**
 * SMS end to end: a signed Twilio webhook on the real server -> intake (PostgreSQL) -> turn worker
 * (BullMQ on Redis) -> brain -> send worker -> the official `twilio` SDK -> the fake Twilio API, and the
 * status callbacks back. The brain is test/support/payment-test-brain.ts: the shipped demo accounts,
 * identity by phone, the real account-fact composer and every guardrail, with a stand-in intent step
 * that echoes anything else, so order and long replies are easy to check (the local brain over SMS is
 * in local-brain-sms.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countSegments, createTwilioAdapter } from "../../channels/twilio/index.js";
import type { RunningSwitchboard } from "../../src/main.js";
import { eventually } from "../support/eventually.js";
import { createDemoAccountProvider } from "../../adapters/accounts/index.js";
import { createPaymentTestBrain, expectedNextPayment } from "../support/payment-test-brain.js";
import { RecordingDesk } from "../support/recording-desk.js";
import { createHarness, type Harness } from "../support/switchboard-harness.js";
import { sid, signedTwilioForm, smsParams, statusParams } from "../support/twilio-signing.js";
import { startFakeTwilioApi, twilioError, type FakeTwilioApi } from "../fakes/twilio-api.js";

const PUBLIC_URL = "https://support.example.com";
const OUR_NUMBER = "+15550001111";
// Demo customers C-1001 and C-1002 (adapters/accounts/demo-accounts.json).
const MAYA = "+14155550101";
const JONAS = "+14155550102";
const accounts = createDemoAccountProvider();

let api: FakeTwilioApi;
let harness: Harness;
let switchboard: RunningSwitchboard;
const desk = new RecordingDesk();

async function webhook(path: string, params: Record<string, string>, sign = true): Promise<Response> {
  const form = signedTwilioForm(api.authToken, PUBLIC_URL + path, params);
  const headers = sign ? form.headers : { "content-type": "application/x-www-form-urlencoded" };
  return fetch(switchboard.url! + path, { method: "POST", body: form.payload, headers });
}
const text = (from: string, body: string, messageSid = sid("SM")) => webhook("/webhooks/sms", smsParams({ from, to: OUR_NUMBER, body, messageSid, accountSid: api.accountSid }));

beforeAll(async () => {
  api = await startFakeTwilioApi();
  const twilioEnv = { TWILIO_ACCOUNT_SID: api.accountSid, TWILIO_AUTH_TOKEN: api.authToken, TWILIO_API_URL: api.url };
  harness = await createHarness({ ...twilioEnv, PUBLIC_URL });
  // Five a second keeps the burst test short; the per-sender limit itself is tested with the adapter.
  const sms = createTwilioAdapter({ id: "sms", kind: "twilio_sms", from: OUR_NUMBER, rateLimit: { perSecond: 5 } }, { env: twilioEnv });
  switchboard = await harness.start({ channels: [sms], brain: createPaymentTestBrain(accounts), desk: { desk } });
});
afterAll(async () => {
  await harness?.stopAll();
  await api?.close();
});

describe("SMS through Twilio, end to end", () => {
  it("answers a demo customer's next-payment question with their exact date and amount", async () => {
    const response = await text(MAYA, "Hi, when is my next payment?");
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');

    const [reply] = await eventually(() => api.sentTo(MAYA), (sent) => sent.length === 1, 20_000, "the reply to Maya");
    expect(reply).toMatchObject({ from: OUR_NUMBER, statusCallback: `${PUBLIC_URL}/webhooks/sms/status` });
    const expected = await expectedNextPayment(accounts, MAYA);
    expect(reply!.body).toContain(`Your next payment is ${expected.amount} on ${expected.date}`);

    const conversation = (await switchboard.store.findConversationByAddress("sms", MAYA))!;
    const stored = await eventually(() => switchboard.store.listMessages(conversation.id), (found) => found[1]?.status === "sent", 10_000, "the reply recorded as sent");
    expect(stored.map((message) => [message.author, message.status])).toEqual([["customer", "received"], ["ai", "sent"]]);
    const { encoding, segments } = countSegments(reply!.body!);
    expect(stored[1]).toMatchObject({ channelMessageId: reply!.sid, meta: { encoding, segments, parts: 1 } });

    // Twilio reports delivery, out of order: the status only moves forward.
    for (const status of ["delivered", "sent", "queued"]) {
      const callback = await webhook("/webhooks/sms/status", statusParams({ messageSid: reply!.sid, status, accountSid: api.accountSid, from: OUR_NUMBER, to: MAYA }));
      expect(callback.status).toBe(200);
    }
    expect((await switchboard.store.getMessage(stored[1]!.id))?.status).toBe("delivered");
  });

  it("sends nothing to a number that texted STOP: its questions get no AI reply, an agent's reply is refused, and the agents are told", async () => {
    expect((await text(JONAS, "STOP")).status).toBe(200);
    await eventually(() => switchboard.store.getContact("sms", JONAS), (contact) => contact?.optedOut === true, 20_000, "the opt-out");
    expect((await text(JONAS, "When is my next payment?")).status).toBe(200);

    const conversation = (await switchboard.store.findConversationByAddress("sms", JONAS))!;
    await eventually(() => switchboard.store.getConversation(conversation.id), (found) => found?.processedSeq === 2, 20_000, "both messages processed");
    const messages = await switchboard.store.listMessages(conversation.id);
    expect(messages.map((message) => [message.direction, message.decision?.reasonCodes])).toEqual([
      ["inbound", ["channel_rule:sms_opt_out"]],
      ["inbound", ["channel_rule:sms_opted_out"]],
    ]);
    const notes = await eventually(() => desk.notes.filter((note) => note.conversationId === conversation.id), (found) => found.length === 2, 10_000, "the desk notes");
    expect(notes.map((note) => note.text)).toEqual([expect.stringMatching(/opted out of SMS/), expect.stringMatching(/wrote: "When is my next payment\?"/)]);

    const agentReply = await switchboard.handoff.replyAsAgent(conversation.id, { id: "slack:U1", displayName: "Sam Lee" }, "Your payment is due Friday.");
    const refused = await eventually(() => switchboard.store.getMessage(agentReply.id), (found) => found?.status === "failed", 20_000, "the refused agent reply");
    expect(refused!.error).toMatchObject({ code: "opted_out", permanent: true, message: expect.stringMatching(/opted out/) });
    await eventually(() => desk.problems.filter((problem) => problem.conversationId === conversation.id), (problems) => problems.length === 1, 10_000, "the delivery problem");
    expect(api.sentTo(JONAS)).toEqual([]);
    expect(api.requests.filter((request) => request.method === "POST").length).toBe(api.sent.length);
  });

  it("takes Twilio's 21610 as an opt-out: the reply fails at once without a retry, and the number's next message gets no reply", async () => {
    const customer = "+14155550103";
    api.failFor(customer, twilioError(21610));
    const postsBefore = api.requests.filter((request) => request.method === "POST").length;
    expect((await text(customer, "When is my next payment?")).status).toBe(200);
    const conversation = await eventually(() => switchboard.store.findConversationByAddress("sms", customer), (found) => found !== null, 20_000, "the conversation");
    const [, reply] = await eventually(() => switchboard.store.listMessages(conversation!.id), (found) => found[1]?.status === "failed", 20_000, "the failed reply");
    expect(reply!.error).toMatchObject({ code: "21610", permanent: true, message: expect.stringMatching(/opted out/) });
    expect((await switchboard.store.getContact("sms", customer))?.optedOut).toBe(true);

    expect((await text(customer, "Hello?")).status).toBe(200);
    await eventually(() => switchboard.store.getConversation(conversation!.id), (found) => found?.processedSeq === 3, 20_000, "the second message processed");
    const messages = await switchboard.store.listMessages(conversation!.id);
    expect(messages.at(-1)?.decision?.reasonCodes).toEqual(["channel_rule:sms_opted_out"]);
    expect(messages).toHaveLength(3);
    expect(api.requests.filter((request) => request.method === "POST").length - postsBefore).toBe(1);
    api.failFor(customer, undefined);
  });

  it("retries a long reply whose second part failed without sending its first part again", async () => {
    const customer = "+14155550166";
    const question = Array.from({ length: 150 }, (_, index) => `Line ${index + 1} is fine.`).join(" ");
    // The reply's first part is accepted; part 2 fails through every in-place retry, so the send job is retried.
    api.failAfter(1, twilioError(20500), 4);
    expect((await text(customer, question)).status).toBe(200);
    const conversation = await eventually(() => switchboard.store.findConversationByAddress("sms", customer), (found) => found !== null, 20_000, "the conversation");
    const [, reply] = await eventually(() => switchboard.store.listMessages(conversation!.id), (found) => found[1]?.status === "sent", 20_000, "the reply sent");
    const parts = api.sentTo(customer);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.map((part) => part.body).join(" ")).toBe(`Got it: ${question}`);
    expect(new Set(parts.map((part) => part.body)).size).toBe(parts.length);
    expect(reply).toMatchObject({ channelMessageId: parts.at(-1)!.sid, meta: { parts: parts.length, partSids: parts.map((part) => part.sid) } });
  });

  it("records MMS media as attachments (URL and content type) without fetching them, and fetches them for agents with credentials", async () => {
    const customer = "+14155550155";
    const messageSid = sid("MM");
    const photo = api.addMedia(messageSid, { contentType: "image/jpeg", bytes: Buffer.from("jpeg-bytes") });
    const receipt = api.addMedia(messageSid, { contentType: "application/pdf", bytes: Buffer.from("pdf-bytes") });
    const media = { NumMedia: "3", MediaUrl0: photo, MediaContentType0: "image/jpeg", MediaUrl1: receipt, MediaContentType1: "application/pdf", MediaUrl2: "https://evil.example.com/x.png", MediaContentType2: "image/png" };
    const response = await webhook("/webhooks/sms", smsParams({ from: customer, to: OUR_NUMBER, body: "Here is my receipt", messageSid, accountSid: api.accountSid, extra: media }));
    expect(response.status).toBe(200);
    await eventually(() => api.sentTo(customer), (sent) => sent.length === 1, 20_000, "the reply");

    const conversation = (await switchboard.store.findConversationByAddress("sms", customer))!;
    const [inbound] = await switchboard.store.listMessages(conversation.id);
    expect(inbound).toMatchObject({
      text: "Here is my receipt",
      attachments: [{ url: photo, contentType: "image/jpeg" }, { url: receipt, contentType: "application/pdf" }],
      meta: { droppedMedia: 1 },
    });
    expect(api.requests.filter((request) => request.method === "GET")).toEqual([]);

    const fetched = await switchboard.channels.get("sms")!.fetchAttachment!(inbound!.attachments[0]!);
    expect(fetched).toEqual({ contentType: "image/jpeg", bytes: Buffer.from("jpeg-bytes") });
    const [apiHit, cdnHit] = api.requests.filter((request) => request.method === "GET");
    expect(apiHit?.authorization).toMatch(/^Basic /);
    expect(cdnHit?.authorization).toBeUndefined();
  });

  it("keeps the order of a burst of ten messages from one customer", async () => {
    const customer = "+14155550199";
    const sids = Array.from({ length: 10 }, () => sid("SM"));
    const responses = await Promise.all(sids.map((messageSid, index) => text(customer, `Message ${index + 1}`, messageSid)));
    expect(responses.map((response) => response.status)).toEqual(Array(10).fill(200));

    const replies = await eventually(() => api.sentTo(customer), (sent) => sent.length === 10, 25_000, "ten replies");
    const conversation = (await switchboard.store.findConversationByAddress("sms", customer))!;
    const inbound = (await switchboard.store.listMessages(conversation.id)).filter((message) => message.direction === "inbound");
    // Replies leave in the order the messages were stored (seq), one per message.
    expect(replies.map((reply) => reply.body)).toEqual(inbound.map((message) => `Got it: ${message.text}`));
    expect(new Set(replies.map((reply) => reply.body)).size).toBe(10);
  });

  it("refuses unsigned and replayed webhooks without storing or sending anything new", async () => {
    const stranger = "+14155550177";
    const unsigned = await webhook("/webhooks/sms", smsParams({ from: stranger, to: OUR_NUMBER, body: "hello", accountSid: api.accountSid }), false);
    expect(unsigned.status).toBe(400);
    expect(await switchboard.store.findConversationByAddress("sms", stranger)).toBeNull();

    const messageSid = sid("SM");
    expect((await text(stranger, "only once", messageSid)).status).toBe(200);
    expect((await text(stranger, "only once", messageSid)).status).toBe(200);
    await eventually(() => api.sentTo(stranger), (sent) => sent.length === 1, 20_000, "one reply");
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(api.sentTo(stranger)).toHaveLength(1);
    const conversation = (await switchboard.store.findConversationByAddress("sms", stranger))!;
    expect((await switchboard.store.listMessages(conversation.id)).filter((message) => message.direction === "inbound")).toHaveLength(1);
    expect((await fetch(`${switchboard.url}/healthz`)).status).toBe(200);
  });
});
