/**
 * A WhatsApp Web customer's media into the Slack thread, on real Redis and PostgreSQL: the fake
 * whatsapp-web.js client delivers a photo (downloaded and kept at intake) and a voice note whose download
 * failed at intake (kept as a reference to the message); the desk fetches both through the channel
 * adapter's `fetchAttachment` and uploads the exact bytes into the escalation's thread.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWhatsAppWebAdapter } from "../../channels/whatsapp-web/index.js";
import { fakeClientFactory, incoming, type FakeWhatsAppWebClient } from "../fakes/whatsapp-web-client.js";
import { eventually } from "../support/eventually.js";
import { DESK_CHANNEL, startSlackDeskWorld, type SlackDeskWorld } from "../support/slack-desk-harness.js";
import { createTestBrain } from "../support/test-brain.js";

const fakes = fakeClientFactory();
let world: SlackDeskWorld;
let client: FakeWhatsAppWebClient;

beforeAll(async () => {
  const wweb = createWhatsAppWebAdapter({ id: "wweb", kind: "whatsapp_web", printQr: false }, { env: {}, clientFactory: fakes.factory });
  world = await startSlackDeskWorld({ brain: createTestBrain(), channels: [wweb], channelKinds: new Map([["wweb", "whatsapp_web"]]) });
  client = fakes.latest();
  client.scanAndConnect();
});
afterAll(async () => {
  await world?.close();
});

async function threadFiles(chatId: string) {
  const address = `whatsapp:+${chatId.split("@")[0]}`;
  const conversation = await eventually(() => world.switchboard.store.findConversationByAddress("wweb", address), (found) => Boolean(found?.escalation?.deskRef), 15_000, "the escalation post");
  const [channel, ts] = conversation!.escalation!.deskRef!.split("/") as [string, string];
  expect(channel).toBe(DESK_CHANNEL);
  return eventually(() => world.fake.filesIn(channel, ts), (found) => found.length === 1, 15_000, "the uploaded file");
}

describe("WhatsApp Web media into the Slack thread", () => {
  it("uploads a photo the intake kept, byte for byte", async () => {
    const jpeg = Buffer.concat([Buffer.from("ffd8ffe0", "hex"), randomBytes(1_500)]);
    const from = "15557770001@c.us";
    client.receive(incoming({ from, body: "I want a human, the box arrived like this", media: { mimetype: "image/jpeg", data: jpeg.toString("base64"), filename: "box.jpg" } }));
    const [file] = await threadFiles(from);
    expect(file!.bytes.equals(jpeg)).toBe(true);
    expect(file!.mimetype).toBe("image/jpeg");
  });

  it("uploads a voice note the intake could not download, fetched later through the linked session", async () => {
    const voice = Buffer.concat([Buffer.from("OggS"), randomBytes(800)]);
    const from = "15557770002@c.us";
    client.receive(incoming({ from, type: "ptt", body: "human please", media: { mimetype: "audio/ogg; codecs=opus", data: voice.toString("base64") }, failedDownloads: 1 }));
    const [file] = await threadFiles(from);
    expect(file!.bytes.equals(voice)).toBe(true);
  });
});
