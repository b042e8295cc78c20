/**
 * Media both ways through the Slack desk, on real Redis and PostgreSQL: a customer's MMS arrives at the
 * Twilio webhook (signed as Twilio signs it), its image is fetched from the fake Twilio API through the
 * channel adapter and uploaded into the escalation's thread through the official WebClient's
 * filesUploadV2 flow on the fake Slack API; an agent's file in a thread reply is downloaded with the
 * bot token, published at a signed URL, and handed to Twilio as a mediaUrl that serves the same bytes.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTwilioAdapter } from "../../channels/twilio/index.js";
import { ACTION_IDS } from "../../escalation/slack/index.js";
import { persistentSecret } from "../../src/config/persistent-secret.js";
import { signMediaToken } from "../../src/media/index.js";
import { eventually } from "../support/eventually.js";
import { RecordingChannel } from "../support/recording-channel.js";
import { AGENTS, DESK_CHANNEL, startSlackDeskWorld, type SlackDeskWorld } from "../support/slack-desk-harness.js";
import { customerMessage } from "../support/switchboard-harness.js";
import { createTestBrain } from "../support/test-brain.js";
import { sid, signedTwilioForm, smsParams } from "../support/twilio-signing.js";
import { startFakeTwilioApi, type FakeTwilioApi } from "../fakes/twilio-api.js";

const SMS_NUMBER = "+15550001111";
const PNG = Buffer.concat([Buffer.from("89504e470d0a1a0a", "hex"), randomBytes(2_000)]);
let twilioApi: FakeTwilioApi;
let world: SlackDeskWorld;
const webchat = new RecordingChannel("chat", "webchat");
let counter = 0;
const newPhone = () => `+1555${String(Date.now() % 1_000_000).padStart(6, "0")}${(++counter).toString().padStart(1, "0")}`.slice(0, 12);

beforeAll(async () => {
  twilioApi = await startFakeTwilioApi();
  const env = { TWILIO_ACCOUNT_SID: twilioApi.accountSid, TWILIO_AUTH_TOKEN: twilioApi.authToken, TWILIO_API_URL: twilioApi.url };
  const sms = createTwilioAdapter({ id: "sms", kind: "twilio_sms", from: SMS_NUMBER }, { env });
  world = await startSlackDeskWorld({ brain: createTestBrain(), channels: [sms, webchat], channelKinds: new Map([["sms", "twilio_sms"], ["chat", "webchat"]]) });
});
afterAll(async () => {
  await world?.close();
  await twilioApi?.close();
});

/** An SMS (MMS when `media` is given) as Twilio posts it to the webhook. */
async function textIn(from: string, body: string, media: Array<{ contentType: string; bytes: Buffer }> = []): Promise<void> {
  const messageSid = sid(media.length > 0 ? "MM" : "SM");
  const extra: Record<string, string> = { NumMedia: String(media.length) };
  media.forEach((item, index) => {
    extra[`MediaUrl${index}`] = twilioApi.addMedia(messageSid, item);
    extra[`MediaContentType${index}`] = item.contentType;
  });
  const params = smsParams({ from, to: SMS_NUMBER, body, messageSid, accountSid: twilioApi.accountSid, extra });
  const form = signedTwilioForm(twilioApi.authToken, `${world.harness.env.PUBLIC_URL}/webhooks/sms`, params);
  const response = await fetch(`${world.switchboard.url}/webhooks/sms`, { method: "POST", headers: form.headers, body: form.payload });
  expect(response.status).toBe(200);
}

async function escalatedPost(channelId: string, address: string): Promise<{ conversationId: string; channel: string; ts: string }> {
  const conversation = await eventually(() => world.switchboard.store.findConversationByAddress(channelId, address), (found) => Boolean(found?.escalation?.deskRef), 15_000, "the escalation post");
  const [channel, ts] = conversation!.escalation!.deskRef!.split("/") as [string, string];
  return { conversationId: conversation!.id, channel, ts };
}

async function claimedBySam(post: { conversationId: string; channel: string; ts: string }): Promise<void> {
  await world.click(AGENTS.sam.id, post, ACTION_IDS.claim, post.conversationId);
  await eventually(() => world.switchboard.store.getConversation(post.conversationId), (found) => found?.state === "human");
}

function replyWithFiles(post: { channel: string; ts: string }, text: string, files: Array<{ name: string; bytes: Buffer; mimetype?: string }>) {
  const shared = files.map((file) => world.fake.files.addUserFile(file));
  return world.reply(post.channel, post.ts, AGENTS.sam.id, text, { subtype: "file_share", files: shared });
}

const hintsFor = (user: string) => world.fake.ephemerals.filter((item) => item.user === user).map((item) => item.text);
/** A URL we gave out, fetched from the running server (PUBLIC_URL is not where the test server listens). */
const fetchPublished = (url: string) => fetch(`${world.switchboard.url}${new URL(url).pathname}`);

describe("customer media into the Slack thread", () => {
  it("uploads an escalating MMS's image into the thread and lists a type it does not carry, with the reason", async () => {
    const phone = newPhone();
    await textIn(phone, "I want a human, here is my receipt", [
      { contentType: "image/png", bytes: PNG },
      { contentType: "text/vcard", bytes: Buffer.from("BEGIN:VCARD") },
    ]);
    const post = await escalatedPost("sms", phone);
    expect(post.channel).toBe(DESK_CHANNEL);
    const files = await eventually(() => world.fake.filesIn(post.channel, post.ts), (found) => found.length === 1, 15_000, "the uploaded image");
    expect(files[0]!.bytes.equals(PNG)).toBe(true);
    expect(files[0]!.mimetype).toBe("image/png");
    const upload = world.fake.thread(post.channel, post.ts).find((message) => message.files?.length)!;
    expect(upload.text).toContain("Not shown here");
    expect(upload.text).toMatch(/text\/vcard.*not a type we carry/);
    // Through the official client's external upload flow, with the bot token.
    for (const method of ["files.getUploadURLExternal", "files.completeUploadExternal"]) {
      expect(world.fake.callsOf(method).at(-1)?.authorization).toBe(`Bearer ${world.fake.botToken}`);
    }
  });

  it("uploads a claimed conversation's new attachment after its text, and notes one that could not be fetched", async () => {
    const phone = newPhone();
    await textIn(phone, "I want a human please");
    const post = await escalatedPost("sms", phone);
    await claimedBySam(post);
    const jpeg = Buffer.concat([Buffer.from("ffd8ffe0", "hex"), randomBytes(500)]);
    await textIn(phone, "the second page", [{ contentType: "image/jpeg", bytes: jpeg }]);
    const files = await eventually(() => world.fake.filesIn(post.channel, post.ts), (found) => found.length === 1, 15_000, "the mirrored image");
    expect(files[0]!.bytes.equals(jpeg)).toBe(true);
    const thread = world.fake.thread(post.channel, post.ts);
    const mirror = thread.findIndex((message) => message.text.includes("the second page"));
    const upload = thread.findIndex((message) => message.files?.length);
    expect(mirror).toBeGreaterThanOrEqual(0);
    expect(upload).toBeGreaterThan(mirror);

    // Media Twilio no longer has (404): the text still arrives, and agents read why the file is missing.
    const messageSid = sid("MM");
    const gone = `${twilioApi.url}/2010-04-01/Accounts/${twilioApi.accountSid}/Messages/${messageSid}/Media/ME${"0".repeat(32)}`;
    const params = smsParams({ from: phone, to: SMS_NUMBER, body: "third page", messageSid, accountSid: twilioApi.accountSid, extra: { NumMedia: "1", MediaUrl0: gone, MediaContentType0: "image/jpeg" } });
    const form = signedTwilioForm(twilioApi.authToken, `${world.harness.env.PUBLIC_URL}/webhooks/sms`, params);
    await fetch(`${world.switchboard.url}/webhooks/sms`, { method: "POST", headers: form.headers, body: form.payload });
    const note = await eventually(
      () => world.fake.thread(post.channel, post.ts).map((message) => message.text),
      (texts) => texts.some((text) => text.includes("not shown here") && text.includes("could not be fetched")),
      15_000,
      "the note about the missing file",
    );
    expect(note.some((text) => text.includes("third page"))).toBe(true);
  });

  it("never fetches an attachment URL its channel adapter does not vouch for", async () => {
    const phone = newPhone();
    const foreign = `${twilioApi.url.replace("127.0.0.1", "localhost")}/elsewhere/photo.png`;
    await world.switchboard.intake.accept(
      customerMessage("sms", phone, "I want a human please", { attachments: [{ url: foreign, contentType: "image/png" }] }),
    );
    const post = await escalatedPost("sms", phone);
    await eventually(
      () => world.fake.thread(post.channel, post.ts).map((message) => message.text),
      (texts) => texts.some((text) => text.includes("not shown here") && text.includes("could not be fetched")),
      15_000,
      "the refusal note",
    );
    expect(world.fake.filesIn(post.channel, post.ts)).toEqual([]);
    expect(twilioApi.requests.some((request) => request.path.startsWith("/elsewhere"))).toBe(false);
  });
});

describe("agents' files to the customer", () => {
  it("sends a PNG from a thread reply to Twilio as a mediaUrl that serves the same bytes", async () => {
    const phone = newPhone();
    await textIn(phone, "I want a human please");
    const post = await escalatedPost("sms", phone);
    await claimedBySam(post);
    await replyWithFiles(post, "Here is your statement", [{ name: "statement.png", bytes: PNG }]);
    const sent = await eventually(() => twilioApi.sentTo(phone).filter((message) => message.mediaUrls.length > 0), (found) => found.length === 1, 15_000, "the MMS to the customer");
    expect(sent[0]!.body).toContain("Here is your statement");
    const mediaUrl = sent[0]!.mediaUrls[0]!;
    expect(mediaUrl.startsWith(`${world.harness.env.PUBLIC_URL}/media/`)).toBe(true);
    const response = await fetchPublished(mediaUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/png");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="statement.png"');
    expect(Buffer.from(await response.arrayBuffer()).equals(PNG)).toBe(true);
    expect(hintsFor(AGENTS.sam.id).some((text) => text.includes("statement.png"))).toBe(false);
  });

  it("refuses an oversized file and a forbidden type with a hint saying why; the text still goes", async () => {
    const phone = newPhone();
    await textIn(phone, "I want a human please");
    const post = await escalatedPost("sms", phone);
    await claimedBySam(post);
    const before = hintsFor(AGENTS.sam.id).length;
    await replyWithFiles(post, "Two files for you", [
      { name: "huge.png", bytes: Buffer.concat([PNG, Buffer.alloc(6 * 1024 * 1024)]) },
      { name: "tools.zip", bytes: Buffer.from("PK\u0003\u0004") },
    ]);
    const sent = await eventually(() => twilioApi.sentTo(phone).filter((message) => message.body?.includes("Two files for you")), (found) => found.length === 1, 15_000, "the text");
    expect(sent[0]!.mediaUrls).toEqual([]);
    const hint = (await eventually(() => hintsFor(AGENTS.sam.id).slice(before), (found) => found.some((text) => text.includes("not sent to the customer")))).find((text) => text.includes("not sent"))!;
    expect(hint).toMatch(/huge\.png: .*over the 5 MB limit/);
    expect(hint).toMatch(/tools\.zip: application\/zip is not a type we carry/);

    // A download link off Slack's file host never gets the bot token.
    const shared = world.fake.files.addUserFile({ name: "photo.png", bytes: PNG });
    const elsewhere = { ...shared, url_private_download: `${twilioApi.url}/collect/photo.png` };
    await world.reply(post.channel, post.ts, AGENTS.sam.id, "one more", { subtype: "file_share", files: [elsewhere] });
    await eventually(() => hintsFor(AGENTS.sam.id), (found) => found.some((text) => text.includes("photo.png: its download link is not on Slack's file host")));
    expect(twilioApi.requests.some((request) => request.path.startsWith("/collect"))).toBe(false);
    await eventually(() => twilioApi.sentTo(phone), (found) => found.some((message) => message.body?.includes("one more") === true));

    // Only refused files and no text: nothing reaches the customer, and the agent hears so.
    const sentBefore = twilioApi.sentTo(phone).length;
    await replyWithFiles(post, "", [{ name: "setup.exe", bytes: Buffer.from("MZ") }]);
    await eventually(() => hintsFor(AGENTS.sam.id), (found) => found.some((text) => text.includes("setup.exe") && text.includes("nothing was sent")));
    expect(twilioApi.sentTo(phone).length).toBe(sentBefore);
  });

  it("shows a link on web chat, which carries no files", async () => {
    const address = `visitor-media-${Date.now()}`;
    await world.switchboard.intake.accept(customerMessage("chat", address, "I want a human please"));
    const post = await escalatedPost("chat", address);
    await claimedBySam(post);
    await replyWithFiles(post, "Your statement", [{ name: "statement.pdf", bytes: Buffer.from("%PDF-1.4 fake") }]);
    const texts = await eventually(() => webchat.textsFor(post.conversationId), (found) => found.some((text) => text.startsWith("Your statement")));
    const link = /statement\.pdf: (\S+)/.exec(texts.find((text) => text.startsWith("Your statement"))!)?.[1];
    expect(link).toBeDefined();
    const response = await fetchPublished(link!);
    expect(response.headers.get("content-type")).toBe("application/pdf");
    expect(await response.text()).toBe("%PDF-1.4 fake");
  });
});

describe("GET /media/:token", () => {
  it("answers 404 to forged and tampered tokens and 410 to expired ones, and keeps serving", async () => {
    const base = `${world.switchboard.url}/media`;
    const secret = persistentSecret(world.harness.env.DATA_DIR!, "media-secret");
    const real = signMediaToken(secret, "A".repeat(24), new Date(Date.now() + 60_000));
    const tampered = `${real.slice(0, -1)}${real.endsWith("A") ? "B" : "A"}`;
    const otherKey = signMediaToken("another-secret-0123456789abcdef0123", "A".repeat(24), new Date(Date.now() + 60_000));
    for (const token of ["garbage", tampered, otherKey, "..%2f..%2fsecrets", "x".repeat(90)]) {
      const response = await fetch(`${base}/${token}`);
      expect(response.status, token).toBe(404);
    }
    const expired = signMediaToken(secret, "B".repeat(24), new Date(Date.now() - 1_000));
    expect((await fetch(`${base}/${expired}`)).status).toBe(410);
    // Signed but never stored: not found.
    expect((await fetch(`${base}/${real}`)).status).toBe(404);
    expect((await fetch(`${world.switchboard.url}/healthz`)).status).toBe(200);
  });
});
