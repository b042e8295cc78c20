/**
 * The slice of whatsapp-web.js that Switchboard drives, and the factory that builds the real client.
 * Tests hand the adapter a fake with the same event interface (qr, ready, authenticated, auth_failure,
 * disconnected, message) and methods (initialize, sendMessage, destroy, getMessageById).
 */
import { join } from "node:path";
import wweb from "whatsapp-web.js";
import type { WhatsAppWebSettings } from "./config.js";

/** Fields of a whatsapp-web.js `Message` we read (see its index.d.ts). */
export interface WhatsAppWebMessage {
  id: { fromMe: boolean; remote: string; id: string; _serialized: string };
  from: string;
  to?: string;
  author?: string;
  body: string;
  type: string;
  timestamp: number;
  fromMe: boolean;
  hasMedia: boolean;
  isStatus?: boolean;
  broadcast?: boolean;
  location?: { latitude: number | string; longitude: number | string; description?: string; name?: string; address?: string };
  downloadMedia(): Promise<WhatsAppWebMedia | undefined>;
  getContact?(): Promise<{ pushname?: string; name?: string; number?: string }>;
  /** Raw data; `size` and `mimetype` describe the media before downloading it. */
  _data?: { size?: number; mimetype?: string; filename?: string; notifyName?: string };
}

export interface WhatsAppWebMedia {
  mimetype: string;
  /** Base64. */
  data: string;
  filename?: string | null;
  filesize?: number | null;
}

export interface WhatsAppWebClient {
  on(event: "qr", listener: (qr: string) => void): unknown;
  on(event: "ready" | "authenticated", listener: () => void): unknown;
  on(event: "auth_failure", listener: (message: string) => void): unknown;
  on(event: "disconnected", listener: (reason: string) => void): unknown;
  on(event: "message", listener: (message: WhatsAppWebMessage) => void): unknown;
  removeAllListeners(event?: string): unknown;
  initialize(): Promise<void>;
  sendMessage(chatId: string, content: string | WhatsAppWebMedia, options?: { caption?: string }): Promise<{ id: { _serialized: string } }>;
  destroy(): Promise<void>;
  /** A message still in the linked session (its media can be downloaded again); null when it is gone. */
  getMessageById(messageId: string): Promise<WhatsAppWebMessage | null>;
  /** Null when the number does not use WhatsApp. */
  getNumberId?(number: string): Promise<{ _serialized: string } | null>;
}

export interface WhatsAppWebClientOptions {
  channelId: string;
  /** `<DATA_DIR>/whatsapp-web/<channelId>`: LocalAuth keeps the linked-device session here. */
  sessionDir: string;
  settings: WhatsAppWebSettings;
}

export type WhatsAppWebClientFactory = (options: WhatsAppWebClientOptions) => WhatsAppWebClient;

/** STACK.md: flags that make the system Chromium start fast and quietly in a container. */
export const CHROMIUM_ARGS = [
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
] as const;

export function chromiumArgs(settings: WhatsAppWebSettings, runningAsRoot = process.getuid?.() === 0): string[] {
  return [...CHROMIUM_ARGS, ...(runningAsRoot ? ["--no-sandbox"] : []), ...settings.chromiumArgs];
}

export function sessionDirFor(dataDir: string, channelId: string): string {
  return join(dataDir, "whatsapp-web", channelId);
}

export const createWhatsAppWebJsClient: WhatsAppWebClientFactory = ({ sessionDir, settings }) =>
  new wweb.Client({
    authStrategy: new wweb.LocalAuth({ dataPath: sessionDir }),
    puppeteer: { executablePath: settings.executablePath, headless: settings.headless, args: chromiumArgs(settings) },
  });

/** A media object the library can send (its `MessageMedia` is a plain data class). */
export function outgoingMedia(mimetype: string, base64: string, filename?: string): WhatsAppWebMedia {
  return new wweb.MessageMedia(mimetype, base64, filename ?? null);
}
