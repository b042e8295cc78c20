/**
 * The real brain in the real pipeline: signed Twilio webhooks -> intake -> turn worker -> the local
 * brain as `serve` composes it (demo knowledge base, shipped routing rules, every guardrail, the demo
 * account provider) -> send worker -> the fake Twilio API. Account answers carry the customer's exact
 * figures; a request for a person reaches the desk with its reason code.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDemoAccountProvider } from "../../adapters/accounts/index.js";
import { createTwilioAdapter } from "../../channels/twilio/index.js";
import { composeLocalBrain, type RunningSwitchboard } from "../../src/main.js";
import { startFakeTwilioApi, type FakeTwilioApi } from "../fakes/twilio-api.js";
import { eventually } from "../support/eventually.js";
import { expectedNextPayment } from "../support/payment-test-brain.js";
import { RecordingDesk } from "../support/recording-desk.js";
import { createHarness, type Harness } from "../support/switchboard-harness.js";
import { sid, signedTwilioForm, smsParams } from "../support/twilio-signing.js";

const PUBLIC_URL = "https://support.example.com";
const OUR_NUMBER = "+15550002222";
// Demo customer C-1001 (adapters/accounts/demo-accounts.json) writes from her own number.
const MARIA = "+14155550101";
const STRANGER = "+14155550188";
const OTHER = "+14155550189";
// Demo customer C-1004, autopay on.
const OMAR = "+14155550104";
const accounts = createDemoAccountProvider();

let api: FakeTwilioApi;
let harness: Harness;
let switchboard: RunningSwitchboard;
const desk = new RecordingDesk();

function text(from: string, body: string): Promise<Response> {
  const form = signedTwilioForm(api.authToken, `${PUBLIC_URL}/webhooks/sms`, smsParams({ from, to: OUR_NUMBER, body, messageSid: sid("SM"), accountSid: api.accountSid }));
  return fetch(`${switchboard.url!}/webhooks/sms`, { method: "POST", body: form.payload, headers: form.headers });
}

beforeAll(async () => {
  api = await startFakeTwilioApi();
  const twilioEnv = { TWILIO_ACCOUNT_SID: api.accountSid, TWILIO_AUTH_TOKEN: api.authToken, TWILIO_API_URL: api.url };
  harness = await createHarness({ ...twilioEnv, PUBLIC_URL });
  const sms = createTwilioAdapter({ id: "sms", kind: "twilio_sms", from: OUR_NUMBER }, { env: twilioEnv });
  const { brain } = await composeLocalBrain({ kbDir: "kb", accounts });
  switchboard = await harness.start({ channels: [sms], brain, desk: { desk } });
});
afterAll(async () => {
  await harness?.stopAll();
  await api?.close();
});

describe("the local brain over SMS, end to end", () => {
  it("answers a verified customer's next payment with the exact date and amount from the account", async () => {
    expect((await text(MARIA, "when is my next payment due?")).status).toBe(200);
    const [reply] = await eventually(() => api.sentTo(MARIA), (sent) => sent.length >= 1, 20_000, "the reply to Maria");
    const expected = await expectedNextPayment(accounts, MARIA);
    expect(reply!.body).toContain(`Your next payment is ${expected.amount} on ${expected.date}`);
    const conversation = (await switchboard.store.findConversationByAddress("sms", MARIA))!;
    const [inbound] = await switchboard.store.listMessages(conversation.id);
    expect(inbound?.decision).toMatchObject({ route: "ai", category: "payment_schedule", engine: "local" });
    expect(inbound?.decision?.guardrails.every((verdict) => verdict.passed)).toBe(true);
  });

  it("answers a policy question from the knowledge base for anyone", async () => {
    expect((await text(STRANGER, "How does pay in 4 work?")).status).toBe(200);
    const [reply] = await eventually(() => api.sentTo(STRANGER), (sent) => sent.length >= 1, 20_000, "the reply");
    expect(reply!.body).toMatch(/every two weeks/);
  });

  it("hands a request for a person to the desk at once, with the reason code", async () => {
    expect((await text(OTHER, "I want to talk to a real person")).status).toBe(200);
    await eventually(() => desk.escalations, (found) => found.some((request) => request.conversation.customerAddress === OTHER), 20_000, "the escalation");
    const conversation = (await switchboard.store.findConversationByAddress("sms", OTHER))!;
    const [inbound] = await switchboard.store.listMessages(conversation.id);
    expect(inbound?.decision).toMatchObject({ route: "human", reasonCodes: ["human_requested"], priority: "high" });
  });

  it("takes a plain \"yes\" from a subscribed number as the answer to a confirmation, not as an SMS opt-in keyword", async () => {
    expect((await text(OMAR, "please turn off autopay")).status).toBe(200);
    const [restated] = await eventually(() => api.sentTo(OMAR), (sent) => sent.length >= 1, 20_000, "the restatement");
    expect(restated!.body).toMatch(/^To confirm: turn autopay off .*Reply YES/);

    expect((await text(OMAR, "yes")).status).toBe(200);
    const sent = await eventually(() => api.sentTo(OMAR), (found) => found.length >= 2, 20_000, "the confirmation");
    expect(sent[1]!.body).toMatch(/^Done\. Autopay is now off/);
    expect(accounts.recordedActions().filter((action) => action.kind === "set_autopay")).toMatchObject([{ input: { customerId: "C-1004", enabled: false } }]);
    const conversation = (await switchboard.store.findConversationByAddress("sms", OMAR))!;
    const answer = (await switchboard.store.listMessages(conversation.id)).find((message) => message.text === "yes")!;
    expect(answer.decision).toMatchObject({ route: "ai", engine: "local" });
    expect(answer.decision?.reasonCodes.some((code) => code.startsWith("channel_rule:"))).toBe(false);
    expect(await switchboard.store.getContact("sms", OMAR)).toBeNull();
  });
});
