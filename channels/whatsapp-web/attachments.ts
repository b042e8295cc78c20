/**
 * Customers' media for the desk (`fetchAttachment`), from references this channel issued and nothing
 * else: the admin-route URL of a file downloaded at intake (read back from the media folder, so any
 * process sharing DATA_DIR can serve it), or `whatsapp-web://message/<serialized id>` for media the
 * intake could not download, fetched later through the linked session (`getMessageById` and
 * `downloadMedia`, as whatsapp-web.js offers them). Bytes are size-capped either way.
 */
import { NotFoundError, PayloadTooLargeError, UpstreamError, ValidationError, errorMessage } from "../../src/errors.js";
import type { WhatsAppWebClient, WhatsAppWebMessage } from "./client.js";
import { MEDIA_FILE_NAME } from "./media-store.js";

export interface FetchedMedia {
  contentType: string;
  bytes: Buffer;
}

export type MediaReference = { kind: "stored"; name: string } | { kind: "message"; messageId: string };

const MESSAGE_SCHEME = "whatsapp-web://message/";
/** A one-to-one chat's message id, as the library serializes it: `false_15551234567@c.us_3A0F...`. */
const MESSAGE_ID = /^(?:true|false)_\d{5,30}@(?:c\.us|lid)_[A-Za-z0-9]{6,64}$/;

/** What the message types carry when WhatsApp's raw data names no MIME type. */
const TYPE_CONTENT: Record<string, string> = {
  image: "image/jpeg",
  sticker: "image/webp",
  video: "video/mp4",
  ptt: "audio/ogg",
  audio: "audio/mpeg",
};

export function messageReference(messageId: string): string {
  return `${MESSAGE_SCHEME}${messageId}`;
}

/** The content type of a message's media before downloading it. */
export function announcedContentType(message: WhatsAppWebMessage): string {
  return message._data?.mimetype?.slice(0, 255) || TYPE_CONTENT[message.type] || "application/octet-stream";
}

/** Undefined for anything this channel did not issue; `storedPrefix` is `PUBLIC_URL` + the admin media path. */
export function parseMediaReference(url: string, storedPrefix: string): MediaReference | undefined {
  if (url.startsWith(MESSAGE_SCHEME)) {
    const messageId = url.slice(MESSAGE_SCHEME.length);
    return MESSAGE_ID.test(messageId) ? { kind: "message", messageId } : undefined;
  }
  if (url.startsWith(`${storedPrefix}/`)) {
    const name = url.slice(storedPrefix.length + 1);
    return MEDIA_FILE_NAME.test(name) ? { kind: "stored", name } : undefined;
  }
  return undefined;
}

export function requireMediaReference(url: string | undefined, storedPrefix: string): MediaReference {
  const reference = url === undefined ? undefined : parseMediaReference(url, storedPrefix);
  if (reference === undefined) throw new ValidationError("the attachment is not media this WhatsApp Web channel received; refusing to fetch it");
  return reference;
}

/** A customer's media through the linked session; deleted or expired media is a NotFoundError. */
export async function downloadFromSession(client: WhatsAppWebClient, messageId: string, maxBytes: number): Promise<FetchedMedia> {
  const message = await upstream("look the message up", () => client.getMessageById(messageId));
  if (message === null || message === undefined || !message.hasMedia) {
    throw new NotFoundError(`WhatsApp Web message ${messageId} (deleted, or no longer in the linked session)`);
  }
  const announced = message._data?.size;
  if (typeof announced === "number" && announced > maxBytes) throw new PayloadTooLargeError(`WhatsApp Web media of ${announced} bytes is over the ${maxBytes}-byte cap`);
  const media = await upstream("download the media", () => message.downloadMedia());
  if (!media) throw new NotFoundError(`the media of WhatsApp Web message ${messageId} (deleted by the customer or expired on WhatsApp's servers)`);
  // Base64 is 4 characters per 3 bytes: refuse before decoding what cannot fit.
  if (Math.floor((media.data.length * 3) / 4) > maxBytes + 2) throw new PayloadTooLargeError(`WhatsApp Web media is over the ${maxBytes}-byte cap`);
  const bytes = Buffer.from(media.data, "base64");
  if (bytes.length > maxBytes) throw new PayloadTooLargeError(`WhatsApp Web media of ${bytes.length} bytes is over the ${maxBytes}-byte cap`);
  return { contentType: media.mimetype || announcedContentType(message), bytes };
}

async function upstream<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new UpstreamError("whatsapp_web_media", `WhatsApp Web could not ${what}: ${errorMessage(error)}`, { cause: error });
  }
}
