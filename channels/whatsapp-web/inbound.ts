/**
 * whatsapp-web.js `message` events -> the core's `InboundMessage`. Only one-to-one chats with a
 * customer count: our own messages, groups, status updates, broadcasts, channels and protocol
 * notifications are ignored. Customers get the same address form as on Twilio WhatsApp
 * (`whatsapp:+<number>`), so account lookups by phone work the same on both channels.
 */
import type { Attachment, InboundMessage } from "../../src/domain/model.js";
import { errorMessage } from "../../src/errors.js";
import { announcedContentType, messageReference } from "./attachments.js";
import type { WhatsAppWebMedia, WhatsAppWebMessage } from "./client.js";

const USER_CHAT = /^(\d{5,20})@c\.us$/;
const LID_CHAT = /^\d{5,30}@lid$/;
const MEDIA_TYPES = new Set(["image", "video", "audio", "ptt", "document", "sticker"]);
const TEXT_TYPES = new Set(["chat", "location", ...MEDIA_TYPES]);

export type MappedInbound = { kind: "message"; inbound: InboundMessage } | { kind: "ignored"; reason: string };

/** `15551234567@c.us` -> `whatsapp:+15551234567`; linked-id chats keep their id. */
export function addressFromChatId(chatId: string): string {
  const user = USER_CHAT.exec(chatId);
  return user ? `whatsapp:+${user[1]}` : chatId;
}

/** The inverse: where `client.sendMessage` must send. Undefined for an address we cannot reach. */
export function chatIdFromAddress(address: string): string | undefined {
  const phone = /^whatsapp:\+(\d{5,20})$/.exec(address);
  if (phone) return `${phone[1]}@c.us`;
  if (USER_CHAT.test(address) || LID_CHAT.test(address)) return address;
  return undefined;
}

export function ignoreReason(message: WhatsAppWebMessage): string | undefined {
  if (message.fromMe || message.id.fromMe) return "own message";
  if (message.isStatus || message.from === "status@broadcast") return "status update";
  if (message.broadcast || message.from.endsWith("@broadcast")) return "broadcast";
  if (message.from.endsWith("@g.us") || message.author) return "group message";
  if (!USER_CHAT.test(message.from) && !LID_CHAT.test(message.from)) return `not a customer chat (${message.from.split("@")[1] ?? "?"})`;
  if (!TEXT_TYPES.has(message.type)) return `unsupported type ${message.type}`;
  return undefined;
}

export interface MapOptions {
  channelId: string;
  receivedAt: Date;
  maxMediaBytes: number;
  /** Keep downloaded media; returns where it can be fetched again. */
  storeMedia: (media: WhatsAppWebMedia, bytes: Buffer) => Promise<string>;
  downloadTimeoutMs?: number;
}

export async function mapInbound(message: WhatsAppWebMessage, options: MapOptions): Promise<MappedInbound> {
  const reason = ignoreReason(message);
  if (reason) return { kind: "ignored", reason };

  const meta: Record<string, unknown> = { chatId: message.from, type: message.type, sentAt: new Date(message.timestamp * 1000).toISOString() };
  let text = message.body ?? "";
  if (message.type === "location" && message.location) {
    const label = message.location.description ?? message.location.name ?? message.location.address;
    text = `[location] ${message.location.latitude},${message.location.longitude}${label ? ` (${label})` : ""}`;
  }

  const attachments: Attachment[] = [];
  if (message.hasMedia) {
    const outcome = await downloadCapped(message, options);
    if (outcome.kind !== "dropped") attachments.push(outcome.attachment);
    if (outcome.kind === "deferred") meta.deferredMedia = outcome.reason;
    if (outcome.kind === "dropped") meta.droppedMedia = outcome.reason;
  }
  if (text.trim() === "" && attachments.length === 0 && meta.droppedMedia === undefined) {
    return { kind: "ignored", reason: "empty message" };
  }

  let customerName = message._data?.notifyName;
  let customerAddress = addressFromChatId(message.from);
  if (message.getContact) {
    try {
      const contact = await message.getContact();
      customerName = contact.pushname || contact.name || customerName;
      // A linked-id chat still has a phone number on the contact: use it, like a @c.us chat.
      if (LID_CHAT.test(message.from) && contact.number && /^\d{5,20}$/.test(contact.number)) customerAddress = `whatsapp:+${contact.number}`;
    } catch {
      // The contact is a nicety; the message is not.
    }
  }

  return {
    kind: "message",
    inbound: {
      channelId: options.channelId,
      channelMessageId: message.id._serialized,
      customerAddress,
      ...(customerName ? { customerName: customerName.slice(0, 255) } : {}),
      text: text === "" && attachments.length === 0 ? "[media too large to receive]" : text,
      attachments,
      receivedAt: options.receivedAt,
      meta,
    },
  };
}

type DownloadOutcome = { kind: "ok"; attachment: Attachment } | { kind: "deferred"; attachment: Attachment; reason: string } | { kind: "dropped"; reason: string };

/** Media the intake could not download stays a reference to the message, fetched again on demand. */
function deferred(message: WhatsAppWebMessage, reason: string): DownloadOutcome {
  const size = message._data?.size;
  const filename = message._data?.filename;
  return {
    kind: "deferred",
    reason,
    attachment: {
      url: messageReference(message.id._serialized),
      contentType: announcedContentType(message),
      ...(filename ? { name: filename.slice(0, 255) } : {}),
      ...(typeof size === "number" && size >= 0 ? { sizeBytes: size } : {}),
    },
  };
}

async function downloadCapped(message: WhatsAppWebMessage, options: MapOptions): Promise<DownloadOutcome> {
  // The raw message knows the size: refuse before pulling a large file through the browser.
  const announced = message._data?.size;
  if (typeof announced === "number" && announced > options.maxMediaBytes) return { kind: "dropped", reason: `too large (${announced} bytes)` };
  let media: WhatsAppWebMedia | undefined;
  try {
    media = await withTimeout(message.downloadMedia(), options.downloadTimeoutMs ?? 60_000);
  } catch (error) {
    return deferred(message, `download failed: ${errorMessage(error)}`);
  }
  if (!media) return deferred(message, "not downloadable yet");
  const bytes = Buffer.from(media.data, "base64");
  if (bytes.length > options.maxMediaBytes) return { kind: "dropped", reason: `too large (${bytes.length} bytes)` };
  const url = await options.storeMedia(media, bytes);
  return {
    kind: "ok",
    attachment: {
      url,
      contentType: media.mimetype.slice(0, 255) || "application/octet-stream",
      ...(media.filename ? { name: media.filename.slice(0, 255) } : {}),
      sizeBytes: bytes.length,
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
