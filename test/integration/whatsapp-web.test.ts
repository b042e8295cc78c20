/**
 * The whatsapp-web.js channel driven through a fake client with the library's event interface, on a
 * real Fastify server: QR login served to the admin, reconnects with backoff, inbound mapping and
 * media, outbound sends.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { chromiumArgs, createWhatsAppWebAdapter, sessionDirFor, WhatsAppWebSettings, type WhatsAppWebChannelAdapter } from "../../channels/whatsapp-web/index.js";
import type { Conversation, Message } from "../../src/domain/model.js";
import { ChannelNotStartedError, DeliveryFailedError, NotFoundError, PayloadTooLargeError, ValidationError } from "../../src/errors.js";
import { memoryChannelContext, type MemoryChannelContext } from "../fakes/memory-channel-context.js";
import { fakeClientFactory, incoming, type FakeWhatsAppWebClient } from "../fakes/whatsapp-web-client.js";

const ADMIN_TOKEN = "admin-token-for-tests-0123456789";
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let dataDir: string;
let context: MemoryChannelContext;
let app: FastifyInstance;
let adapter: WhatsAppWebChannelAdapter;
let fakes: ReturnType<typeof fakeClientFactory>;
let printed: string[];

async function build(options: { env?: Record<string, string>; entry?: Record<string, unknown>; failInitialize?: (attempt: number) => Error | undefined } = {}) {
  fakes = fakeClientFactory(options.failInitialize ? { failInitialize: options.failInitialize } : {});
  printed = [];
  adapter = createWhatsAppWebAdapter(
    { id: "wweb", kind: "whatsapp_web", reconnect: { initialDelayMs: 20, maxDelayMs: 80 }, media: { maxBytes: 1000 }, ...options.entry },
    { env: options.env ?? { ADMIN_TOKEN }, clientFactory: fakes.factory, printQr: (rendered) => printed.push(rendered) },
  );
  app = Fastify();
  await adapter.registerRoutes(app, context);
  await app.ready();
  await adapter.start(context);
}

const admin = (url: string, token: string | null = ADMIN_TOKEN) =>
  app.inject({ method: "GET", url, headers: token === null ? {} : { authorization: `Bearer ${token}` } });

async function connected(): Promise<FakeWhatsAppWebClient> {
  const client = fakes.latest();
  client.scanAndConnect();
  expect(adapter.status().state).toBe("ready");
  return client;
}

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "wweb-"));
  context = memoryChannelContext({ publicUrl: "https://support.example.com", dataDir });
});
afterEach(async () => {
  await adapter?.stop();
  await app?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe("login and session", () => {
  it("builds the client with LocalAuth under DATA_DIR/whatsapp-web/<id> and the system Chromium flags", async () => {
    await build();
    expect(fakes.clients).toHaveLength(1);
    expect(fakes.latest().initialized).toBe(true);
    expect(fakes.latest().options.sessionDir).toBe(join(dataDir, "whatsapp-web", "wweb"));
    expect(fakes.latest().options.settings.executablePath).toBe("/usr/bin/chromium");
    const settings = WhatsAppWebSettings.parse({ id: "w", kind: "whatsapp_web" });
    expect(chromiumArgs(settings, true)).toEqual(expect.arrayContaining(["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]));
    expect(chromiumArgs(settings, false)).not.toContain("--no-sandbox");
    expect(sessionDirFor(".data", "x")).toBe(join(".data", "whatsapp-web", "x"));
  });

  it("prints the QR code on the terminal and serves it as a PNG to the admin only", async () => {
    await build();
    fakes.latest().showQr("2@abc,def,ghi");
    expect(adapter.status().state).toBe("waiting_for_qr_scan");
    expect(printed).toHaveLength(1);
    expect(printed[0]).toMatch(/█/);

    const png = await admin("/admin/channels/wweb/qr.png");
    expect(png.statusCode).toBe(200);
    expect(png.headers["content-type"]).toBe("image/png");
    expect(png.rawPayload.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    expect((await admin("/admin/channels/wweb/qr.png", null)).statusCode).toBe(401);
    expect((await admin("/admin/channels/wweb/qr.png", "wrong-token")).statusCode).toBe(401);
    expect((await admin("/admin/channels/other/qr.png")).statusCode).toBe(404);

    fakes.latest().scanAndConnect();
    const after = await admin("/admin/channels/wweb/qr.png");
    expect(after.statusCode).toBe(404);
    expect(after.json()).toMatchObject({ state: "ready" });
    expect((await admin("/admin/channels/wweb/status")).json()).toMatchObject({ state: "ready", failures: 0, qrPending: false });
  });

  it("refuses the admin routes when ADMIN_TOKEN is not set", async () => {
    await build({ env: {} });
    fakes.latest().showQr();
    expect((await admin("/admin/channels/wweb/qr.png")).statusCode).toBe(503);
  });

  it("reconnects with exponential backoff after a disconnect, an auth failure or a browser that does not start", async () => {
    await build({ failInitialize: (attempt) => (attempt === 3 ? new Error("net::ERR_NAME_NOT_RESOLVED at https://web.whatsapp.com/") : undefined) });
    await connected();
    fakes.latest().drop("CONFLICT");
    expect(adapter.status()).toMatchObject({ state: "reconnecting", failures: 1, lastError: "disconnected: CONFLICT" });
    expect(fakes.clients[0]!.destroyed).toBe(true);
    await vi.waitFor(() => expect(fakes.clients).toHaveLength(2));

    fakes.latest().failAuth();
    expect(adapter.status()).toMatchObject({ state: "reconnecting", failures: 2 });
    // Third client fails to start: a fourth follows after a longer wait.
    await vi.waitFor(() => expect(fakes.clients).toHaveLength(4), { timeout: 2000 });
    expect(fakes.clients[2]!.destroyed).toBe(true);
    const status = adapter.status();
    expect(status.state).toBe("starting");
    expect(status.failures).toBe(3);

    // An event from a client we gave up on changes nothing.
    fakes.clients[0]!.scanAndConnect();
    expect(adapter.status().state).toBe("starting");
    await connected();
    expect(adapter.status().failures).toBe(0);
  });

  it("doubles the delay up to the cap and stops reconnecting after stop()", async () => {
    await build();
    const settings = { initialDelayMs: 20, maxDelayMs: 80 };
    const { WhatsAppWebSession } = await import("../../channels/whatsapp-web/session.js");
    const session = new WhatsAppWebSession({ ...settings, createClient: fakes.factory as never, onMessage: async () => {}, onQr: () => {}, logger: context.logger, now: context.now });
    expect([1, 2, 3, 4, 5].map((failures) => session.delayFor(failures))).toEqual([20, 40, 80, 80, 80]);

    fakes.latest().drop("UNPAIRED");
    await adapter.stop();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fakes.clients).toHaveLength(1);
    expect(adapter.status().state).toBe("stopped");
  });
});

describe("inbound messages", () => {
  it("maps a customer's chat message into the conversation model", async () => {
    await build();
    const client = await connected();
    const message = incoming({ from: "15551234567@c.us", body: "When is my next payment?", pushname: "Ada" });
    client.receive(message);
    await vi.waitFor(() => expect(context.memoryIntake.accepted).toHaveLength(1));
    expect(context.memoryIntake.accepted[0]).toMatchObject({
      channelId: "wweb", channelMessageId: message.id._serialized, customerAddress: "whatsapp:+15551234567", customerName: "Ada",
      text: "When is my next payment?", attachments: [], meta: { chatId: "15551234567@c.us", type: "chat" },
    });
    client.receive(message);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(context.memory.messages.size).toBe(1);
  });

  it("ignores own messages, groups, status updates, broadcasts, channels and notifications", async () => {
    await build();
    const client = await connected();
    client.receive(incoming({ fromMe: true, body: "mine" }));
    client.receive(incoming({ from: "120363000000000000@g.us", author: "15551234567@c.us", body: "group" }));
    client.receive(incoming({ from: "status@broadcast", isStatus: true, body: "status" }));
    client.receive(incoming({ from: "15551234567@c.us", broadcast: true, body: "list" }));
    client.receive(incoming({ from: "120363111111111111@newsletter", body: "channel" }));
    client.receive(incoming({ type: "e2e_notification" }));
    client.receive(incoming({ body: "the real one" }));
    await vi.waitFor(() => expect(context.memoryIntake.accepted).toHaveLength(1));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(context.memoryIntake.accepted.map((message) => message.text)).toEqual(["the real one"]);
  });

  it("uses the contact's phone number for a linked-id chat", async () => {
    await build();
    const client = await connected();
    client.receive(incoming({ from: "123456789012345@lid", body: "hi", contactNumber: "447700900123" }));
    await vi.waitFor(() => expect(context.memoryIntake.accepted[0]?.customerAddress).toBe("whatsapp:+447700900123"));
  });

  it("downloads media under the cap, keeps it under DATA_DIR and serves it to the admin; drops larger media", async () => {
    await build();
    const client = await connected();
    const bytes = Buffer.from("fake-jpeg-bytes");
    client.receive(incoming({ body: "my receipt", media: { mimetype: "image/jpeg", data: bytes.toString("base64"), filename: "receipt.jpg" } }));
    await vi.waitFor(() => expect(context.memoryIntake.accepted).toHaveLength(1));
    const [attachment] = context.memoryIntake.accepted[0]!.attachments;
    expect(attachment).toMatchObject({ contentType: "image/jpeg", name: "receipt.jpg", sizeBytes: bytes.length });
    const path = new URL(attachment!.url!).pathname;
    expect(path).toMatch(/^\/admin\/channels\/wweb\/media\/[0-9a-f]{64}\.jpg$/);
    const served = await admin(path);
    expect(served.statusCode).toBe(200);
    expect(served.rawPayload).toEqual(bytes);
    expect((await admin(path, "nope")).statusCode).toBe(401);
    expect((await admin("/admin/channels/wweb/media/..%2F..%2Fsession")).statusCode).toBe(404);

    const big = Buffer.alloc(5000).toString("base64");
    client.receive(incoming({ body: "", media: { mimetype: "video/mp4", data: big } }));
    client.receive(incoming({ body: "caption kept", media: { mimetype: "video/mp4", data: Buffer.alloc(10).toString("base64") }, announcedSize: 50_000_000 }));
    await vi.waitFor(() => expect(context.memoryIntake.accepted).toHaveLength(3));
    expect(context.memoryIntake.accepted[1]).toMatchObject({ text: "[media too large to receive]", attachments: [], meta: { droppedMedia: expect.stringMatching(/too large/) } });
    expect(context.memoryIntake.accepted[2]).toMatchObject({ text: "caption kept", attachments: [] });
  });
});

describe("customer media for the desk (fetchAttachment)", () => {
  const jpeg = Buffer.concat([Buffer.from("ffd8ffe0", "hex"), Buffer.from("a photo of the broken hinge")]);
  const photo = { mimetype: "image/jpeg", data: jpeg.toString("base64"), filename: "hinge.jpg" };

  it("gives back the exact bytes of an image kept at intake, with its caption as the message text", async () => {
    await build();
    const client = await connected();
    client.receive(incoming({ body: "the hinge", media: photo }));
    await vi.waitFor(() => expect(context.memoryIntake.accepted).toHaveLength(1));
    const inbound = context.memoryIntake.accepted[0]!;
    expect(inbound).toMatchObject({ text: "the hinge", attachments: [{ contentType: "image/jpeg", name: "hinge.jpg", sizeBytes: jpeg.length }] });
    const fetched = await adapter.fetchAttachment(inbound.attachments[0]!);
    expect(fetched.contentType).toBe("image/jpeg");
    expect(fetched.bytes.equals(jpeg)).toBe(true);

    await rm(join(sessionDirFor(dataDir, "wweb"), "media"), { recursive: true });
    await expect(adapter.fetchAttachment(inbound.attachments[0]!)).rejects.toThrow(/no longer kept/);
  });

  it("keeps a reference to media the intake could not download, accepts the media-only message, and fetches it through the session", async () => {
    await build();
    const client = await connected();
    const voice = Buffer.from("OggS voice note bytes");
    const message = incoming({ type: "ptt", media: { mimetype: "audio/ogg; codecs=opus", data: voice.toString("base64") }, failedDownloads: 1 });
    client.receive(message);
    await vi.waitFor(() => expect(context.memoryIntake.accepted).toHaveLength(1));
    const inbound = context.memoryIntake.accepted[0]!;
    expect(inbound).toMatchObject({ text: "", meta: { deferredMedia: expect.stringMatching(/download failed/) } });
    expect(inbound.attachments).toEqual([{ url: `whatsapp-web://message/${message.id._serialized}`, contentType: "audio/ogg; codecs=opus", sizeBytes: voice.length }]);

    const fetched = await adapter.fetchAttachment(inbound.attachments[0]!);
    expect(fetched.contentType).toBe("audio/ogg; codecs=opus");
    expect(fetched.bytes.equals(voice)).toBe(true);

    client.expireMedia(message.id._serialized);
    await expect(adapter.fetchAttachment(inbound.attachments[0]!)).rejects.toThrow(NotFoundError);
    await expect(adapter.fetchAttachment(inbound.attachments[0]!)).rejects.toThrow(/expired on WhatsApp's servers/);
    client.deleteMessage(message.id._serialized);
    await expect(adapter.fetchAttachment(inbound.attachments[0]!)).rejects.toThrow(/deleted, or no longer in the linked session/);

    // Media still being fetched by the phone: the library's download gives nothing yet.
    const pending = incoming({ body: "the invoice", type: "document", media: { mimetype: "application/pdf", data: "JVBERi0=", filename: "invoice.pdf" } });
    pending.downloadMedia = async () => undefined;
    client.receive(pending);
    await vi.waitFor(() => expect(context.memoryIntake.accepted).toHaveLength(2));
    expect(context.memoryIntake.accepted[1]).toMatchObject({
      text: "the invoice",
      attachments: [{ url: `whatsapp-web://message/${pending.id._serialized}`, contentType: "application/pdf", name: "invoice.pdf" }],
      meta: { deferredMedia: "not downloadable yet" },
    });

    client.drop();
    await expect(adapter.fetchAttachment(inbound.attachments[0]!)).rejects.toBeInstanceOf(ChannelNotStartedError);
  });

  it("caps what it fetches through the session", async () => {
    await build();
    const client = await connected();
    const message = incoming({ media: { mimetype: "video/mp4", data: Buffer.alloc(5_000).toString("base64") }, announcedSize: 10, failedDownloads: 1 });
    client.receive(message);
    await vi.waitFor(() => expect(context.memoryIntake.accepted).toHaveLength(1));
    await expect(adapter.fetchAttachment(context.memoryIntake.accepted[0]!.attachments[0]!)).rejects.toBeInstanceOf(PayloadTooLargeError);
  });

  it("refuses references it did not issue", async () => {
    await build();
    const client = await connected();
    client.receive(incoming({ body: "kept", media: photo }));
    await vi.waitFor(() => expect(context.memoryIntake.accepted).toHaveLength(1));
    const kept = context.memoryIntake.accepted[0]!.attachments[0]!.url!;
    const name = kept.split("/").at(-1)!;
    const foreign = [
      undefined,
      "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1",
      `https://elsewhere.example.com/admin/channels/wweb/media/${name}`,
      `https://support.example.com/admin/channels/other/media/${name}`,
      "https://support.example.com/admin/channels/wweb/media/..%2F..%2Fsession.json",
      "whatsapp-web://message/../../etc/passwd",
      "whatsapp-web://message/false_120363000000000000@g.us_3A0000000000000001",
      "file:///etc/passwd",
    ];
    for (const url of foreign) {
      await expect(adapter.fetchAttachment({ ...(url ? { url } : {}), contentType: "image/jpeg" })).rejects.toBeInstanceOf(ValidationError);
    }
  });
});

describe("sending", () => {
  let files: Server;
  let filesUrl: string;
  beforeAll(async () => {
    files = createServer((request, response) => {
      if (request.url === "/big.bin") response.end(Buffer.alloc(5000));
      else response.writeHead(200, { "content-type": "image/png" }).end(Buffer.from("png"));
    });
    await new Promise<void>((resolve) => files.listen(0, "127.0.0.1", resolve));
    filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
  });
  afterAll(async () => new Promise<void>((resolve) => files.close(() => resolve())));

  async function delivery(text: string, attachments: Message["attachments"] = [], address = "whatsapp:+15551234567"): Promise<{ message: Message; conversation: Conversation }> {
    const { conversation } = await context.memory.recordInbound({ channelId: "wweb", channelMessageId: `in-${Math.random()}`, customerAddress: address, text: "hi", attachments: [], receivedAt: new Date(), meta: {} });
    const message = await context.memory.appendOutbound({ conversationId: conversation.id, author: "agent", text, attachments });
    return { message, conversation };
  }
  const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error as DeliveryFailedError);

  it("waits (transient failure) while the session is not connected", async () => {
    await build();
    const error = await failure(adapter.send(await delivery("hello")));
    expect(error).toBeInstanceOf(DeliveryFailedError);
    expect(error).toMatchObject({ permanent: false, providerCode: "whatsapp_web_not_ready", retryAfterMs: 5000 });
  });

  it("sends text to the customer's chat and returns the WhatsApp message id", async () => {
    await build();
    const client = await connected();
    const receipt = await adapter.send(await delivery("Your payment of $42.50 is due on 3 March."));
    expect(client.sent).toEqual([{ chatId: "15551234567@c.us", content: "Your payment of $42.50 is due on 3 March." }]);
    expect(receipt).toMatchObject({ status: "sent", channelMessageId: expect.stringMatching(/^true_15551234567@c\.us_/) });
    expect(adapter.sendRateLimit({} as never)).toEqual({ key: "whatsapp-web:wweb", perSecond: 1 });
  });

  it("sends attachments as media with the text as caption, within the size cap", async () => {
    await build();
    const client = await connected();
    await adapter.send(await delivery("Here is your statement", [{ url: `${filesUrl}/statement.png`, contentType: "image/png", name: "statement.png" }]));
    expect(client.sent).toHaveLength(1);
    expect(client.sent[0]).toMatchObject({ chatId: "15551234567@c.us", content: { mimetype: "image/png", data: Buffer.from("png").toString("base64"), filename: "statement.png" }, options: { caption: "Here is your statement" } });
    const tooBig = await failure(adapter.send(await delivery("big", [{ url: `${filesUrl}/big.bin`, contentType: "application/octet-stream" }])));
    expect(tooBig).toMatchObject({ permanent: true, providerCode: "attachment_too_large" });
  });

  it("fails permanently for numbers not on WhatsApp and opted-out customers; transiently when the browser errors", async () => {
    await build();
    const client = await connected();
    client.unregistered.add("15550000000");
    expect(await failure(adapter.send(await delivery("hi", [], "whatsapp:+15550000000")))).toMatchObject({ permanent: true, providerCode: "not_on_whatsapp" });
    await context.memory.setOptOut("wweb", "whatsapp:+15557777777", true);
    expect(await failure(adapter.send(await delivery("hi", [], "whatsapp:+15557777777")))).toMatchObject({ permanent: true, providerCode: "opted_out" });
    client.sendFailure = new Error("Evaluation failed: TypeError: Cannot read properties of undefined");
    expect(await failure(adapter.send(await delivery("hi")))).toMatchObject({ permanent: false, providerCode: "whatsapp_web_send_failed" });
    expect(client.sent).toHaveLength(0);
  });
});

describe.runIf(existsSync("/usr/bin/chromium"))("with the real whatsapp-web.js and the system Chromium", () => {
  it("launches the browser with LocalAuth under DATA_DIR and reports the outcome (QR, or a retry when WhatsApp is unreachable)", async () => {
    adapter = createWhatsAppWebAdapter({ id: "real", kind: "whatsapp_web", printQr: false, reconnect: { initialDelayMs: 60_000, maxDelayMs: 60_000 } }, { env: { ADMIN_TOKEN } });
    app = Fastify();
    await adapter.registerRoutes(app, context);
    await adapter.start(context);
    await vi.waitFor(() => expect(["waiting_for_qr_scan", "reconnecting"]).toContain(adapter.status().state), { timeout: 25_000, interval: 100 });
    expect(existsSync(join(dataDir, "whatsapp-web", "real", "session"))).toBe(true);
    if (adapter.status().state === "reconnecting") expect(adapter.status().lastError).toMatch(/could not start/);
  }, 40_000);
});
