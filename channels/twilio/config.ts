/**
 * One Twilio channel's entry in the channels file (`SWITCHBOARD_CONFIG`): who sends, with which
 * credentials (read from the environment, never written in the file), how fast, and the channel rules
 * (SMS keyword replies, WhatsApp templates, media cap).
 */
import { z } from "zod";
import { channelSettings, secretFromEnv, type ChannelEntry } from "../../src/config/channels-file.js";
import { ConfigError } from "../../src/errors.js";

const E164 = /^\+[1-9]\d{6,14}$/;
const SHORT_CODE = /^\d{3,8}$/;
const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

/** A YAML section left with only comments in it parses as null: treat it as absent. */
const section = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === null ? undefined : value), schema);

/** Where a template variable takes its value from when a message goes out as that template. */
export const TemplateVariableSource = z.union([
  z.enum(["messageText", "customerName", "agentName"]),
  z.object({ literal: z.string().min(1).max(1024) }),
]);
export type TemplateVariableSource = z.infer<typeof TemplateVariableSource>;

export const WhatsAppTemplate = z.object({
  /** A name for logs and the message's meta (`template`). */
  name: z.string().min(1).max(64),
  /** The approved Content Template (Content API), `HX` + 32 hex digits. */
  contentSid: z.string().regex(/^HX[0-9a-fA-F]{32}$/, "must be a Content SID (HX followed by 32 hex digits)"),
  /** Template placeholder ("1", "2"...) -> where its value comes from. */
  variables: z.record(z.string().regex(/^\d{1,2}$/, "placeholders are numbered: \"1\", \"2\"..."), TemplateVariableSource).default({}),
  /** Which outbound messages may use it (default: agents' and system messages, never the AI's). */
  authors: z.array(z.enum(["ai", "agent", "system"])).min(1).default(["agent", "system"]),
  /**
   * The longest message text this template can carry in a `messageText` variable. WhatsApp refuses
   * parameters over 1,024 characters; a longer message does not fit this template.
   */
  maxTextLength: z.number().int().positive().max(1024).default(1024),
  /** A value used when `customerName` or `agentName` is unknown; without it the template does not fit. */
  nameFallback: z.string().min(1).max(60).optional(),
});
export type WhatsAppTemplate = z.infer<typeof WhatsAppTemplate>;

export const SmsCompliance = z.object({
  /**
   * Twilio answers STOP/START/HELP itself on long codes and toll-free numbers (its default opt-out
   * handling, or Advanced Opt-Out on a Messaging Service). Leave these texts unset to let Twilio answer;
   * set them only where Twilio does not (a short code without a Messaging Service), or customers get two.
   */
  helpText: z.string().min(1).max(1600).optional(),
  optOutConfirmation: z.string().min(1).max(1600).optional(),
  optInConfirmation: z.string().min(1).max(1600).optional(),
});
export type SmsCompliance = z.infer<typeof SmsCompliance>;

export const TwilioChannelSettings = z
  .object({
    id: z.string(),
    kind: z.enum(["twilio_sms", "twilio_whatsapp"]),
    /** The sender: E.164 (`+15551234567`), a short code, or `whatsapp:+15551234567`. */
    from: z.string().min(3).max(40).optional(),
    /** Or a Messaging Service that picks the sender (`MG` + 32 hex digits). */
    messagingServiceSid: z.string().regex(/^MG[0-9a-fA-F]{32}$/, "must be MG followed by 32 hex digits").optional(),
    accountSidEnv: z.string().regex(ENV_NAME, "must be an environment variable name").default("TWILIO_ACCOUNT_SID"),
    authTokenEnv: z.string().regex(ENV_NAME, "must be an environment variable name").default("TWILIO_AUTH_TOKEN"),
    /** Messages per second from this sender (1 for a US long code; toll-free and short codes allow more). */
    rateLimit: section(
      z
        .object({ perSecond: z.number().positive().max(1000).default(1), burst: z.number().int().positive().max(1000).optional() })
        .default({ perSecond: 1 }),
    ),
    /** Ask Twilio for delivery status callbacks at `PUBLIC_URL/webhooks/<id>/status`. */
    statusCallbacks: z.boolean().default(true),
    media: section(
      z
        .object({ maxBytes: z.number().int().positive().max(100 * 1024 * 1024).default(5 * 1024 * 1024) })
        .default({ maxBytes: 5 * 1024 * 1024 }),
    ),
    compliance: section(SmsCompliance.default({})),
    whatsapp: section(
      z
        .object({
          /** Hours after the customer's last message during which free text is allowed (WhatsApp: 24). */
          windowHours: z.number().positive().max(24).default(24),
          /** Tried in order; the first that fits the message is used outside the window. */
          templates: section(z.array(WhatsAppTemplate).default([])),
        })
        .default({ windowHours: 24, templates: [] }),
    ),
  })
  .passthrough()
  .superRefine((settings, ctx) => {
    if ((settings.from === undefined) === (settings.messagingServiceSid === undefined)) {
      ctx.addIssue({ code: "custom", path: ["from"], message: "set exactly one of `from` (a number) or `messagingServiceSid`" });
      return;
    }
    if (settings.from === undefined) return;
    if (settings.kind === "twilio_whatsapp") {
      if (!settings.from.startsWith("whatsapp:") || !E164.test(settings.from.slice("whatsapp:".length))) {
        ctx.addIssue({ code: "custom", path: ["from"], message: "a WhatsApp sender is written whatsapp:+<country code><number>" });
      }
    } else if (!E164.test(settings.from) && !SHORT_CODE.test(settings.from)) {
      ctx.addIssue({ code: "custom", path: ["from"], message: "an SMS sender is an E.164 number (+15551234567) or a short code" });
    }
  });
export type TwilioChannelSettings = z.infer<typeof TwilioChannelSettings>;

export interface TwilioCredentials {
  accountSid: string;
  authToken: string;
}

export interface TwilioChannelConfig {
  settings: TwilioChannelSettings;
  credentials: TwilioCredentials;
  /** `TWILIO_API_URL`: where the REST API is (a loopback fake in tests); undefined means Twilio itself. */
  apiBaseUrl?: string;
}

/** Validate the channel entry and resolve its credentials from the environment. */
export function loadTwilioChannelConfig(entry: ChannelEntry, env: NodeJS.ProcessEnv = process.env): TwilioChannelConfig {
  const settings = channelSettings(entry, TwilioChannelSettings);
  const accountSid = secretFromEnv(settings.accountSidEnv, settings.id, env);
  if (!/^AC[0-9a-fA-F]{32}$/.test(accountSid)) {
    throw new ConfigError(`channel "${settings.id}": ${settings.accountSidEnv} must be an Account SID (AC followed by 32 hex digits).`);
  }
  const authToken = secretFromEnv(settings.authTokenEnv, settings.id, env);
  const apiBaseUrl = env.TWILIO_API_URL?.trim() || undefined;
  if (apiBaseUrl !== undefined && !/^https?:\/\/[^/]+\/?$/.test(apiBaseUrl)) {
    throw new ConfigError("TWILIO_API_URL must be an origin such as http://127.0.0.1:4010 (no path).");
  }
  return { settings, credentials: { accountSid, authToken }, ...(apiBaseUrl ? { apiBaseUrl: apiBaseUrl.replace(/\/$/, "") } : {}) };
}

/** The sender identity used for rate limiting and logs. */
export function senderOf(settings: TwilioChannelSettings): string {
  return settings.from ?? settings.messagingServiceSid ?? settings.id;
}
