/**
 * Twilio inbound webhooks and status callbacks against a real Fastify server: signatures made with
 * the SDK's own helper, every bad input refused with the right status and nothing stored.
 */
import Fastify, { type FastifyInstance } from "fastify";
import formbody from "@fastify/formbody";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTwilioAdapter, type TwilioChannelAdapter } from "../../channels/twilio/index.js";
import { startFakeTwilioApi, type FakeTwilioApi } from "../fakes/twilio-api.js";
import { memoryChannelContext, type MemoryChannelContext } from "../fakes/memory-channel-context.js";
import { silentLogger } from "../../src/logging/logger.js";
import { SwitchboardMetrics } from "../../src/observability/metrics.js";
import { createHttpServer } from "../../src/server/http-server.js";
import { sid, signedTwilioForm, smsParams, statusParams, whatsappParams } from "../support/twilio-signing.js";

const PUBLIC_URL = "https://support.example.com";
const SMS_NUMBER = "+15550001111";
const WA_NUMBER = "whatsapp:+15550002222";
const CUSTOMER = "+15557654321";

let api: FakeTwilioApi;
let app: FastifyInstance;
let context: MemoryChannelContext;
let sms: TwilioChannelAdapter;
let wa: TwilioChannelAdapter;

async function buildServer(publicUrl: string, withCoreFormbody = false): Promise<{ app: FastifyInstance; context: MemoryChannelContext }> {
  const env = { TWILIO_ACCOUNT_SID: api.accountSid, TWILIO_AUTH_TOKEN: api.authToken, TWILIO_API_URL: api.url };
  const server = Fastify();
  if (withCoreFormbody) await server.register(formbody);
  const ctx = memoryChannelContext({ publicUrl });
  sms = createTwilioAdapter({ id: "sms", kind: "twilio_sms", from: SMS_NUMBER }, { env });
  wa = createTwilioAdapter({ id: "wa", kind: "twilio_whatsapp", from: WA_NUMBER }, { env });
  await sms.registerRoutes(server, ctx);
  await wa.registerRoutes(server, ctx);
  server.get("/healthz", async () => ({ ok: true }));
  await server.ready();
  return { app: server, context: ctx };
}

function post(url: string, params: Record<string, string>, options: { signedUrl?: string; token?: string; headers?: Record<string, string> } = {}) {
  const form = signedTwilioForm(options.token ?? api.authToken, options.signedUrl ?? PUBLIC_URL + url, params);
  return app.inject({ method: "POST", url, payload: form.payload, headers: { ...form.headers, ...options.headers } });
}

beforeAll(async () => {
  api = await startFakeTwilioApi();
});
afterAll(async () => {
  await app?.close();
  await api.close();
});
beforeEach(async () => {
  await app?.close();
  ({ app, context } = await buildServer(PUBLIC_URL));
});

async function expectStillServing(): Promise<void> {
  const response = await post("/webhooks/sms", smsParams({ from: CUSTOMER, to: SMS_NUMBER, body: "still there?", accountSid: api.accountSid }));
  expect(response.statusCode).toBe(200);
}

describe("Twilio inbound webhook", () => {
  it("accepts a signed SMS, hands the normalized message to the intake and answers with empty TwiML", async () => {
    const params = smsParams({ from: CUSTOMER, to: SMS_NUMBER, body: "When is my next payment?", accountSid: api.accountSid });
    const response = await post("/webhooks/sms", params);
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toMatch(/^text\/xml/);
    expect(response.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    expect(context.memoryIntake.accepted).toHaveLength(1);
    expect(context.memoryIntake.accepted[0]).toMatchObject({
      channelId: "sms", channelMessageId: params.MessageSid, customerAddress: CUSTOMER, text: "When is my next payment?", attachments: [], meta: { to: SMS_NUMBER },
    });
  });

  it("parses WhatsApp profile name, WaId and media on Twilio's host", async () => {
    const messageSid = sid("MM");
    const mediaUrl = api.addMedia(messageSid, { contentType: "image/jpeg", bytes: Buffer.from("jpeg") });
    const params = whatsappParams({ from: "whatsapp:+447700900123", to: WA_NUMBER, body: "Here is my receipt", profileName: "Ada Lovelace", messageSid, accountSid: api.accountSid, media: [{ url: mediaUrl, contentType: "image/jpeg" }] });
    expect((await post("/webhooks/wa", params)).statusCode).toBe(200);
    expect(context.memoryIntake.accepted[0]).toMatchObject({
      channelId: "wa", customerAddress: "whatsapp:+447700900123", customerName: "Ada Lovelace", text: "Here is my receipt",
      attachments: [{ url: mediaUrl, contentType: "image/jpeg" }], meta: { waId: "447700900123", to: WA_NUMBER },
    });
  });

  it("drops media URLs that are not on Twilio's hosts, keeping the message", async () => {
    const params = whatsappParams({ from: "whatsapp:+447700900123", to: WA_NUMBER, body: "look", accountSid: api.accountSid, media: [{ url: "https://evil.example.com/x.jpg", contentType: "image/jpeg" }] });
    expect((await post("/webhooks/wa", params)).statusCode).toBe(200);
    expect(context.memoryIntake.accepted[0]).toMatchObject({ attachments: [], meta: { droppedMedia: 1 } });
  });

  it("stores a replayed MessageSid once and answers both deliveries", async () => {
    const params = smsParams({ from: CUSTOMER, to: SMS_NUMBER, body: "hello", accountSid: api.accountSid });
    expect((await post("/webhooks/sms", params)).statusCode).toBe(200);
    expect((await post("/webhooks/sms", params)).statusCode).toBe(200);
    expect(context.memoryIntake.accepted).toHaveLength(1);
    expect(context.memory.messages.size).toBe(1);
  });

  it("refuses a request without X-Twilio-Signature with 400 and stores nothing", async () => {
    const params = smsParams({ from: CUSTOMER, to: SMS_NUMBER, body: "hi", accountSid: api.accountSid });
    const response = await app.inject({ method: "POST", url: "/webhooks/sms", payload: new URLSearchParams(params).toString(), headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(response.statusCode).toBe(400);
    expect(context.memory.messages.size).toBe(0);
    await expectStillServing();
  });

  it("refuses wrong signatures with 403: other token, other URL, tampered body", async () => {
    const params = smsParams({ from: CUSTOMER, to: SMS_NUMBER, body: "hi", accountSid: api.accountSid });
    expect((await post("/webhooks/sms", params, { token: "not-the-token" })).statusCode).toBe(403);
    expect((await post("/webhooks/sms", params, { signedUrl: "http://support.example.com/webhooks/sms" })).statusCode).toBe(403);
    expect((await post("/webhooks/sms", params, { signedUrl: `${PUBLIC_URL}/webhooks/wa` })).statusCode).toBe(403);
    const form = signedTwilioForm(api.authToken, `${PUBLIC_URL}/webhooks/sms`, params);
    const tampered = form.payload.replace("Body=hi", "Body=send+me+money");
    expect((await app.inject({ method: "POST", url: "/webhooks/sms", payload: tampered, headers: form.headers })).statusCode).toBe(403);
    expect((await post("/webhooks/sms", params, { headers: { "x-twilio-signature": "garbage" } })).statusCode).toBe(403);
    expect(context.memory.messages.size).toBe(0);
    expect(api.sent).toHaveLength(0);
    await expectStillServing();
  });

  it("answers 415 for a non-form body and 413 for an oversized one, storing nothing", async () => {
    const params = smsParams({ from: CUSTOMER, to: SMS_NUMBER, body: "hi", accountSid: api.accountSid });
    const json = await app.inject({ method: "POST", url: "/webhooks/sms", payload: JSON.stringify(params), headers: { "content-type": "application/json", "x-twilio-signature": "x" } });
    expect(json.statusCode).toBe(415);
    const text = await app.inject({ method: "POST", url: "/webhooks/sms", payload: "Body=hi", headers: { "content-type": "text/plain" } });
    expect(text.statusCode).toBe(415);
    const huge = smsParams({ from: CUSTOMER, to: SMS_NUMBER, body: "x".repeat(100_000), accountSid: api.accountSid });
    expect((await post("/webhooks/sms", huge)).statusCode).toBe(413);
    expect(context.memory.messages.size).toBe(0);
    await expectStillServing();
  });

  it("answers 404 for a channel id no Twilio channel owns", async () => {
    const params = smsParams({ from: CUSTOMER, to: SMS_NUMBER, body: "hi", accountSid: api.accountSid });
    expect((await post("/webhooks/nope", params)).statusCode).toBe(404);
    expect((await post("/webhooks/webchat", params)).statusCode).toBe(404);
    expect((await post("/webhooks/nope/status", params)).statusCode).toBe(404);
    expect(context.memory.messages.size).toBe(0);
    await expectStillServing();
  });

  it("acknowledges authentic traffic it does not handle (a WhatsApp message on the SMS channel) without storing it", async () => {
    const params = whatsappParams({ from: "whatsapp:+447700900123", to: WA_NUMBER, body: "wrong door", accountSid: api.accountSid });
    expect((await post("/webhooks/sms", params)).statusCode).toBe(200);
    expect(context.memory.messages.size).toBe(0);
  });

  it("keeps serving over real HTTP after a burst of hostile requests", async () => {
    const address = await app.listen({ port: 0, host: "127.0.0.1" });
    const hostile = [
      fetch(`${address}/webhooks/sms`, { method: "POST", body: "Body=x", headers: { "content-type": "application/x-www-form-urlencoded" } }),
      fetch(`${address}/webhooks/sms`, { method: "POST", body: "{}", headers: { "content-type": "application/json" } }),
      fetch(`${address}/webhooks/sms`, { method: "POST", body: "a".repeat(200_000), headers: { "content-type": "application/x-www-form-urlencoded" } }),
      fetch(`${address}/webhooks/zzz`, { method: "POST", body: "Body=x", headers: { "content-type": "application/x-www-form-urlencoded" } }),
    ];
    const statuses = (await Promise.all(hostile)).map((response) => response.status);
    expect(statuses).toEqual([400, 415, 413, 404]);
    const params = smsParams({ from: CUSTOMER, to: SMS_NUMBER, body: "real one", accountSid: api.accountSid });
    const form = signedTwilioForm(api.authToken, `${PUBLIC_URL}/webhooks/sms`, params);
    const good = await fetch(`${address}/webhooks/sms`, { method: "POST", body: form.payload, headers: form.headers });
    expect(good.status).toBe(200);
    expect(await good.text()).toContain("<Response/>");
    expect((await fetch(`${address}/healthz`)).status).toBe(200);
    expect(context.memoryIntake.accepted.map((message) => message.text)).toEqual(["real one"]);
  });
});

describe("signature URL behind a reverse proxy", () => {
  it("checks against PUBLIC_URL with a path prefix and a query string, with or without the default port", async () => {
    await app.close();
    ({ app, context } = await buildServer("https://example.com/switchboard", true));
    const params = smsParams({ from: CUSTOMER, to: SMS_NUMBER, body: "via proxy", accountSid: api.accountSid });
    const url = "/webhooks/sms?source=console";
    expect((await post(url, params, { signedUrl: `https://example.com/switchboard${url}` })).statusCode).toBe(200);
    const withPort = { ...params, MessageSid: sid("SM") };
    expect((await post(url, withPort, { signedUrl: `https://example.com:443/switchboard${url}` })).statusCode).toBe(200);
    const localUrl = { ...params, MessageSid: sid("SM") };
    expect((await post(url, localUrl, { signedUrl: `http://localhost${url}` })).statusCode).toBe(403);
    expect(context.memoryIntake.accepted).toHaveLength(2);
  });
});

describe("Twilio status callbacks", () => {
  async function outboundWithSid(channelSid: string): Promise<string> {
    const inbound = await context.memory.recordInbound({ channelId: "sms", channelMessageId: sid("SM"), customerAddress: CUSTOMER, text: "hi", attachments: [], receivedAt: new Date(), meta: {} });
    const outbound = await context.memory.appendOutbound({ conversationId: inbound.conversation.id, author: "ai", text: "hello" });
    await context.memory.updateMessageStatus(outbound.id, "sent", { channelMessageId: channelSid });
    return outbound.id;
  }
  const callback = (messageSid: string, status: string, errorCode?: string) =>
    post("/webhooks/sms/status", statusParams({ messageSid, status, accountSid: api.accountSid, from: SMS_NUMBER, to: CUSTOMER, ...(errorCode ? { errorCode } : {}) }));

  it("moves status forward only, whatever order the callbacks arrive in", async () => {
    const channelSid = sid("SM");
    const id = await outboundWithSid(channelSid);
    for (const status of ["delivered", "queued", "sent", "sending"]) expect((await callback(channelSid, status)).statusCode).toBe(200);
    expect(context.memory.messages.get(id)?.status).toBe("delivered");
    await callback(channelSid, "read");
    await callback(channelSid, "delivered");
    expect(context.memory.messages.get(id)?.status).toBe("read");
  });

  it("records a failure with the Twilio code and a sentence for the agent", async () => {
    const channelSid = sid("SM");
    const id = await outboundWithSid(channelSid);
    await callback(channelSid, "undelivered", "21610");
    expect(context.memory.messages.get(id)).toMatchObject({ status: "failed", error: { code: "21610", permanent: true, message: expect.stringMatching(/opted out/) } });
    expect(context.deliveryProblems).toEqual([{ conversationId: context.memory.messages.get(id)!.conversationId, messageId: id }]);
    // A 21610 reported after the send was accepted (a Messaging Service) opts the number out here too.
    expect((await context.memory.getContact("sms", CUSTOMER))?.optedOut).toBe(true);
    await callback(channelSid, "failed", "21610");
    expect(context.deliveryProblems).toHaveLength(1);
    const other = sid("SM");
    const otherId = await outboundWithSid(other);
    await context.memory.setOptOut("sms", CUSTOMER, false);
    await callback(other, "failed", "30008");
    expect(context.memory.messages.get(otherId)).toMatchObject({ status: "failed", error: { code: "30008", message: expect.stringMatching(/30008/) } });
    expect((await context.memory.getContact("sms", CUSTOMER))?.optedOut).toBe(false);
  });

  it("finds a message whose SID is recorded a moment after Twilio's callback arrives", async () => {
    const inbound = await context.memory.recordInbound({ channelId: "sms", channelMessageId: sid("SM"), customerAddress: CUSTOMER, text: "hi", attachments: [], receivedAt: new Date(), meta: {} });
    const outbound = await context.memory.appendOutbound({ conversationId: inbound.conversation.id, author: "ai", text: "hello" });
    const channelSid = sid("SM");
    const early = callback(channelSid, "delivered");
    await new Promise((resolve) => setTimeout(resolve, 100));
    await context.memory.updateMessageStatus(outbound.id, "sent", { channelMessageId: channelSid });
    expect((await early).statusCode).toBe(200);
    expect(context.memory.messages.get(outbound.id)?.status).toBe("delivered");
  });

  it("ignores unknown SIDs with 200 and refuses unsigned callbacks", async () => {
    expect((await callback(sid("SM"), "delivered")).statusCode).toBe(200);
    const unsigned = await app.inject({ method: "POST", url: "/webhooks/sms/status", payload: "MessageSid=x&MessageStatus=delivered", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(unsigned.statusCode).toBe(400);
  });
});

describe("inside the core's HTTP server", () => {
  it("coexists with the core's @fastify/formbody and 404 handler", async () => {
    const env = { TWILIO_ACCOUNT_SID: api.accountSid, TWILIO_AUTH_TOKEN: api.authToken, TWILIO_API_URL: api.url };
    const ctx = memoryChannelContext({ publicUrl: PUBLIC_URL });
    const channels = [
      createTwilioAdapter({ id: "sms", kind: "twilio_sms", from: SMS_NUMBER }, { env }),
      createTwilioAdapter({ id: "wa", kind: "twilio_whatsapp", from: WA_NUMBER }, { env }),
    ];
    const core = await createHttpServer({ logger: silentLogger(), metrics: new SwitchboardMetrics(), readiness: [], channels, channelContext: ctx });
    try {
      const params = smsParams({ from: CUSTOMER, to: SMS_NUMBER, body: "through the core", accountSid: api.accountSid });
      const form = signedTwilioForm(api.authToken, `${PUBLIC_URL}/webhooks/sms`, params);
      const ok = await core.inject({ method: "POST", url: "/webhooks/sms", payload: form.payload, headers: form.headers });
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toContain("<Response/>");
      const unknown = await core.inject({ method: "POST", url: "/webhooks/other", payload: form.payload, headers: form.headers });
      expect(unknown.statusCode).toBe(404);
      const json = await core.inject({ method: "POST", url: "/webhooks/wa", payload: "{}", headers: { "content-type": "application/json" } });
      expect(json.statusCode).toBe(415);
      const huge = await core.inject({ method: "POST", url: "/webhooks/wa", payload: `Body=${"x".repeat(70_000)}`, headers: { "content-type": "application/x-www-form-urlencoded" } });
      expect(huge.statusCode).toBe(413);
      expect(ctx.memoryIntake.accepted.map((message) => message.text)).toEqual(["through the core"]);
    } finally {
      await core.close();
    }
  });
});
