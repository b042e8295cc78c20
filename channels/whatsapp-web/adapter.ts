/**
 * WhatsApp without the Business API: a linked device driven by whatsapp-web.js in the system Chromium.
 * Inbound `message` events become `InboundMessage`s for the core's intake; outbound messages go through
 * `client.sendMessage` from the send queue. The session (QR login, reconnects) lives in the process that
 * called `start()`, so that process must also run the send worker (role `all`).
 * WhatsApp may ban numbers driven this way: the Twilio WhatsApp channel is the one for production.
 */
import { BodyTooLargeError, readCappedBody } from "../../src/http/read-capped-body.js";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import qrcodeTerminal from "qrcode-terminal";
import { join } from "node:path";
import type { ChannelEntry } from "../../src/config/channels-file.js";
import type { Attachment } from "../../src/domain/model.js";
import { ChannelNotStartedError, DeliveryFailedError, errorMessage, NotFoundError, PayloadTooLargeError } from "../../src/errors.js";
import { MAX_MEDIA_BYTES } from "../../src/media/policy.js";
import { requireChannelContext, type ChannelAdapter, type ChannelContext, type OutboundDelivery, type SendRateLimit, type SendReceipt } from "../../src/ports/channel-adapter.js";
import { adminPaths, registerAdminRoutes } from "./admin-routes.js";
import { downloadFromSession, requireMediaReference, type FetchedMedia } from "./attachments.js";
import {
  createWhatsAppWebJsClient,
  outgoingMedia,
  sessionDirFor,
  type WhatsAppWebClient,
  type WhatsAppWebClientFactory,
  type WhatsAppWebMedia,
  type WhatsAppWebMessage,
} from "./client.js";
import { loadWhatsAppWebSettings, type WhatsAppWebSettings } from "./config.js";
import { chatIdFromAddress, mapInbound } from "./inbound.js";
import { MediaStore } from "./media-store.js";
import { WhatsAppWebSession, type SessionStatus } from "./session.js";

export interface WhatsAppWebAdapterDeps {
  /** Where `ADMIN_TOKEN` is read (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  clientFactory?: WhatsAppWebClientFactory;
  /** Builds a sendable media object (default: the library's `MessageMedia`). */
  mediaFactory?: (mimetype: string, base64: string, filename?: string) => WhatsAppWebMedia;
  fetch?: typeof globalThis.fetch;
  /** Where the login QR code is printed (default: the terminal, via qrcode-terminal). */
  printQr?: (rendered: string) => void;
  logger?: Logger;
}

/** WhatsApp's own text limit is 65,536 characters; longer is not a support reply. */
const MAX_TEXT = 65_000;

export class WhatsAppWebChannelAdapter implements ChannelAdapter {
  readonly id: string;
  readonly kind = "whatsapp_web" as const;
  readonly maxTextLength = MAX_TEXT;

  private context: ChannelContext | undefined;
  private session: WhatsAppWebSession | undefined;
  private media: MediaStore | undefined;
  private readonly adminToken: string | undefined;

  constructor(
    private readonly settings: WhatsAppWebSettings,
    private readonly deps: Omit<WhatsAppWebAdapterDeps, "env"> & { adminToken?: string } = {},
  ) {
    this.id = settings.id;
    this.adminToken = deps.adminToken;
  }

  async registerRoutes(app: FastifyInstance, context: ChannelContext): Promise<void> {
    this.bind(context);
    registerAdminRoutes(app, {
      channelId: this.id,
      adminToken: this.adminToken,
      status: () => this.status(),
      pendingQr: () => this.session?.pendingQr,
      media: this.mediaStore(),
    });
  }

  async start(context: ChannelContext): Promise<void> {
    this.bind(context);
    if (this.session) return;
    const logger = this.logger();
    const sessionDir = sessionDirFor(context.dataDir, this.id);
    this.session = new WhatsAppWebSession({
      createClient: () => (this.deps.clientFactory ?? createWhatsAppWebJsClient)({ channelId: this.id, sessionDir, settings: this.settings }),
      onMessage: (message) => this.accept(message),
      onQr: (qr) => this.showQr(qr),
      logger,
      now: context.now,
      initialDelayMs: this.settings.reconnect.initialDelayMs,
      maxDelayMs: this.settings.reconnect.maxDelayMs,
    });
    this.session.start();
    logger.info({ sessionDir }, "WhatsApp Web session starting");
  }

  async stop(): Promise<void> {
    await this.session?.stop();
    this.session = undefined;
  }

  status(): SessionStatus {
    return this.session?.current ?? { state: "stopped", since: new Date(0), failures: 0 };
  }

  sendRateLimit(_delivery: OutboundDelivery): SendRateLimit {
    return {
      key: `whatsapp-web:${this.id}`,
      perSecond: this.settings.rateLimit.perSecond,
      ...(this.settings.rateLimit.burst !== undefined ? { burst: this.settings.rateLimit.burst } : {}),
    };
  }

  async send(delivery: OutboundDelivery): Promise<SendReceipt> {
    if (this.context === undefined) {
      // Workers may pick up a send job a moment before the composition root starts the channels.
      throw new ChannelNotStartedError(this.id);
    }
    const context = this.context;
    const { message, conversation } = delivery;
    const contact = await context.store.getContact(this.id, conversation.customerAddress);
    if (contact?.optedOut) {
      throw new DeliveryFailedError("opted_out", "The customer asked not to be contacted on this channel; nothing was sent.", { permanent: true });
    }
    const chatId = chatIdFromAddress(conversation.customerAddress);
    if (chatId === undefined) {
      throw new DeliveryFailedError("invalid_address", `"${conversation.customerAddress}" is not a WhatsApp address this channel can write to.`, { permanent: true });
    }
    const client = this.session?.readyClient;
    if (client === undefined) {
      const { state } = this.status();
      throw new DeliveryFailedError("whatsapp_web_not_ready", `The WhatsApp Web session is not connected (${state.replaceAll("_", " ")}); the message will be retried.`, {
        permanent: false,
        retryAfterMs: 5_000,
      });
    }
    await this.assertOnWhatsApp(client, chatId);

    const media = await this.outboundMedia(message.attachments);
    const ids: string[] = [];
    try {
      if (media.length === 0) {
        if (message.text.trim() === "") throw new DeliveryFailedError("empty_message", "The message has no text and no attachment.", { permanent: true });
        ids.push((await client.sendMessage(chatId, message.text.slice(0, MAX_TEXT))).id._serialized);
      } else {
        for (const [index, item] of media.entries()) {
          const caption = index === 0 && message.text.trim() !== "" ? { caption: message.text.slice(0, MAX_TEXT) } : undefined;
          ids.push((await client.sendMessage(chatId, item, caption)).id._serialized);
        }
      }
    } catch (error) {
      if (error instanceof DeliveryFailedError) throw error;
      throw new DeliveryFailedError("whatsapp_web_send_failed", `WhatsApp Web could not send the message: ${errorMessage(error)}`, { permanent: false, cause: error });
    }
    return { status: "sent", channelMessageId: ids[ids.length - 1]!, meta: { whatsappWebIds: ids } };
  }

  /**
   * A customer's media for the desk: a file kept at intake is read back from the media folder; media the
   * intake could not download is fetched through the linked session, which must be connected.
   */
  async fetchAttachment(attachment: Attachment): Promise<FetchedMedia> {
    const context = this.requireContext();
    const reference = requireMediaReference(attachment.url, `${context.publicUrl}${adminPaths(this.id).media}`);
    const maxBytes = Math.min(this.settings.media.maxBytes, MAX_MEDIA_BYTES);
    if (reference.kind === "message") {
      const client = this.session?.readyClient;
      if (client === undefined) throw new ChannelNotStartedError(this.id);
      return downloadFromSession(client, reference.messageId, maxBytes);
    }
    const file = await this.mediaStore().load(reference.name);
    if (file === null) throw new NotFoundError(`WhatsApp Web media ${reference.name} (no longer kept under DATA_DIR)`);
    if (file.bytes.length > maxBytes) throw new PayloadTooLargeError(`WhatsApp Web media of ${file.bytes.length} bytes is over the ${maxBytes}-byte cap`);
    return { contentType: file.contentType === "application/octet-stream" ? attachment.contentType : file.contentType, bytes: file.bytes };
  }

  private async assertOnWhatsApp(client: WhatsAppWebClient, chatId: string): Promise<void> {
    if (!client.getNumberId || !chatId.endsWith("@c.us")) return;
    let registered: { _serialized: string } | null;
    try {
      registered = await client.getNumberId(chatId.replace("@c.us", ""));
    } catch (error) {
      throw new DeliveryFailedError("whatsapp_web_send_failed", `WhatsApp Web could not look the number up: ${errorMessage(error)}`, { permanent: false, cause: error });
    }
    if (registered === null) {
      throw new DeliveryFailedError("not_on_whatsapp", "The customer's number does not use WhatsApp, so the message cannot be delivered here.", { permanent: true });
    }
  }

  /** Attachments are fetched by URL (size-capped) and sent as the library's media objects. */
  private async outboundMedia(attachments: readonly Attachment[]): Promise<WhatsAppWebMedia[]> {
    const fetchImpl = this.deps.fetch ?? globalThis.fetch;
    const build = this.deps.mediaFactory ?? outgoingMedia;
    const result: WhatsAppWebMedia[] = [];
    for (const attachment of attachments) {
      if (attachment.url === undefined || !/^https?:\/\//i.test(attachment.url)) continue;
      let response: Response;
      try {
        response = await fetchImpl(attachment.url, { signal: AbortSignal.timeout(30_000) });
      } catch (error) {
        throw new DeliveryFailedError("attachment_unavailable", `An attachment could not be fetched: ${errorMessage(error)}`, { permanent: false, cause: error });
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new DeliveryFailedError("attachment_unavailable", `An attachment could not be fetched (HTTP ${response.status}).`, { permanent: response.status < 500 });
      }
      const bytes = await readCapped(response, this.settings.media.maxBytes);
      result.push(build(attachment.contentType, bytes.toString("base64"), attachment.name));
    }
    return result;
  }

  private async accept(message: WhatsAppWebMessage): Promise<void> {
    const context = this.requireContext();
    const mapped = await mapInbound(message, {
      channelId: this.id,
      receivedAt: context.now(),
      maxMediaBytes: this.settings.media.maxBytes,
      storeMedia: async (media, bytes) => {
        const name = await this.mediaStore().save(bytes, media.mimetype);
        return `${context.publicUrl}${adminPaths(this.id).media}/${name}`;
      },
    });
    if (mapped.kind === "ignored") {
      this.logger().debug({ reason: mapped.reason }, "WhatsApp Web event ignored");
      return;
    }
    const result = await context.intake.accept(mapped.inbound);
    this.logger().info({ conversationId: result.conversationId, messageId: result.messageId, duplicate: result.duplicate }, "WhatsApp Web message accepted");
  }

  private showQr(qr: string): void {
    const context = this.requireContext();
    this.logger().info(
      { url: `${context.publicUrl}${adminPaths(this.id).qr}` },
      "WhatsApp Web needs a login: scan the QR code (terminal, or the admin URL with the ADMIN_TOKEN bearer token) in WhatsApp > Linked devices",
    );
    if (!this.settings.printQr) return;
    const print = this.deps.printQr ?? ((rendered: string) => process.stdout.write(`${rendered}\n`));
    qrcodeTerminal.generate(qr, { small: true }, print);
  }

  private mediaStore(): MediaStore {
    this.media ??= new MediaStore(join(sessionDirFor(this.requireContext().dataDir, this.id), "media"));
    return this.media;
  }

  private bind(context: ChannelContext): void {
    this.context = context;
  }

  private logger(): Logger {
    return (this.deps.logger ?? this.requireContext().logger).child({ channelId: this.id });
  }

  private requireContext(): ChannelContext {
    return requireChannelContext(this.id, this.context);
  }
}

async function readCapped(response: Response, maxBytes: number): Promise<Buffer> {
  try {
    return await readCappedBody(response, maxBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      throw new DeliveryFailedError("attachment_too_large", `An attachment is larger than the ${maxBytes}-byte cap for this channel.`, { permanent: true });
    }
    throw error;
  }
}

/** Build the adapter from its channels-file entry; `ADMIN_TOKEN` guards the QR and media routes. */
export function createWhatsAppWebAdapter(entry: ChannelEntry, deps: WhatsAppWebAdapterDeps = {}): WhatsAppWebChannelAdapter {
  const { env, ...rest } = deps;
  const adminToken = (env ?? process.env).ADMIN_TOKEN?.trim() || undefined;
  return new WhatsAppWebChannelAdapter(loadWhatsAppWebSettings(entry), { ...rest, ...(adminToken ? { adminToken } : {}) });
}
