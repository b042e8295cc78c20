/**
 * Twilio's form parameters -> our models. Parsing never throws for authentic traffic Twilio may send
 * in shapes we do not handle (a WhatsApp reaction, a message for the other kind of channel): it returns
 * `kind: "unsupported"` so the route can acknowledge it and move on (Twilio retries anything but 2xx).
 */
import { z } from "zod";
import type { Attachment, ChannelKind, InboundMessage } from "../../../src/domain/model.js";
import type { FormParams } from "./verify.js";

const TWILIO_SID = /^[A-Z]{2}[0-9a-fA-F]{32}$/;
const MAX_MEDIA = 10;

const single = (params: FormParams, name: string): string | undefined => {
  const value = params[name];
  return Array.isArray(value) ? value[0] : value;
};

const InboundParams = z.object({
  MessageSid: z.string().regex(TWILIO_SID, "MessageSid is not a Twilio SID"),
  From: z.string().min(1).max(64),
  To: z.string().min(1).max(64),
  Body: z.string().max(100_000).default(""),
  NumMedia: z.coerce.number().int().min(0).max(MAX_MEDIA).default(0),
  AccountSid: z.string().regex(TWILIO_SID).optional(),
  MessagingServiceSid: z.string().regex(TWILIO_SID).optional(),
  WaId: z.string().regex(/^\d{5,20}$/).optional(),
  ProfileName: z.string().max(255).optional(),
  /** Present when Twilio's Advanced Opt-Out recognised a keyword (and answered it itself). */
  OptOutType: z.enum(["STOP", "START", "HELP"]).optional(),
  Latitude: z.coerce.number().min(-90).max(90).optional(),
  Longitude: z.coerce.number().min(-180).max(180).optional(),
  Address: z.string().max(1000).optional(),
  Label: z.string().max(1000).optional(),
  ButtonPayload: z.string().max(1000).optional(),
});

export type ParsedInbound =
  | { kind: "message"; inbound: InboundMessage; droppedMedia: number }
  | { kind: "unsupported"; reason: string };

export interface ParseInboundOptions {
  channelId: string;
  channelKind: ChannelKind;
  receivedAt: Date;
  /** Whether a media URL is on Twilio's own hosts; others are dropped (never fetched). */
  isTrustedMediaUrl: (url: string) => boolean;
}

export function parseInboundWebhook(params: FormParams, options: ParseInboundOptions): ParsedInbound {
  const flat = Object.fromEntries(Object.keys(params).map((key) => [key, single(params, key)]));
  const parsed = InboundParams.safeParse(flat);
  if (!parsed.success) {
    return { kind: "unsupported", reason: parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ") };
  }
  const data = parsed.data;
  const isWhatsApp = data.From.startsWith("whatsapp:");
  if (isWhatsApp !== (options.channelKind === "twilio_whatsapp")) {
    return { kind: "unsupported", reason: `a ${isWhatsApp ? "WhatsApp" : "non-WhatsApp"} message reached ${options.channelKind} channel` };
  }

  const attachments: Attachment[] = [];
  let droppedMedia = 0;
  for (let index = 0; index < data.NumMedia; index += 1) {
    const url = single(params, `MediaUrl${index}`);
    const contentType = single(params, `MediaContentType${index}`) ?? "application/octet-stream";
    if (url === undefined || url.length > 2048 || !options.isTrustedMediaUrl(url)) {
      droppedMedia += 1;
      continue;
    }
    attachments.push({ url, contentType: contentType.slice(0, 255) });
  }

  let text = data.Body;
  if (text === "" && data.Latitude !== undefined && data.Longitude !== undefined) {
    const label = [data.Label, data.Address].filter(Boolean).join(", ");
    text = `[location] ${data.Latitude},${data.Longitude}${label ? ` (${label})` : ""}`;
  }
  if (text.trim() === "" && attachments.length === 0) {
    return { kind: "unsupported", reason: "no text and no usable media" };
  }

  const meta: Record<string, unknown> = { to: data.To };
  if (data.WaId !== undefined) meta.waId = data.WaId;
  if (data.MessagingServiceSid !== undefined) meta.messagingServiceSid = data.MessagingServiceSid;
  if (data.OptOutType !== undefined) meta.optOutType = data.OptOutType;
  if (data.ButtonPayload !== undefined) meta.buttonPayload = data.ButtonPayload;
  if (droppedMedia > 0) meta.droppedMedia = droppedMedia;

  const inbound: InboundMessage = {
    channelId: options.channelId,
    channelMessageId: data.MessageSid,
    customerAddress: data.From,
    ...(data.ProfileName ? { customerName: data.ProfileName } : {}),
    text,
    attachments,
    receivedAt: options.receivedAt,
    meta,
  };
  return { kind: "message", inbound, droppedMedia };
}

/** Twilio's message statuses, and what each means for our forward-only status. */
const TWILIO_STATUS = z.enum([
  "accepted", "scheduled", "queued", "sending", "sent", "delivered", "read",
  "undelivered", "failed", "canceled", "receiving", "received", "partially_delivered",
]);

const StatusParams = z.object({
  MessageSid: z.string().regex(TWILIO_SID),
  MessageStatus: TWILIO_STATUS,
  ErrorCode: z.string().regex(/^\d{1,6}$/).optional(),
  ErrorMessage: z.string().max(1000).optional(),
});

export type ParsedStatus =
  | {
      kind: "status";
      messageSid: string;
      twilioStatus: z.infer<typeof TWILIO_STATUS>;
      /** Our status, or undefined when this Twilio status is not a step we record (`sending`). */
      status: "queued" | "sent" | "delivered" | "read" | "failed" | undefined;
      errorCode?: string;
      errorMessage?: string;
    }
  | { kind: "unsupported"; reason: string };

export function parseStatusCallback(params: FormParams): ParsedStatus {
  const flat = Object.fromEntries(Object.keys(params).map((key) => [key, single(params, key)]));
  const parsed = StatusParams.safeParse(flat);
  if (!parsed.success) {
    return { kind: "unsupported", reason: parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ") };
  }
  const data = parsed.data;
  return {
    kind: "status",
    messageSid: data.MessageSid,
    twilioStatus: data.MessageStatus,
    status: ourStatus(data.MessageStatus),
    ...(data.ErrorCode !== undefined && data.ErrorCode !== "0" ? { errorCode: data.ErrorCode } : {}),
    ...(data.ErrorMessage ? { errorMessage: data.ErrorMessage } : {}),
  };
}

function ourStatus(status: z.infer<typeof TWILIO_STATUS>): "queued" | "sent" | "delivered" | "read" | "failed" | undefined {
  switch (status) {
    case "accepted":
    case "scheduled":
    case "queued":
      return "queued";
    case "sent":
      return "sent";
    case "delivered":
    case "partially_delivered":
      return "delivered";
    case "read":
      return "read";
    case "undelivered":
    case "failed":
    case "canceled":
      return "failed";
    default:
      return undefined;
  }
}
