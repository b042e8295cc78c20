/**
 * WhatsApp end to end on the real pipeline, both ways of connecting: Twilio WhatsApp (signed webhook,
 * the SDK, the fake Twilio API) and whatsapp-web.js (the fake client with the library's events).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTwilioAdapter } from "../../channels/twilio/index.js";
import { createWhatsAppWebAdapter } from "../../channels/whatsapp-web/index.js";
import type { RunningSwitchboard } from "../../src/main.js";
import { startFakeTwilioApi, type FakeTwilioApi } from "../fakes/twilio-api.js";
import { fakeClientFactory, incoming } from "../fakes/whatsapp-web-client.js";
import { eventually } from "../support/eventually.js";
import { createDemoAccountProvider } from "../../adapters/accounts/index.js";
import { createPaymentTestBrain, expectedNextPayment } from "../support/payment-test-brain.js";
import { createHarness, type Harness } from "../support/switchboard-harness.js";
import { signedTwilioForm, whatsappParams } from "../support/twilio-signing.js";

const PUBLIC_URL = "https://support.example.com";
const WA_SENDER = "whatsapp:+15550002222";
// Demo customers C-1001 and C-1002 (adapters/accounts/demo-accounts.json).
const MAYA = "+14155550101";
const JONAS = "+14155550102";
const accounts = createDemoAccountProvider();

let api: FakeTwilioApi;
let harness: Harness;
let switchboard: RunningSwitchboard;
let dataDir: string;
const fakes = fakeClientFactory();

beforeAll(async () => {
  api = await startFakeTwilioApi();
  dataDir = await mkdtemp(join(tmpdir(), "sb-wa-e2e-"));
  const env = { TWILIO_ACCOUNT_SID: api.accountSid, TWILIO_AUTH_TOKEN: api.authToken, TWILIO_API_URL: api.url, ADMIN_TOKEN: "admin-token-e2e-0123456789abcdef" };
  harness = await createHarness({ ...env, PUBLIC_URL, DATA_DIR: dataDir });
  const whatsapp = createTwilioAdapter({ id: "whatsapp", kind: "twilio_whatsapp", from: WA_SENDER, rateLimit: { perSecond: 20 } }, { env });
  const linked = createWhatsAppWebAdapter({ id: "wweb", kind: "whatsapp_web", printQr: false, rateLimit: { perSecond: 10 } }, { env, clientFactory: fakes.factory });
  switchboard = await harness.start({ channels: [whatsapp, linked], brain: createPaymentTestBrain(accounts) });
});
afterAll(async () => {
  await harness?.stopAll();
  await api?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe("WhatsApp end to end", () => {
  it("over Twilio: answers the next-payment question with the exact date and amount", async () => {
    const params = whatsappParams({ from: `whatsapp:${MAYA}`, to: WA_SENDER, body: "when is my next payment", profileName: "Maya", accountSid: api.accountSid });
    const form = signedTwilioForm(api.authToken, `${PUBLIC_URL}/webhooks/whatsapp`, params);
    const response = await fetch(`${switchboard.url}/webhooks/whatsapp`, { method: "POST", body: form.payload, headers: form.headers });
    expect(response.status).toBe(200);
    const [reply] = await eventually(() => api.sentTo(`whatsapp:${MAYA}`), (sent) => sent.length === 1, 20_000, "the WhatsApp reply");
    expect(reply).toMatchObject({ from: WA_SENDER });
    const expected = await expectedNextPayment(accounts, MAYA);
    expect(reply!.body).toContain(`Your next payment is ${expected.amount} on ${expected.date}`);
    const conversation = await switchboard.store.findConversationByAddress("whatsapp", `whatsapp:${MAYA}`);
    expect(conversation).toMatchObject({ customerName: "Maya" });
  });

  it("over whatsapp-web.js: logs in by QR, then answers through client.sendMessage", async () => {
    const client = fakes.latest();
    client.showQr();
    const qr = await fetch(`${switchboard.url}/admin/channels/wweb/qr.png`, { headers: { authorization: "Bearer admin-token-e2e-0123456789abcdef" } });
    expect(qr.status).toBe(200);
    expect(qr.headers.get("content-type")).toBe("image/png");
    client.scanAndConnect();

    client.receive(incoming({ from: `${JONAS.slice(1)}@c.us`, body: "When is my next payment?", pushname: "Jonas" }));
    const [sent] = await eventually(() => client.sent, (found) => found.length === 1, 20_000, "the whatsapp-web reply");
    expect(sent!.chatId).toBe(`${JONAS.slice(1)}@c.us`);
    const expected = await expectedNextPayment(accounts, JONAS);
    expect(sent!.content).toEqual(expect.stringContaining(`Your next payment is ${expected.amount} on ${expected.date}`));
    const conversation = (await switchboard.store.findConversationByAddress("wweb", `whatsapp:${JONAS}`))!;
    const messages = await eventually(() => switchboard.store.listMessages(conversation.id), (found) => found[1]?.status === "sent", 10_000, "the reply recorded");
    expect(messages[1]?.channelMessageId).toMatch(/^true_14155550102@c\.us_/);
  });

  it("over whatsapp-web.js: records a customer's photo with its caption, and gives the desk its exact bytes", async () => {
    const client = fakes.latest();
    client.scanAndConnect();
    const jpeg = Buffer.concat([Buffer.from("ffd8ffe0", "hex"), Buffer.from("a scanned payment slip")]);
    client.receive(incoming({ from: `${MAYA.slice(1)}@c.us`, body: "my payment slip", media: { mimetype: "image/jpeg", data: jpeg.toString("base64"), filename: "slip.jpg" } }));
    const conversation = await eventually(() => switchboard.store.findConversationByAddress("wweb", `whatsapp:${MAYA}`), Boolean, 20_000, "the conversation");
    const [inbound] = await eventually(() => switchboard.store.listMessages(conversation!.id), (found) => found.length > 0, 10_000, "the photo message");
    expect(inbound).toMatchObject({ direction: "inbound", text: "my payment slip", attachments: [{ contentType: "image/jpeg", name: "slip.jpg" }] });
    const fetched = await switchboard.channels.get("wweb")!.fetchAttachment!(inbound!.attachments[0]!);
    expect(fetched.bytes.equals(jpeg)).toBe(true);
  });
});
