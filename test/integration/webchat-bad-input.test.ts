/**
 * Hostile and broken clients: every bad frame gets an error frame or a close code with a reason, nothing
 * is stored, and a well-behaved visitor on the same server keeps being served throughout.
 */
import WebSocket from "ws";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { signSessionToken } from "../../channels/webchat/session-token.js";
import { createHarness, type Harness } from "../support/switchboard-harness.js";
import { ChatClient, newSession, sessionOf, startWebchat, WEBCHAT_TEST_SECRET, type WebchatServer } from "../support/webchat-harness.js";

let harness: Harness;
let served: WebchatServer;
const clients: ChatClient[] = [];
const tokens = new Map<ChatClient, string>();

async function connect() {
  const { body } = await newSession(served.baseUrl);
  const connected = await ChatClient.connect(served.wsUrl, String(body.sessionToken));
  clients.push(connected.client);
  tokens.set(connected.client, String(body.sessionToken));
  return connected.client;
}

/** What the store holds from this client's visitor. */
async function storedFrom(client: ChatClient) {
  const conversation = await served.running.store.findConversationByAddress("webchat", sessionOf(tokens.get(client)!).visitorId);
  return conversation ? served.running.store.listMessages(conversation.id) : [];
}

async function open() {
  const client = await ChatClient.open(served.wsUrl);
  clients.push(client);
  return client;
}

/** A bystander proves the server still serves everyone else. */
async function bystanderStillServed() {
  const bystander = await connect();
  bystander.send({ type: "message", id: `ok-${Date.now()}`, text: "still there?" });
  expect(await bystander.next((frame) => frame.type === "receipt")).toMatchObject({ duplicate: false });
}

beforeAll(async () => {
  harness = await createHarness();
  served = await startWebchat(harness, {
    settings: { rateLimit: { messages: { perSecond: 0.1, burst: 3 }, maxStrikes: 8 } },
    timing: { authTimeoutMs: 300, heartbeatMs: 250 },
  });
});
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});
afterAll(async () => harness.stopAll());

describe("web chat bad input", () => {
  it("answers malformed, unknown, incomplete, oversized-text and binary frames with error frames; stores nothing", async () => {
    const client = await connect();
    const cases: Array<[unknown, string]> = [
      ["{this is not json", "malformed_json"],
      [{ type: "refund_me", amount: 1000 }, "unknown_frame_type"],
      [{ type: "message", id: "missing-text" }, "invalid_frame"],
      [{ type: "message", id: "long-text-1", text: "x".repeat(4_001) }, "text_too_long"],
      [{ type: "message", id: "blank-text1", text: "   " }, "text_empty"],
    ];
    for (const [frame, code] of cases) {
      client.send(frame);
      expect(await client.next((received) => received.type === "error")).toMatchObject({ code });
    }
    client.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await client.next((received) => received.type === "error")).toMatchObject({ code: "binary_not_supported" });
    expect(await storedFrom(client)).toHaveLength(0);
    expect(client.closed).toBeUndefined();

    // Still usable after all that.
    client.send({ type: "message", id: "good-00001", text: "x".repeat(4_000) });
    expect(await client.next((received) => received.type === "receipt")).toMatchObject({ id: "good-00001" });
  });

  it("stores a message with control characters (U+0000 included) without them, and refuses one made only of them", async () => {
    const client = await connect();
    client.send({ type: "message", id: "control-01", text: "hello\u0000\u0007\u001b[31m world\u0085" });
    expect(await client.next((received) => received.type === "receipt" || received.type === "error")).toMatchObject({ type: "receipt", id: "control-01" });
    client.send({ type: "message", id: "control-02", text: "\u0000\u0001\u007f" });
    expect(await client.next((received) => received.type === "error")).toMatchObject({ code: "invalid_frame", id: "control-02" });
    expect((await storedFrom(client)).filter((message) => message.author === "customer").map((message) => message.text)).toEqual(["hello[31m world"]);
  });

  it("closes a socket that sends a frame over the payload limit with 1009", async () => {
    const client = await connect();
    client.send({ type: "message", id: "huge-00001", text: "y".repeat(70 * 1024) });
    expect((await client.waitClose()).code).toBe(1009);
    expect(await storedFrom(client)).toHaveLength(0);
    await bystanderStillServed();
  });

  it("closes with 4401 and a reason for forged, expired, other-channel and missing tokens", async () => {
    const now = new Date();
    const tokens: Array<[string, string]> = [
      [signSessionToken({ visitorId: "wv_x", channelId: "webchat", issuedAt: now, expiresAt: new Date(now.getTime() + 60_000) }, "another-secret-0123456789abcdef0123"), "invalid session token"],
      [signSessionToken({ visitorId: "wv_x", channelId: "webchat", issuedAt: new Date(0), expiresAt: new Date(now.getTime() - 1_000) }, WEBCHAT_TEST_SECRET), "session expired"],
      [signSessionToken({ visitorId: "wv_x", channelId: "other", issuedAt: now, expiresAt: new Date(now.getTime() + 60_000) }, WEBCHAT_TEST_SECRET), "session is for another channel"],
      ["sbw1.garbage", "invalid session token"],
    ];
    for (const [token, reason] of tokens) {
      const client = await open();
      client.send({ type: "auth", token });
      expect(await client.waitClose()).toEqual({ code: 4401, reason });
    }
    const noAuth = await open();
    noAuth.send({ type: "message", id: "sneaky-0001", text: "let me in" });
    expect(await noAuth.waitClose()).toMatchObject({ code: 4401 });
    const silent = await open();
    expect(await silent.waitClose()).toEqual({ code: 4401, reason: "authenticate with an auth frame first" });
    expect(await served.running.store.findConversationByAddress("webchat", "wv_x")).toBeNull();
    await bystanderStillServed();
  });

  it("refuses a flood from one session after its burst, then closes it with 1008", async () => {
    const flooder = await connect();
    for (let index = 0; index < 12; index += 1) flooder.send({ type: "message", id: `flood-${String(index).padStart(4, "0")}`, text: `spam ${index}` });
    const closed = await flooder.waitClose();
    expect(closed).toEqual({ code: 1008, reason: "too many refused or invalid frames" });
    const receipts = flooder.frames.filter((frame) => frame.type === "receipt");
    const refusals = flooder.frames.filter((frame) => frame.type === "error" && frame.code === "rate_limited");
    expect(receipts).toHaveLength(3);
    expect(refusals.length).toBeGreaterThanOrEqual(6);
    expect(refusals[0]!.retryAfterMs).toBeGreaterThan(0);
    expect((await storedFrom(flooder)).map((message) => message.text)).toEqual(["spam 0", "spam 1", "spam 2"]);
    await bystanderStillServed();
  });

  it("closes a socket whose session expires while it is open, at its next message", async () => {
    const visitorId = `wv_expiring${Date.now()}`;
    // Tokens count in whole seconds: at least 1.5 s to connect, then wait until it has passed.
    const expiresAt = Math.floor((Date.now() + 2_500) / 1000) * 1000;
    const token = signSessionToken({ visitorId, channelId: "webchat", issuedAt: new Date(), expiresAt: new Date(expiresAt) }, WEBCHAT_TEST_SECRET);
    const { client } = await ChatClient.connect(served.wsUrl, token);
    clients.push(client);
    await new Promise((resolve) => setTimeout(resolve, expiresAt - Date.now() + 100));
    client.send({ type: "message", id: "late-000001", text: "still me?" });
    expect(await client.waitClose()).toEqual({ code: 4401, reason: "session expired" });
    expect(await served.running.store.findConversationByAddress("webchat", visitorId)).toBeNull();
  });

  it("drops a peer that stops answering pings, and keeps one that answers", async () => {
    const { body } = await newSession(served.baseUrl);
    const silent = new WebSocket(served.wsUrl, { autoPong: false });
    const closed = new Promise<number>((resolve) => silent.on("close", (code) => resolve(code)));
    await new Promise((resolve) => silent.on("open", resolve));
    silent.send(JSON.stringify({ type: "auth", token: body.sessionToken }));
    // Terminated without a close frame: the client sees 1006 (abnormal closure).
    expect(await closed).toBe(1006);

    const healthy = await connect();
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(healthy.closed).toBeUndefined();
  });

  it("limits sockets per session", async () => {
    const { body } = await newSession(served.baseUrl);
    const open8 = await Promise.all(Array.from({ length: 8 }, () => ChatClient.connect(served.wsUrl, String(body.sessionToken))));
    clients.push(...open8.map((connected) => connected.client));
    const ninth = await open();
    ninth.send({ type: "auth", token: String(body.sessionToken) });
    expect(await ninth.waitClose()).toMatchObject({ code: 4429 });
  });

  it("refuses a second auth frame as a strike, not a second identity", async () => {
    const client = await connect();
    const { body } = await newSession(served.baseUrl);
    client.send({ type: "auth", token: body.sessionToken });
    expect(await client.next((frame) => frame.type === "error")).toMatchObject({ code: "already_authenticated" });
  });

  it("checks the Origin of sockets and sessions when allowed origins are configured", async () => {
    const strict = await createHarness({ PUBLIC_URL: "https://support.kestrel.example" });
    try {
      await checkOrigins(await startWebchat(strict, { settings: { allowedOrigins: ["https://shop.kestrel.example"] } }));
    } finally {
      await strict.stopAll();
    }
  });
});

/** The Origin rules of a server whose PUBLIC_URL is https://support.kestrel.example. */
async function checkOrigins(served: WebchatServer) {
  const refused = new WebSocket(served.wsUrl, { headers: { origin: "https://evil.example" } });
  const status = await new Promise<number>((resolve) =>
    refused.on("unexpected-response", (request, response) => {
      resolve(response.statusCode ?? 0);
      request.destroy();
    }),
  );
  expect(status).toBe(403);

  expect((await newSession(served.baseUrl, {}, { origin: "https://evil.example" })).status).toBe(403);
  const allowed = await newSession(served.baseUrl, {}, { origin: "https://shop.kestrel.example" });
  expect(allowed.status).toBe(200);
  expect(allowed.headers.get("access-control-allow-origin")).toBe("https://shop.kestrel.example");
  const own = await newSession(served.baseUrl, {}, { origin: "https://support.kestrel.example" });
  expect(own.status).toBe(200);

  const preflight = await fetch(`${served.baseUrl}/webchat/sessions`, { method: "OPTIONS", headers: { origin: "https://shop.kestrel.example", "access-control-request-method": "POST" } });
  expect(preflight.status).toBe(204);
  expect(preflight.headers.get("access-control-allow-headers")).toBe("content-type");

  const good = new WebSocket(served.wsUrl, { headers: { origin: "https://shop.kestrel.example" } });
  await new Promise((resolve, reject) => {
    good.on("open", resolve);
    good.on("error", reject);
  });
  good.close();
}
