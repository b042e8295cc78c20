import { describe, expect, it } from "vitest";
import { createWebchatAdapter } from "../../channels/webchat/adapter.js";
import { WebchatChannelSettings } from "../../channels/webchat/config.js";
import { clientIdOf, isCustomerVisible, offeredAction, toVisibleMessage } from "../../channels/webchat/visible-messages.js";
import type { Message } from "../../src/domain/model.js";
import { ConfigError } from "../../src/errors.js";

const AT = new Date("2030-01-01T12:00:00Z");
let counter = 0;
function message(overrides: Partial<Message>): Message {
  counter += 1;
  return {
    id: `00000000-0000-4000-8000-${String(counter).padStart(12, "0")}`,
    conversationId: "00000000-0000-4000-8000-0000000000aa",
    seq: counter,
    direction: "outbound",
    author: "ai",
    text: "hello",
    attachments: [],
    status: "sent",
    meta: {},
    createdAt: AT,
    updatedAt: AT,
    ...overrides,
  };
}
const display = WebchatChannelSettings.parse({ id: "webchat", kind: "webchat" });

describe("what the customer sees", () => {
  it("never shows internal notes, held or failed messages", () => {
    expect(isCustomerVisible(message({ author: "system", meta: { internal: true } }))).toBe(false);
    expect(isCustomerVisible(message({ author: "agent", meta: { internal: true } }))).toBe(false);
    expect(isCustomerVisible(message({ status: "failed" }))).toBe(false);
    expect(isCustomerVisible(message({ status: "held" }))).toBe(false);
    expect(isCustomerVisible(message({ author: "system", status: "queued" }))).toBe(true);
    expect(isCustomerVisible(message({ direction: "inbound", author: "customer", status: "received" }))).toBe(true);
  });

  it("labels AI replies with the assistant's name and agents with their first name", () => {
    expect(toVisibleMessage(message({ author: "ai" }), display).authorName).toBe("Assistant");
    expect(toVisibleMessage(message({ author: "agent", authorName: "Dana Whitfield" }), display).authorName).toBe("Dana");
    const full = WebchatChannelSettings.parse({ id: "webchat", kind: "webchat", agentName: "full" });
    expect(toVisibleMessage(message({ author: "agent", authorName: "Dana Whitfield" }), full).authorName).toBe("Dana Whitfield");
    const visible = toVisibleMessage(message({ author: "agent", authorRef: "slack:U123", decision: { route: "human", reasonCodes: ["x"], guardrails: [] } }), display);
    expect(Object.keys(visible).sort()).toEqual(["author", "createdAt", "id", "seq", "text"]);
  });

  it("shows quick replies (CSAT 1-5) and accepts only offered values", () => {
    const actions = [1, 2, 3, 4, 5].map((score) => ({ label: String(score), value: String(score), kind: "csat" }));
    const survey = message({ author: "system", meta: { actions } });
    expect(toVisibleMessage(survey, display).actions).toEqual(actions.map(({ label, value }) => ({ label, value })));
    expect(offeredAction(survey, "4")).toEqual({ label: "4", value: "4", kind: "csat" });
    expect(offeredAction(survey, "6")).toBeUndefined();
    expect(offeredAction(message({ direction: "inbound", author: "customer", meta: { actions } }), "4")).toBeUndefined();
    expect(toVisibleMessage(message({ meta: { actions: "not a list" } }), display).actions).toBeUndefined();
  });

  it("gives the widget back its own client id for the customer's messages", () => {
    expect(clientIdOf("wv_abc.client-0001")).toBe("client-0001");
    const mine = message({ direction: "inbound", author: "customer", channelMessageId: "wv_abc.client-0001", status: "received" });
    expect(toVisibleMessage(mine, display).clientId).toBe("client-0001");
  });
});

describe("web chat settings", () => {
  it("fills defaults and normalises origins", () => {
    const settings = WebchatChannelSettings.parse({ id: "webchat", kind: "webchat", allowedOrigins: ["https://shop.example.com/"] });
    expect(settings.allowedOrigins).toEqual(["https://shop.example.com"]);
    expect(settings.rateLimit.messages).toEqual({ perSecond: 1, burst: 8 });
    expect(settings.session.ttlMinutes).toBe(1440);
  });

  it("refuses bad settings and short secrets with messages naming the channel", () => {
    expect(() => createWebchatAdapter({ settings: { id: "chat", kind: "webchat", allowedOrigins: ["shop.example.com/path"] }, sessionSecret: "k".repeat(40) })).toThrow(
      /channels\[chat\]\.allowedOrigins\.0: "shop.example.com\/path" is not an origin/,
    );
    expect(() => createWebchatAdapter({ settings: { id: "chat", kind: "webchat" }, sessionSecret: "short" })).toThrow(ConfigError);
    expect(() => createWebchatAdapter({ settings: { id: "chat", kind: "twilio_sms" }, sessionSecret: "k".repeat(40) })).toThrow(ConfigError);
    expect(createWebchatAdapter({ settings: { id: "chat", kind: "webchat" }, sessionSecret: "k".repeat(40) })).toMatchObject({ id: "chat", kind: "webchat" });
  });
});
