/**
 * The web chat's HTTP side on a whole in-process Switchboard: sessions (new, resumed, verified
 * customers, rate limited), the widget script and the demo page; and the channel on a bare Fastify app,
 * where it registers @fastify/websocket itself.
 */
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisBus, createRedisOnceGuard, createRedisRateLimiter } from "../../adapters/queue/index.js";
import { createWebchatAdapter } from "../../channels/webchat/index.js";
import { signSessionToken } from "../../channels/webchat/session-token.js";
import { signCustomerToken } from "../../src/agent/identity.js";
import { silentLogger } from "../../src/logging/logger.js";
import { TEST_REDIS_URL, uniqueName } from "../support/services.js";
import { createHarness, type Harness } from "../support/switchboard-harness.js";
import { ChatClient, newSession, sessionOf, startWebchat, WEBCHAT_TEST_SECRET, type WebchatServer } from "../support/webchat-harness.js";

/** The company's site signs customer tokens with the shared CUSTOMER_TOKEN_SECRET. */
const CUSTOMER_TOKEN_SECRET = "customer-token-secret-0123456789abcdef";
const customerToken = (customerId: string, now = new Date()) => signCustomerToken(customerId, CUSTOMER_TOKEN_SECRET, now);

let harness: Harness;
let server: WebchatServer;
beforeAll(async () => {
  harness = await createHarness();
  server = await startWebchat(harness, { customerTokenSecret: CUSTOMER_TOKEN_SECRET, settings: { title: "Kestrel Pay support" } });
});
afterAll(async () => harness.stopAll());

const visitorOf = (token: unknown) => sessionOf(String(token)).visitorId;

describe("web chat sessions", () => {
  it("issues, resumes and renews sessions; forged, stale or signed-out tokens start a new visitor", async () => {
    const first = await newSession(server.baseUrl);
    expect(first.status).toBe(200);
    expect(first.headers.get("cache-control")).toBe("no-store");
    expect(first.body).toMatchObject({ resumed: false, verified: false, widget: { channelId: "webchat", title: "Kestrel Pay support", maxTextChars: 4000, humanButtonLabel: "Talk to a human" } });
    const visitor = visitorOf(first.body.sessionToken);

    const resumed = await newSession(server.baseUrl, { sessionToken: first.body.sessionToken });
    expect(resumed.body.resumed).toBe(true);
    expect(visitorOf(resumed.body.sessionToken)).toBe(visitor);

    // Expired ten days ago: still this visitor (within the 30-day resume window); 31 days: a new one.
    const day = 86_400_000;
    const old = signSessionToken({ visitorId: visitor, channelId: "webchat", issuedAt: new Date(Date.now() - 11 * day), expiresAt: new Date(Date.now() - 10 * day) }, WEBCHAT_TEST_SECRET);
    expect(visitorOf((await newSession(server.baseUrl, { sessionToken: old })).body.sessionToken)).toBe(visitor);
    const ancient = signSessionToken({ visitorId: visitor, channelId: "webchat", issuedAt: new Date(0), expiresAt: new Date(Date.now() - 31 * day) }, WEBCHAT_TEST_SECRET);
    expect(visitorOf((await newSession(server.baseUrl, { sessionToken: ancient })).body.sessionToken)).not.toBe(visitor);

    const forged = `${String(first.body.sessionToken).slice(0, -4)}${String(first.body.sessionToken).endsWith("AAAA") ? "BBBB" : "AAAA"}`;
    const fresh = await newSession(server.baseUrl, { sessionToken: forged });
    expect(fresh.body.resumed).toBe(false);
    expect(visitorOf(fresh.body.sessionToken)).not.toBe(visitor);

    // A signed-in customer's session is never carried into an anonymous one (shared computer, signed out).
    const signedIn = signSessionToken({ visitorId: "wc_someone", channelId: "webchat", customerId: "C-1", issuedAt: new Date(), expiresAt: new Date(Date.now() + 60_000) }, WEBCHAT_TEST_SECRET);
    const signedOut = await newSession(server.baseUrl, { sessionToken: signedIn });
    expect(signedOut.body.resumed).toBe(false);
    expect(sessionOf(String(signedOut.body.sessionToken))).not.toHaveProperty("customerId");

    expect((await newSession(server.baseUrl, { sessionToken: 42 })).status).toBe(400);
    expect((await newSession(server.baseUrl, { conversationId: "someone-elses" })).status).toBe(400);
  });

  it("ties verified customers to one visitor on every device and passes the customer id to the core", async () => {
    const phone = await newSession(server.baseUrl, { customerToken: customerToken("C-1001") });
    const laptop = await newSession(server.baseUrl, { customerToken: customerToken("C-1001") });
    expect(phone.body).toMatchObject({ verified: true, resumed: true });
    expect(sessionOf(String(phone.body.sessionToken))).toMatchObject({ customerId: "C-1001" });
    expect(visitorOf(laptop.body.sessionToken)).toBe(visitorOf(phone.body.sessionToken));
    expect(visitorOf((await newSession(server.baseUrl, { customerToken: customerToken("C-2002") })).body.sessionToken)).not.toBe(visitorOf(phone.body.sessionToken));
    const refused = { status: 401, body: { error: "customer_token_invalid" } };
    expect(await newSession(server.baseUrl, { customerToken: "forged" })).toMatchObject(refused);
    expect(await newSession(server.baseUrl, { customerToken: signCustomerToken("C-1001", "another-site-secret-0123456789abcdef", new Date()) })).toMatchObject(refused);
    expect(await newSession(server.baseUrl, { customerToken: customerToken("C-1001", new Date(Date.now() - 2 * 3_600_000)) })).toMatchObject(refused);

    const { client, ready } = await ChatClient.connect(server.wsUrl, String(phone.body.sessionToken));
    expect(ready.verified).toBe(true);
    client.send({ type: "message", id: "verified-01", text: "where is my refund" });
    const receipt = await client.next((frame) => frame.type === "receipt");
    const [stored] = await server.running.store.listMessages(String(receipt.conversationId));
    expect(stored!.meta).toEqual({ verifiedCustomerId: "C-1001" });
    client.close();
  });

  it("serves the widget with cache headers and the demo page", async () => {
    const script = await fetch(`${server.baseUrl}/webchat.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toBe("application/javascript; charset=utf-8");
    expect(script.headers.get("cache-control")).toContain("max-age=300");
    const source = await script.text();
    expect(source).not.toContain("__WEBCHAT_CSS__");
    expect(source).toContain(".sbw-launcher");
    const etag = script.headers.get("etag")!;
    expect((await fetch(`${server.baseUrl}/webchat.js`, { headers: { "if-none-match": etag } })).status).toBe(304);

    const page = await fetch(`${server.baseUrl}/`);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
    const html = await page.text();
    expect(html).toContain("This is a demo");
    expect(html).toContain("Kestrel Pay support");
    expect(html).toContain('<script src="/webchat.js" defer></script>');
  });
});

describe("web chat on a bare Fastify app", () => {
  it("registers @fastify/websocket itself, refuses customer tokens without a verifier, and rate-limits new sessions", async () => {
    const logger = silentLogger();
    // Its own prefix: its session bucket must not share tokens with the server above.
    const prefix = uniqueName("sbwc-bare");
    const bus = createRedisBus({ redisUrl: TEST_REDIS_URL, prefix, logger });
    const rateLimiter = createRedisRateLimiter({ redisUrl: TEST_REDIS_URL, prefix, logger });
    const once = createRedisOnceGuard({ redisUrl: TEST_REDIS_URL, prefix, logger });
    const app = Fastify();
    const adapter = createWebchatAdapter({
      sessionSecret: WEBCHAT_TEST_SECRET,
      settings: { id: "webchat", kind: "webchat", rateLimit: { sessions: { perSecond: 0.01, burst: 2 } } },
    });
    try {
      const { store, intake } = server.running;
      await adapter.registerRoutes(app, { intake, store, bus, rateLimiter, once, logger, publicUrl: "http://127.0.0.1", dataDir: ".data", now: () => new Date() });
      expect(app.hasPlugin("@fastify/websocket")).toBe(true);
      const url = await app.listen({ port: 0, host: "127.0.0.1" });

      const first = await newSession(url);
      const { client, ready } = await ChatClient.connect(`${url.replace(/^http/, "ws")}/webchat/ws`, String(first.body.sessionToken));
      expect(ready.type).toBe("ready");
      client.close();

      expect(await newSession(url, { customerToken: customerToken("C-1") })).toMatchObject({ status: 400, body: { error: "customer_tokens_disabled" } });
      const refused = await newSession(url);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    } finally {
      await adapter.stop();
      await app.close();
      await Promise.all([bus.close(), rateLimiter.close(), once.close()]);
    }
  });
});
