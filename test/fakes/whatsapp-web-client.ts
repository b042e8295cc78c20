/**
 * A fake whatsapp-web.js client with the library's event interface (an EventEmitter emitting `qr`,
 * `authenticated`, `ready`, `auth_failure`, `disconnected`, `message` with the library's payload
 * shapes) and its methods (`initialize`, `sendMessage`, `destroy`, `getNumberId`, `getMessageById`). The
 * test plays WhatsApp: it scans the QR code, drops the session, sends customer messages, and deletes or
 * expires their media (the library's `downloadMedia()` then resolves to undefined).
 */
import { EventEmitter } from "node:events";
import type { WhatsAppWebClient, WhatsAppWebClientOptions, WhatsAppWebMedia, WhatsAppWebMessage } from "../../channels/whatsapp-web/index.js";

export interface SentWhatsAppWebMessage {
  chatId: string;
  content: string | WhatsAppWebMedia;
  options?: { caption?: string };
}

let serial = 0;

export class FakeWhatsAppWebClient extends EventEmitter implements WhatsAppWebClient {
  readonly sent: SentWhatsAppWebMessage[] = [];
  initialized = false;
  destroyed = false;
  /** Numbers (digits) that are not on WhatsApp. */
  readonly unregistered = new Set<string>();
  /** Make the next sendMessage throw this. */
  sendFailure: Error | undefined;
  /** The linked session's message store, by serialized id, as `getMessageById` reads it. */
  private readonly messages = new Map<string, WhatsAppWebMessage>();

  constructor(
    readonly options: WhatsAppWebClientOptions,
    private readonly initializeFailure?: Error,
  ) {
    super();
  }

  async initialize(): Promise<void> {
    this.initialized = true;
    if (this.initializeFailure) throw this.initializeFailure;
  }

  async sendMessage(chatId: string, content: string | WhatsAppWebMedia, options?: { caption?: string }): Promise<{ id: { _serialized: string } }> {
    if (this.sendFailure) {
      const failure = this.sendFailure;
      this.sendFailure = undefined;
      throw failure;
    }
    this.sent.push({ chatId, content, ...(options ? { options } : {}) });
    serial += 1;
    return { id: { _serialized: `true_${chatId}_3EB0${serial.toString(16).padStart(16, "0")}` } };
  }

  async destroy(): Promise<void> {
    this.destroyed = true;
  }

  async getNumberId(number: string): Promise<{ _serialized: string } | null> {
    return this.unregistered.has(number) ? null : { _serialized: `${number}@c.us` };
  }

  async getMessageById(messageId: string): Promise<WhatsAppWebMessage | null> {
    return this.messages.get(messageId) ?? null;
  }

  // What WhatsApp does, as the library reports it.
  showQr(qr = `2@${Math.random().toString(36).slice(2)},key,ref`): void {
    this.emit("qr", qr);
  }
  scanAndConnect(): void {
    this.emit("authenticated");
    this.emit("ready");
  }
  drop(reason = "CONFLICT"): void {
    this.emit("disconnected", reason);
  }
  failAuth(message = "Unable to restore session"): void {
    this.emit("auth_failure", message);
  }
  receive(message: WhatsAppWebMessage): void {
    this.messages.set(message.id._serialized, message);
    this.emit("message", message);
  }
  /** The customer deleted the message for everyone: the session no longer has it. */
  deleteMessage(messageId: string): void {
    this.messages.delete(messageId);
  }
  /** WhatsApp's servers dropped the media: the message stays, its download gives nothing. */
  expireMedia(messageId: string): void {
    const message = this.messages.get(messageId);
    if (message) message.downloadMedia = async () => undefined;
  }
}

export interface IncomingOptions {
  from?: string;
  body?: string;
  type?: string;
  fromMe?: boolean;
  author?: string;
  isStatus?: boolean;
  broadcast?: boolean;
  pushname?: string;
  contactNumber?: string;
  media?: WhatsAppWebMedia;
  /** The raw size WhatsApp announces for the media (defaults to the real size). */
  announcedSize?: number;
  /** How many downloads fail first (the browser timing out), before the media comes. */
  failedDownloads?: number;
  location?: WhatsAppWebMessage["location"];
}

/** A message shaped like the library's `Message` (see its index.d.ts example). */
export function incoming(options: IncomingOptions = {}): WhatsAppWebMessage {
  serial += 1;
  const from = options.from ?? "15551234567@c.us";
  const id = `3A${serial.toString(16).padStart(18, "0").toUpperCase()}`;
  const media = options.media;
  let failures = options.failedDownloads ?? 0;
  return {
    id: { fromMe: options.fromMe ?? false, remote: from, id, _serialized: `${options.fromMe ? "true" : "false"}_${from}_${id}` },
    from,
    to: "15550009999@c.us",
    ...(options.author ? { author: options.author } : {}),
    body: options.body ?? "",
    type: options.type ?? (media ? "image" : "chat"),
    timestamp: 1_740_830_400,
    fromMe: options.fromMe ?? false,
    hasMedia: media !== undefined,
    isStatus: options.isStatus ?? false,
    broadcast: options.broadcast ?? false,
    ...(options.location ? { location: options.location } : {}),
    _data: { ...(media ? rawMedia(media, options.announcedSize) : {}), notifyName: options.pushname ?? "" },
    downloadMedia: async () => {
      if (failures > 0) {
        failures -= 1;
        throw new Error("Evaluation failed: TimeoutError");
      }
      return media;
    },
    getContact: async () => ({ pushname: options.pushname ?? "", ...(options.contactNumber ? { number: options.contactNumber } : {}) }),
  };
}

/** What the raw message data says about its media before it is downloaded. */
function rawMedia(media: WhatsAppWebMedia, announcedSize: number | undefined) {
  return { size: announcedSize ?? Buffer.from(media.data, "base64").length, mimetype: media.mimetype, ...(media.filename ? { filename: media.filename } : {}) };
}

/** A factory that records every client the adapter builds (one per (re)connection attempt). */
export function fakeClientFactory(options: { failInitialize?: (attempt: number) => Error | undefined } = {}) {
  const clients: FakeWhatsAppWebClient[] = [];
  const factory = (clientOptions: WhatsAppWebClientOptions) => {
    const client = new FakeWhatsAppWebClient(clientOptions, options.failInitialize?.(clients.length + 1));
    clients.push(client);
    return client;
  };
  return { factory, clients, latest: () => clients[clients.length - 1]! };
}
