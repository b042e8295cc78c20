/**
 * The Bot Framework messaging endpoint on the core's real Fastify server, through botbuilder's real
 * CloudAdapter: anonymous (Emulator) mode, and app mode where botbuilder checks channel tokens against
 * the fake connector's OpenID metadata (tokens signed as the Bot Connector signs them). Every bad input
 * is refused with its status and nothing is stored.
 */
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBotFrameworkAdapter } from "../../channels/botframework/index.js";
import { silentLogger } from "../../src/logging/logger.js";
import { SwitchboardMetrics } from "../../src/observability/metrics.js";
import { createHttpServer } from "../../src/server/http-server.js";
import { startFakeBotConnector, type FakeBotConnector } from "../fakes/bot-connector.js";
import { memoryChannelContext, type MemoryChannelContext } from "../fakes/memory-channel-context.js";
import { messageActivity, otherActivity, TEST_BOT } from "../support/bot-activities.js";
import { ChannelTokenSigner } from "../support/bot-framework-tokens.js";

const APP_ID = "11111111-2222-3333-4444-555555555555";
const trusted = new ChannelTokenSigner();
const rogue = new ChannelTokenSigner(undefined, trusted.kid); // same key id, another key: a forged signature
const foreignChannel = new ChannelTokenSigner(["skype"]); // a real key that does not endorse our channels

let connector: FakeBotConnector;

async function serve(entry: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): Promise<{ app: FastifyInstance; context: MemoryChannelContext }> {
  const context = memoryChannelContext();
  const channel = createBotFrameworkAdapter({ id: "teams", kind: "botframework", ...entry }, {
    env,
    authOverrides: { ToBotFromChannelOpenIdMetadataUrl: connector.openIdMetadataUrl },
  });
  await channel.start(context);
  const app = await createHttpServer({ logger: silentLogger(), metrics: new SwitchboardMetrics(), readiness: [], channels: [channel], channelContext: context });
  await app.ready();
  return { app, context };
}

const post = (app: FastifyInstance, body: unknown, headers: Record<string, string> = {}, url = "/api/messages/teams") =>
  app.inject({ method: "POST", url, payload: typeof body === "string" ? body : JSON.stringify(body), headers: { "content-type": "application/json", ...headers } });

beforeAll(async () => {
  connector = await startFakeBotConnector([trusted, foreignChannel]);
});
afterAll(async () => {
  await connector.close();
});

describe("Bot Framework endpoint, anonymous (Emulator) mode", () => {
  let app: FastifyInstance;
  let context: MemoryChannelContext;
  beforeAll(async () => {
    ({ app, context } = await serve({}));
  });
  afterAll(async () => {
    await app.close();
  });

  it("hands a message to the intake with a stable address, the sender's name and the conversation reference", async () => {
    const activity = messageActivity({ serviceUrl: connector.url, conversationId: "conv-a", userId: "user-a", userName: "Grace Hopper", text: "  How does pay in 4 work?  " });
    const response = await post(app, activity);
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe("");
    const [inbound] = context.memoryIntake.accepted;
    expect(inbound).toMatchObject({
      channelId: "teams",
      channelMessageId: activity.id,
      customerAddress: "emulator|conv-a|user-a",
      customerName: "Grace Hopper",
      text: "How does pay in 4 work?",
      attachments: [],
    });
    expect(inbound!.meta.botframework).toEqual({
      channel: "emulator",
      reference: {
        serviceUrl: connector.url,
        channelId: "emulator",
        conversation: { id: "conv-a" },
        bot: { id: TEST_BOT.id, name: TEST_BOT.name },
        user: { id: "user-a", name: "Grace Hopper" },
        activityId: activity.id,
        locale: "en-US",
      },
    });
  });

  it("stores a replayed activity once", async () => {
    const activity = messageActivity({ serviceUrl: connector.url, conversationId: "conv-replay", text: "once" });
    expect((await post(app, activity)).statusCode).toBe(200);
    expect((await post(app, activity)).statusCode).toBe(200);
    expect(context.memoryIntake.accepted.filter((message) => message.channelMessageId === activity.id)).toHaveLength(1);
  });

  it("strips the bot's @mention (Teams group chats), keeps files by URL and cards by summary", async () => {
    const activity = messageActivity(
      { serviceUrl: connector.url, channelId: "msteams", conversationId: "19:group@thread.v2", userId: "29:user-b", text: "<at>Switchboard</at> here is my receipt" },
      {
        entities: [{ type: "mention", mentioned: { id: TEST_BOT.id, name: "Switchboard" }, text: "<at>Switchboard</at>" }, { type: "clientInfo", locale: "en-US" }],
        conversation: { id: "19:group@thread.v2", conversationType: "groupChat", isGroup: true, tenantId: "tenant-1" },
        attachments: [
          { contentType: "text/html", content: "<p>here is my receipt</p>" },
          { contentType: "image/png", contentUrl: "https://files.example.com/receipt.png", name: "receipt.png" },
          { contentType: "application/vnd.microsoft.teams.file.download.info", name: "statement.pdf", content: { downloadUrl: "https://tenant.sharepoint.com/statement.pdf", fileType: "pdf" } },
          { contentType: "application/vnd.microsoft.card.adaptive", content: { type: "AdaptiveCard" } },
          { contentType: "image/jpeg", contentUrl: "data:image/jpeg;base64,AAAA", name: "inline.jpg" },
        ],
      },
    );
    expect((await post(app, activity)).statusCode).toBe(200);
    const inbound = context.memoryIntake.accepted.find((message) => message.channelMessageId === activity.id)!;
    expect(inbound.text).toBe("here is my receipt");
    expect(inbound.customerAddress).toBe("msteams|19:group@thread.v2|29:user-b");
    expect(inbound.attachments).toEqual([
      { url: "https://files.example.com/receipt.png", contentType: "image/png", name: "receipt.png" },
      { url: "https://tenant.sharepoint.com/statement.pdf", contentType: "application/octet-stream", name: "statement.pdf" },
    ]);
    expect(inbound.meta).toMatchObject({
      attachments: [
        { contentType: "image/png", name: "receipt.png" },
        { contentType: "application/vnd.microsoft.teams.file.download.info", name: "statement.pdf" },
        { contentType: "application/vnd.microsoft.card.adaptive" },
        { contentType: "image/jpeg", name: "inline.jpg" },
      ],
      droppedAttachments: 1,
      botframework: { reference: { conversation: { id: "19:group@thread.v2", conversationType: "groupChat", isGroup: true, tenantId: "tenant-1" } } },
    });
  });

  it("hashes an address too long for the address column, the same way every time", async () => {
    const longConversation = `a:${"x".repeat(300)}`;
    const first = messageActivity({ serviceUrl: connector.url, conversationId: longConversation, userId: "user-long", text: "one" });
    const second = messageActivity({ serviceUrl: connector.url, conversationId: longConversation, userId: "user-long", text: "two" });
    await post(app, first);
    await post(app, second);
    const addresses = context.memoryIntake.accepted.filter((message) => message.channelMessageId === first.id || message.channelMessageId === second.id).map((message) => message.customerAddress);
    expect(addresses).toHaveLength(2);
    expect(addresses[0]).toMatch(/^emulator\|sha256:[0-9a-f]{64}$/);
    expect(addresses[1]).toBe(addresses[0]);
  });

  it("acknowledges other activity types and empty messages without storing anything", async () => {
    const before = context.memoryIntake.accepted.length;
    const options = { serviceUrl: connector.url, conversationId: "conv-other" };
    for (const activity of [
      otherActivity("conversationUpdate", options, { membersAdded: [{ id: "user-1" }] }),
      otherActivity("typing", options),
      otherActivity("messageReaction", options, { reactionsAdded: [{ type: "like" }] }),
      otherActivity("event", options, { name: "webchat/join" }),
      messageActivity({ ...options, text: "" }, { value: { rating: 5 } }),
      messageActivity({ ...options, text: "from myself" }, { from: { id: TEST_BOT.id, name: "Switchboard", role: "bot" } }),
    ]) {
      const response = await post(app, activity);
      expect(response.statusCode, String(activity.type)).toBe(200);
    }
    const invoke = await post(app, otherActivity("invoke", options, { name: "adaptiveCard/action", value: {} }));
    expect(invoke.statusCode).toBe(200);
    expect(context.memoryIntake.accepted.length).toBe(before);
  });

  it("refuses malformed, oversized and mistyped bodies, and unknown channel ids", async () => {
    const before = context.memoryIntake.accepted.length;
    const valid = messageActivity({ serviceUrl: connector.url, conversationId: "conv-bad" });
    const cases: Array<[string, Promise<{ statusCode: number; body: string }>, number]> = [
      ["not JSON", post(app, "{not json"), 400],
      ["empty body", post(app, ""), 400],
      ["a JSON array", post(app, [valid]), 400],
      ["no type", post(app, { ...valid, type: undefined }), 400],
      ["a message without a conversation", post(app, { ...valid, conversation: undefined }), 400],
      ["a message without an id", post(app, { ...valid, id: undefined }), 400],
      ["a message with a non-http serviceUrl", post(app, { ...valid, serviceUrl: "file:///etc/passwd" }), 400],
      ["a message whose from is a string", post(app, { ...valid, from: "user" }), 400],
      ["a message with hostile entities", post(app, { ...valid, entities: [null, 7, { type: "mention" }] }), 200],
      ["text over 100,000 characters", post(app, { ...valid, id: "too-long", text: "x".repeat(100_001) }), 413],
      ["a body over the limit", post(app, { ...valid, id: "too-big", text: "x".repeat(300 * 1024) }), 413],
      ["form-encoded", app.inject({ method: "POST", url: "/api/messages/teams", payload: "type=message", headers: { "content-type": "application/x-www-form-urlencoded" } }), 415],
      ["an unknown channel id", post(app, valid, {}, "/api/messages/nobody"), 404],
    ];
    for (const [what, pending, status] of cases) {
      const response = await pending;
      expect(response.statusCode, what).toBe(status);
      if (status >= 400) expect(JSON.parse(response.body), what).toHaveProperty("error");
    }
    // Only the one valid message (with entities it could not use) got through.
    expect(context.memoryIntake.accepted.length).toBe(before + 1);
  });

  it("refuses activities for service URLs outside allowedServiceUrls", async () => {
    const { app: guarded, context: guardedContext } = await serve({ allowedServiceUrls: ["https://smba.trafficmanager.net/"] });
    try {
      const response = await post(guarded, messageActivity({ serviceUrl: connector.url }));
      expect(response.statusCode).toBe(403);
      expect(guardedContext.memoryIntake.accepted).toHaveLength(0);
      const allowed = await post(guarded, messageActivity({ serviceUrl: "https://smba.trafficmanager.net/amer/" }));
      expect(allowed.statusCode).toBe(200);
    } finally {
      await guarded.close();
    }
  });
});

describe("Bot Framework endpoint with the Azure Bot's credentials", () => {
  let app: FastifyInstance;
  let context: MemoryChannelContext;
  beforeAll(async () => {
    ({ app, context } = await serve({}, { MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: "app-secret-value" }));
  });
  afterAll(async () => {
    await app.close();
  });

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it("accepts an activity whose channel token botbuilder verifies", async () => {
    const activity = messageActivity({ serviceUrl: connector.url, channelId: "msteams", text: "signed" });
    const response = await post(app, activity, bearer(trusted.sign({ appId: APP_ID, serviceUrl: connector.url })));
    expect(response.statusCode).toBe(200);
    expect(context.memoryIntake.accepted.map((message) => message.text)).toEqual(["signed"]);
  });

  it("refuses absent, malformed, forged, misaddressed and expired tokens with 401, storing nothing", async () => {
    const activity = () => messageActivity({ serviceUrl: connector.url, channelId: "msteams", text: "should not pass" });
    const cases: Array<[string, Record<string, string>]> = [
      ["no token", {}],
      ["not a JWT", bearer("not-a-jwt")],
      ["another scheme", { authorization: `Basic ${Buffer.from("a:b").toString("base64")}` }],
      ["a forged signature", bearer(rogue.sign({ appId: APP_ID, serviceUrl: connector.url }))],
      ["another bot's token", bearer(trusted.sign({ appId: "99999999-2222-3333-4444-555555555555", serviceUrl: connector.url }))],
      ["another service URL", bearer(trusted.sign({ appId: APP_ID, serviceUrl: "https://evil.example.com/" }))],
      ["another issuer", bearer(trusted.sign({ appId: APP_ID, serviceUrl: connector.url, issuer: "https://evil.example.com" }))],
      ["an expired token", bearer(trusted.sign({ appId: APP_ID, serviceUrl: connector.url, expiresInSeconds: -3600 }))],
      ["a key that does not endorse the channel", bearer(foreignChannel.sign({ appId: APP_ID, serviceUrl: connector.url }))],
    ];
    for (const [what, headers] of cases) {
      const response = await post(app, activity(), headers);
      expect(response.statusCode, what).toBe(401);
      expect(JSON.parse(response.body), what).toMatchObject({ error: "auth.invalid" });
    }
    expect(context.memoryIntake.accepted.map((message) => message.text)).not.toContain("should not pass");
  });

  it("checks the token before the body: a malformed message without a token is 401", async () => {
    const response = await post(app, { type: "message", text: "no ids at all" });
    expect(response.statusCode).toBe(401);
  });
});
