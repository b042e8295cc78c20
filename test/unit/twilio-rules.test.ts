import { describe, expect, it } from "vitest";
import { classifyKeyword, decideCompliance } from "../../channels/twilio/compliance.js";
import { loadTwilioChannelConfig, TwilioChannelSettings } from "../../channels/twilio/config.js";
import { chooseTemplate, insideWindow, templateParameter } from "../../channels/twilio/whatsapp-window.js";
import type { Conversation, Message } from "../../src/domain/model.js";
import { ConfigError } from "../../src/errors.js";

const at = new Date("2025-03-01T12:00:00Z");

function message(overrides: Partial<Message> = {}): Message {
  return {
    id: "6f1c1c1e-2a0e-4d55-8a39-0d2a0f2b7a11", conversationId: "0b6c7f0c-8a43-4d6f-9a51-2f5a4b9c7d22", seq: 1,
    direction: "inbound", author: "customer", text: "", attachments: [], status: "received", meta: {}, createdAt: at, updatedAt: at,
    ...overrides,
  };
}

function conversation(overrides: Partial<Conversation> = {}): Conversation {
  return {
    id: "0b6c7f0c-8a43-4d6f-9a51-2f5a4b9c7d22", channelId: "wa", customerAddress: "whatsapp:+15550001111", state: "ai", context: {},
    processedSeq: 0, lastSeq: 1, createdAt: at, updatedAt: at, ...overrides,
  };
}

describe("SMS keywords", () => {
  it("recognises single-word keywords case-insensitively, trimmed and punctuation-tolerant", () => {
    for (const text of ["STOP", "stop", " Stop. ", "STOP!!", "*stop*", "StopAll", "unsubscribe", "Cancel", "end", "QUIT", "revoke", "OptOut"]) {
      expect(classifyKeyword(text), text).toBe("opt_out");
    }
    for (const text of ["START", "yes", "Unstop!"]) expect(classifyKeyword(text), text).toBe("opt_in");
    for (const text of ["HELP", "help?", "Info"]) expect(classifyKeyword(text), text).toBe("help");
  });

  it("ignores sentences that merely contain a keyword", () => {
    for (const text of ["stop please", "please stop", "don't stop", "STOP STOP", "stopping", "yes I want to pay", "", "123"]) {
      expect(classifyKeyword(text), text).toBeUndefined();
    }
  });

  it("handles STOP without the AI and tells the agent; replies only with configured text Twilio did not already send", () => {
    const quiet = decideCompliance(message({ text: "STOP" }), {}, false);
    expect(quiet.optOut).toBe(true);
    expect(quiet.directive).toMatchObject({ kind: "handled", reason: "sms_opt_out" });
    expect(quiet.directive.kind === "handled" && quiet.directive.replies).toBeFalsy();
    expect(quiet.directive.kind === "handled" && quiet.directive.deskNote).toMatch(/opted out/);

    const configured = decideCompliance(message({ text: "stop" }), { optOutConfirmation: "You are unsubscribed." }, false);
    expect(configured.directive).toMatchObject({ replies: ["You are unsubscribed."] });

    const twilioAnswered = decideCompliance(message({ text: "stop", meta: { optOutType: "STOP" } }), { optOutConfirmation: "You are unsubscribed." }, false);
    expect(twilioAnswered.optOut).toBe(true);
    expect(twilioAnswered.directive.kind === "handled" && twilioAnswered.directive.replies).toBeFalsy();
  });

  it("opts back in on START and answers HELP with the help text", () => {
    expect(decideCompliance(message({ text: "start" }), { optInConfirmation: "Welcome back." }, true)).toEqual({
      optOut: false,
      directive: expect.objectContaining({ kind: "handled", reason: "sms_opt_in", replies: ["Welcome back."] }),
    });
    const help = decideCompliance(message({ text: "HELP" }), { helpText: "Acme Pay support. Reply STOP to opt out." }, false);
    expect(help.optOut).toBeUndefined();
    expect(help.directive).toEqual({ kind: "handled", reason: "sms_help", replies: ["Acme Pay support. Reply STOP to opt out."] });
    expect(decideCompliance(message({ text: "When is my next payment?" }), {}, false).directive).toEqual({ kind: "route" });
  });

  it("keeps an opted-out number's other messages from the AI and sends them nothing, not even HELP or a second STOP confirmation", () => {
    const settings = { helpText: "Acme Pay help.", optOutConfirmation: "You are unsubscribed." };
    for (const text of ["When is my next payment?", "HELP", "STOP", "yes please"]) {
      const decision = decideCompliance(message({ text }), settings, true);
      expect(decision, text).toEqual({ directive: { kind: "handled", reason: "sms_opted_out", deskNote: expect.stringContaining(`wrote: "${text}"`) } });
    }
    const picture = decideCompliance(message({ text: "", attachments: [{ url: "https://api.twilio.com/x", contentType: "image/png" }] }), settings, true);
    expect(picture.directive).toMatchObject({ reason: "sms_opted_out", deskNote: expect.stringContaining("1 attachment(s)") });
  });

  it("treats YES as an opt-in only for an opted-out number, and as an ordinary answer otherwise", () => {
    expect(decideCompliance(message({ text: "Yes!" }), { optInConfirmation: "Welcome back." }, true)).toMatchObject({
      optOut: false,
      directive: { kind: "handled", reason: "sms_opt_in", replies: ["Welcome back."] },
    });
    expect(decideCompliance(message({ text: "yes" }), { optInConfirmation: "Welcome back." }, false)).toEqual({ directive: { kind: "route" } });
    expect(decideCompliance(message({ text: "START" }), {}, false)).toMatchObject({ optOut: false, directive: { reason: "sms_opt_in" } });
    expect(decideCompliance(message({ text: "unstop" }), {}, false)).toMatchObject({ optOut: false, directive: { reason: "sms_opt_in" } });
  });
});

describe("Twilio channel settings", () => {
  const env = { TWILIO_ACCOUNT_SID: `AC${"a".repeat(32)}`, TWILIO_AUTH_TOKEN: "secret-token" };

  it("applies defaults: credentials from TWILIO_*, one message per second, 5 MB media", () => {
    const config = loadTwilioChannelConfig({ id: "sms", kind: "twilio_sms", from: "+15550001111" }, env);
    expect(config.credentials).toEqual({ accountSid: env.TWILIO_ACCOUNT_SID, authToken: "secret-token" });
    expect(config.settings.rateLimit).toEqual({ perSecond: 1 });
    expect(config.settings.media.maxBytes).toBe(5 * 1024 * 1024);
    expect(config.apiBaseUrl).toBeUndefined();
  });

  it("reads credentials from the named variables and the API origin from TWILIO_API_URL", () => {
    const config = loadTwilioChannelConfig(
      { id: "wa", kind: "twilio_whatsapp", from: "whatsapp:+15550001111", accountSidEnv: "WA_SID", authTokenEnv: "WA_TOKEN" },
      { WA_SID: `AC${"b".repeat(32)}`, WA_TOKEN: "t2", TWILIO_API_URL: "http://127.0.0.1:4010/" },
    );
    expect(config.credentials.authToken).toBe("t2");
    expect(config.apiBaseUrl).toBe("http://127.0.0.1:4010");
  });

  it("refuses wrong senders, both or neither sender, missing credentials, and bad templates with clear messages", () => {
    const bad = (entry: Record<string, unknown>, source: Record<string, string> = env) => () =>
      loadTwilioChannelConfig({ id: "x", kind: "twilio_sms", ...entry } as never, source);
    expect(bad({ from: "5550001111" })).toThrow(/E\.164/);
    expect(bad({ kind: "twilio_whatsapp", from: "+15550001111" })).toThrow(/whatsapp:\+/);
    expect(bad({})).toThrow(/exactly one of `from`/);
    expect(bad({ from: "+15550001111", messagingServiceSid: `MG${"c".repeat(32)}` })).toThrow(/exactly one/);
    expect(bad({ from: "+15550001111" }, { TWILIO_AUTH_TOKEN: "x" })).toThrow(/TWILIO_ACCOUNT_SID/);
    expect(bad({ from: "+15550001111" }, { ...env, TWILIO_ACCOUNT_SID: "nope" })).toThrow(ConfigError);
    expect(bad({ kind: "twilio_whatsapp", from: "whatsapp:+15550001111", whatsapp: { templates: [{ name: "t", contentSid: "HX1" }] } })).toThrow(/Content SID/);
    expect(bad({ from: "+15550001111", rateLimit: { perSecond: 0 } })).toThrow(/rateLimit/);
  });

  it("accepts a Messaging Service instead of a number", () => {
    const settings = TwilioChannelSettings.parse({ id: "sms", kind: "twilio_sms", messagingServiceSid: `MG${"d".repeat(32)}` });
    expect(settings.messagingServiceSid).toMatch(/^MG/);
  });
});

describe("the WhatsApp window and templates", () => {
  const templates = TwilioChannelSettings.parse({
    id: "wa", kind: "twilio_whatsapp", from: "whatsapp:+15550001111",
    whatsapp: {
      templates: [
        { name: "reopen", contentSid: `HX${"1".repeat(32)}`, variables: { "1": "customerName" }, nameFallback: "there" },
        { name: "agent_update", contentSid: `HX${"2".repeat(32)}`, variables: { "1": "agentName", "2": "messageText" }, maxTextLength: 200 },
      ],
    },
  }).whatsapp.templates;

  it("is open for 24 hours after the customer's last message and closed before any message", () => {
    const now = new Date("2025-03-02T11:59:00Z");
    expect(insideWindow(conversation({ lastInboundAt: at }), now, 24)).toBe(true);
    expect(insideWindow(conversation({ lastInboundAt: at }), new Date("2025-03-02T12:00:00Z"), 24)).toBe(false);
    expect(insideWindow(conversation(), now, 24)).toBe(false);
  });

  it("prefers a template that carries the message text, with values from the message and conversation", () => {
    const choice = chooseTemplate(templates, message({ direction: "outbound", author: "agent", authorName: "Sam", text: "Your refund\nwas approved." }), conversation());
    expect(choice?.template.name).toBe("agent_update");
    expect(choice?.contentVariables).toEqual({ "1": "Sam", "2": "Your refund was approved." });
    expect(choice?.carriesText).toBe(true);
  });

  it("falls back to the re-engagement template when the text does not fit, and to nothing for the AI", () => {
    const long = chooseTemplate(templates, message({ direction: "outbound", author: "agent", authorName: "Sam", text: "x".repeat(201) }), conversation());
    expect(long).toMatchObject({ carriesText: false, contentVariables: { "1": "there" } });
    const withMedia = chooseTemplate(templates, message({ direction: "outbound", author: "agent", authorName: "Sam", text: "see photo", attachments: [{ url: "https://x.example/a.png", contentType: "image/png" }] }), conversation({ customerName: "Ada" }));
    expect(withMedia).toMatchObject({ carriesText: false, contentVariables: { "1": "Ada" } });
    expect(chooseTemplate(templates, message({ direction: "outbound", author: "ai", text: "hi" }), conversation())).toBeUndefined();
  });

  it("flattens whitespace WhatsApp refuses in template parameters", () => {
    expect(templateParameter(" a\n\tb     c ")).toBe("a b c");
  });
});
