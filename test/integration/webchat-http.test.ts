/**
 * The web chat's HTTP side on the core's real server: sessions (new, resumed, verified customers), the
 * widget script and the demo page, and the WebSocket plugin registered once by the server.
 */
import Fastify from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { verifySessionToken, signSessionToken } from "../../channels/webchat/session-token.js";
import { silentLogger } from "../../src/logging/logger.js";
import { SwitchboardMetrics } from "../../src/observability/metrics.js";
import { createHttpServer } from "../../src/server/http-server.js";
import { ChatClient, newSession, serveWebchat, WEBCHAT_TEST_SECRET, type ServedWebchat } from "../support/webchat-harness.js";
import { MemoryBus, MemoryCore, memoryContext } from "./webchat-memory-core.js";

let served: ServedWebchat | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

const visitorOf = (token: string) => {
  const verified = verifySessionToken(token, WEBCHAT_TEST_SECRET, "webchat", new Date());
  if (!verified.ok) throw new Error(`token refused: ${verified.problem}`);
  return verified.session;
};

/** Customer tokens as the company's site would issue them (the real format is the brain-safety branch's). */
const verifyCustomerToken = (token: string) => (token.startsWith("valid:") ? token.slice("valid:".length) : null);

describe("web chat sessions", () => {
  it("issues, resumes and renews sessions; forged or other-customer tokens start a new visitor", async () => {
    served = await serveWebchat(Fastify(), memoryContext(new MemoryCore(), new MemoryBus()));
    const first = await newSession(served.baseUrl);
    expect(first.status).toBe(200);
    expect(first.headers.get("cache-control")).toBe("no-store");
    expect(first.body).toMatchObject({ resumed: false, verified: false, widget: { channelId: "webchat", title: "Support", maxTextChars: 4000, humanButtonLabel: "Talk to a human" } });
    const visitor = visitorOf(first.body.sessionToken).visitorId;

    const resumed = await newSession(served.baseUrl, { sessionToken: first.body.sessionToken });
    expect(resumed.body.resumed).toBe(true);
    expect(visitorOf(resumed.body.sessionToken).visitorId).toBe(visitor);

    // Expired ten days ago: still this visitor (within the 30-day resume window).
    const old = signSessionToken({ visitorId: visitor, channelId: "webchat", issuedAt: new Date(Date.now() - 11 * 86_400_000), expiresAt: new Date(Date.now() - 10 * 86_400_000) }, WEBCHAT_TEST_SECRET);
    expect(visitorOf((await newSession(served.baseUrl, { sessionToken: old })).body.sessionToken).visitorId).toBe(visitor);
    const ancient = signSessionToken({ visitorId: visitor, channelId: "webchat", issuedAt: new Date(0), expiresAt: new Date(Date.now() - 31 * 86_400_000) }, WEBCHAT_TEST_SECRET);
    expect(visitorOf((await newSession(served.baseUrl, { sessionToken: ancient })).body.sessionToken).visitorId).not.toBe(visitor);

    const forged = String(first.body.sessionToken).slice(0, -4) + "AAAA";
    const fresh = await newSession(served.baseUrl, { sessionToken: forged });
    expect(fresh.body.resumed).toBe(false);
    expect(visitorOf(fresh.body.sessionToken).visitorId).not.toBe(visitor);

    // A signed-in customer's session is never carried into an anonymous one (shared computer, signed out).
    const signedIn = signSessionToken({ visitorId: "wc_someone", channelId: "webchat", customerId: "C-1", issuedAt: new Date(), expiresAt: new Date(Date.now() + 60_000) }, WEBCHAT_TEST_SECRET);
    const signedOut = await newSession(served.baseUrl, { sessionToken: signedIn });
    expect(signedOut.body.resumed).toBe(false);
    expect(visitorOf(signedOut.body.sessionToken)).not.toHaveProperty("customerId");

    expect((await newSession(served.baseUrl, { sessionToken: 42 })).status).toBe(400);
    expect((await newSession(served.baseUrl, { conversationId: "x" })).status).toBe(400);
    expect((await newSession(served.baseUrl, { customerToken: "valid:C-1" })).body.error).toBe("customer_tokens_disabled");
  });

  it("ties verified customers to one visitor on every device and passes the customer id to the core", async () => {
    const core = new MemoryCore();
    served = await serveWebchat(Fastify(), memoryContext(core, new MemoryBus()), { verifyCustomerToken });
    const phone = await newSession(served.baseUrl, { customerToken: "valid:C-1001" });
    const laptop = await newSession(served.baseUrl, { customerToken: "valid:C-1001" });
    expect(phone.body).toMatchObject({ verified: true, resumed: true });
    expect(visitorOf(phone.body.sessionToken)).toMatchObject({ customerId: "C-1001" });
    expect(visitorOf(laptop.body.sessionToken).visitorId).toBe(visitorOf(phone.body.sessionToken).visitorId);
    expect(visitorOf((await newSession(served.baseUrl, { customerToken: "valid:C-2002" })).body.sessionToken).visitorId).not.toBe(
      visitorOf(phone.body.sessionToken).visitorId,
    );
    expect((await newSession(served.baseUrl, { customerToken: "forged" })).status).toBe(401);

    const { client, ready } = await ChatClient.connect(served.wsUrl, phone.body.sessionToken);
    expect(ready.verified).toBe(true);
    client.send({ type: "message", id: "verified-01", text: "where is my refund" });
    await client.next((frame) => frame.type === "receipt");
    expect(core.accepted[0]!.meta).toEqual({ verifiedCustomerId: "C-1001" });
    client.close();
  });

  it("rate-limits new sessions per client address", async () => {
    served = await serveWebchat(Fastify(), memoryContext(new MemoryCore(), new MemoryBus()), { settings: { rateLimit: { sessions: { perSecond: 0.01, burst: 2 } } } });
    expect((await newSession(served.baseUrl)).status).toBe(200);
    expect((await newSession(served.baseUrl)).status).toBe(200);
    const refused = await newSession(served.baseUrl);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});

describe("web chat widget and demo page on the core's server", () => {
  it("serves the widget with cache headers and the demo page, with the server's own WebSocket plugin", async () => {
    const core = new MemoryCore();
    const context = memoryContext(core, new MemoryBus());
    const app = await createHttpServer({ logger: silentLogger(), metrics: new SwitchboardMetrics(), readiness: [], channels: [], channelContext: context });
    served = await serveWebchat(app, context, { settings: { title: "Kestrel Pay support" } });

    const script = await fetch(`${served.baseUrl}/webchat.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toBe("application/javascript; charset=utf-8");
    expect(script.headers.get("cache-control")).toContain("max-age=300");
    const source = await script.text();
    expect(source).not.toContain("__WEBCHAT_CSS__");
    expect(source).toContain(".sbw-launcher");
    const etag = script.headers.get("etag")!;
    expect((await fetch(`${served.baseUrl}/webchat.js`, { headers: { "if-none-match": etag } })).status).toBe(304);

    const page = await fetch(`${served.baseUrl}/`);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await page.text();
    expect(html).toContain("This is a demo");
    expect(html).toContain("Kestrel Pay support");
    expect(html).toContain('<script src="/webchat.js" defer></script>');

    const { body } = await newSession(served.baseUrl);
    const { client, ready } = await ChatClient.connect(served.wsUrl, body.sessionToken);
    expect(ready.type).toBe("ready");
    client.close();
  });
});
