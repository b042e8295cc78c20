/**
 * The Twilio channel: SMS and WhatsApp over Twilio Messaging, one class for both kinds. It verifies and
 * parses webhooks into the core's `InboundIntake`, applies SMS keyword compliance before routing,
 * keeps WhatsApp's 24-hour rule on the way out, sends through the official SDK, and moves delivery
 * status forward from Twilio's callbacks.
 */
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import twilio from "twilio";
import type { ChannelEntry } from "../../src/config/channels-file.js";
import type { Attachment, Conversation, Message } from "../../src/domain/model.js";
import { ChannelNotStartedError, DeliveryFailedError, NotFoundError, ValidationError } from "../../src/errors.js";
import {
  requireChannelContext,
  type ChannelAdapter,
  type ChannelContext,
  type ChannelDirective,
  type OutboundDelivery,
  type SendRateLimit,
  type SendReceipt,
} from "../../src/ports/channel-adapter.js";
import { explainTwilioCode, isOptOutCode } from "./api/errors.js";
import { TwilioHttpClient } from "./api/http-client.js";
import { sendTemplate, sendText, type Sender, type TwilioMessagesClient } from "./api/send.js";
import { applyCompliance } from "./compliance.js";
import { loadTwilioChannelConfig, senderOf, type TwilioChannelConfig, type TwilioChannelSettings } from "./config.js";
import { TWILIO_BODY_LIMIT } from "./format/split.js";
import { fetchTwilioMedia, isTwilioMediaUrl, type FetchedMedia } from "./media.js";
import { chooseTemplate, insideWindow } from "./whatsapp-window.js";
import { parseInboundWebhook, parseStatusCallback } from "./webhook/parse.js";
import { registerTwilioRoutes, webhookPaths } from "./webhook/routes.js";
import type { FormParams } from "./webhook/verify.js";

export interface TwilioClientFactoryInput {
  accountSid: string;
  authToken: string;
  /** Rewrites the API origin to `TWILIO_API_URL` and keeps `Retry-After`: pass it to the SDK. */
  httpClient: TwilioHttpClient;
}

export interface TwilioAdapterDeps {
  /** Where credentials and `TWILIO_API_URL` are read (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** An official client built elsewhere, or a factory for one (default: `twilio(sid, token, { httpClient })`). */
  client?: TwilioMessagesClient;
  clientFactory?: (input: TwilioClientFactoryInput) => TwilioMessagesClient;
  fetch?: typeof globalThis.fetch;
  now?: () => Date;
  logger?: Logger;
  sleep?: (ms: number) => Promise<void>;
}

const STATUS_LOOKUP_RETRY_MS = [250, 750];

/** Re-engagement templates are remembered this long per customer silence (longer than any window). */
const REENGAGE_TTL_MS = 30 * 24 * 3_600_000;

export class TwilioChannelAdapter implements ChannelAdapter {
  readonly id: string;
  readonly kind: "twilio_sms" | "twilio_whatsapp";
  readonly maxTextLength = TWILIO_BODY_LIMIT;

  private readonly settings: TwilioChannelSettings;
  private readonly client: TwilioMessagesClient;
  private readonly fetchImpl: typeof globalThis.fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly ownLogger: Logger | undefined;
  private readonly clock: (() => Date) | undefined;
  private context: ChannelContext | undefined;

  constructor(
    private readonly config: TwilioChannelConfig,
    deps: Omit<TwilioAdapterDeps, "env"> = {},
  ) {
    this.settings = config.settings;
    this.id = config.settings.id;
    this.kind = config.settings.kind;
    this.fetchImpl = deps.fetch ?? globalThis.fetch;
    this.sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.ownLogger = deps.logger?.child({ channelId: this.id });
    this.clock = deps.now;
    this.client =
      deps.client ??
      (deps.clientFactory ?? defaultClientFactory)({
        accountSid: config.credentials.accountSid,
        authToken: config.credentials.authToken,
        httpClient: new TwilioHttpClient({ ...(config.apiBaseUrl ? { apiBaseUrl: config.apiBaseUrl } : {}), ...(deps.now ? { now: deps.now } : {}) }),
      });
  }

  /** The URLs to paste into the Twilio console for this channel. */
  webhookUrls(publicUrl: string): { inbound: string; status: string } {
    const paths = webhookPaths(this.id);
    return { inbound: publicUrl + paths.inbound, status: publicUrl + paths.status };
  }

  async registerRoutes(app: FastifyInstance, context: ChannelContext): Promise<void> {
    this.context = context;
    await registerTwilioRoutes(app, {
      channelId: this.id,
      authToken: this.config.credentials.authToken,
      publicUrl: context.publicUrl,
      logger: this.logger(),
      onMessage: (params) => this.acceptWebhook(params),
      onStatus: (params) => this.acceptStatus(params),
    });
  }

  async start(context: ChannelContext): Promise<void> {
    this.context = context;
  }

  async preRoute(message: Message, conversation: Conversation): Promise<ChannelDirective> {
    if (this.kind !== "twilio_sms" || message.direction !== "inbound") return { kind: "route" };
    return applyCompliance(this.requireContext().store, message, conversation, this.settings.compliance);
  }

  sendRateLimit(_delivery: OutboundDelivery): SendRateLimit {
    return {
      key: `twilio:${senderOf(this.settings)}`,
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
    await this.refuseOptedOut(context, message, conversation);

    if (this.kind === "twilio_whatsapp" && !insideWindow(conversation, this.now(), this.settings.whatsapp.windowHours)) {
      return this.sendOutsideWindow(context, message, conversation);
    }

    const limit = this.sendRateLimit(delivery);
    const result = await this.recordingOptOut(context, conversation, () => sendText(
      this.client,
      {
        to: conversation.customerAddress,
        sender: this.sender(),
        text: message.text,
        mediaUrls: outboundMediaUrls(message.attachments),
        mediaPerMessage: this.kind === "twilio_whatsapp" ? 1 : 10,
        ...this.statusCallback(context),
        acceptedSids: acceptedPartSids(message),
        onPartAccepted: (sids) => context.store.mergeMessageMeta(message.id, { [PART_SIDS]: sids }),
      },
      // The send dispatcher takes its token under `send:<key>`; later parts share that bucket.
      { rateLimiter: context.rateLimiter, key: `send:${limit.key}`, limit, sleep: this.sleep },
      this.logger(),
    ));
    return {
      status: "sent",
      // Status callbacks follow the last part: when it is delivered, the whole message is.
      channelMessageId: result.sids[result.sids.length - 1],
      meta: { encoding: result.encoding, segments: result.segments, parts: result.parts, [PART_SIDS]: result.sids },
    };
  }

  /** The bytes of an inbound attachment kept on Twilio, fetched with credentials and size-capped. */
  async fetchAttachment(attachment: Attachment): Promise<FetchedMedia> {
    if (attachment.url === undefined) throw new NotFoundError("attachment URL");
    this.assertOwnMedia(attachment.url);
    return fetchTwilioMedia(attachment.url, {
      credentials: this.config.credentials,
      fetch: this.fetchImpl,
      maxBytes: this.settings.media.maxBytes,
      policy: this.mediaPolicy(),
    });
  }

  private async acceptWebhook(params: FormParams): Promise<void> {
    const context = this.requireContext();
    const parsed = parseInboundWebhook(params, {
      channelId: this.id,
      channelKind: this.kind,
      receivedAt: this.now(),
      isTrustedMediaUrl: (url) => isTwilioMediaUrl(url, this.mediaPolicy()),
    });
    if (parsed.kind === "unsupported") {
      this.logger().info({ reason: parsed.reason }, "ignored an authentic Twilio webhook we do not handle");
      return;
    }
    if (parsed.droppedMedia > 0) {
      this.logger().warn({ dropped: parsed.droppedMedia }, "dropped media URLs that are not on Twilio's hosts");
    }
    const result = await context.intake.accept(parsed.inbound);
    this.logger().info(
      { conversationId: result.conversationId, messageId: result.messageId, duplicate: result.duplicate },
      result.duplicate ? "replayed Twilio message ignored" : "Twilio message accepted",
    );
  }

  private async acceptStatus(params: FormParams): Promise<void> {
    const context = this.requireContext();
    const parsed = parseStatusCallback(params);
    if (parsed.kind === "unsupported") {
      this.logger().info({ reason: parsed.reason }, "ignored a Twilio status callback we do not handle");
      return;
    }
    if (parsed.status === undefined) return;
    const message = await this.findSentMessage(context, parsed.messageSid);
    if (message === null || message.direction !== "outbound") {
      this.logger().debug({ sid: parsed.messageSid }, "status callback for a message we do not know");
      return;
    }
    const error =
      parsed.status === "failed"
        ? {
            code: parsed.errorCode ?? `twilio_${parsed.twilioStatus}`,
            message:
              explainTwilioCode(parsed.errorCode) ??
              `Twilio could not deliver the message (${parsed.twilioStatus}${parsed.errorCode ? `, error ${parsed.errorCode}` : ""}${parsed.errorMessage ? `: ${parsed.errorMessage}` : ""}).`,
            permanent: true,
          }
        : undefined;
    if (parsed.errorCode !== undefined && isOptOutCode(parsed.errorCode)) await this.recordOptOut(context, message.conversationId);
    const advanced = await context.store.updateMessageStatus(message.id, parsed.status, {
      ...(error ? { error } : {}),
      meta: { twilioStatus: parsed.twilioStatus },
    });
    this.logger().info({ messageId: message.id, status: parsed.status, advanced }, "Twilio delivery status");
    if (advanced && error !== undefined) await context.reportDeliveryProblem?.(message.conversationId, message.id);
  }

  /**
   * Twilio can call back before the send worker has recorded the SID it just got (a fast `queued` or
   * `sent`), and it does not retry status callbacks: look again briefly before calling a SID unknown.
   */
  private async findSentMessage(context: ChannelContext, sid: string): Promise<Message | null> {
    for (const wait of STATUS_LOOKUP_RETRY_MS) {
      const message = await context.store.findMessageByChannelMessageId(this.id, sid);
      if (message !== null) return message;
      await this.sleep(wait);
    }
    return context.store.findMessageByChannelMessageId(this.id, sid);
  }

  private async sendOutsideWindow(context: ChannelContext, message: Message, conversation: Conversation): Promise<SendReceipt> {
    const choice = chooseTemplate(this.settings.whatsapp.templates, message, conversation);
    const windowNote = "The customer last wrote more than 24 hours ago, so WhatsApp only allows an approved template";
    if (choice === undefined) {
      return {
        status: "held",
        error: {
          code: "outside_whatsapp_window",
          message: `${windowNote}, and none is configured that fits this message. It is held and goes out when the customer writes again.`,
          permanent: false,
        },
      };
    }
    const base = { to: conversation.customerAddress, sender: this.sender(), contentSid: choice.template.contentSid, contentVariables: choice.contentVariables, ...this.statusCallback(context) };
    if (choice.carriesText) {
      const sid = await this.recordingOptOut(context, conversation, () => sendTemplate(this.client, base));
      return { status: "sent", channelMessageId: sid, meta: { template: choice.template.name, contentSid: choice.template.contentSid } };
    }
    // A re-engagement template: once per customer silence, however many messages wait behind it.
    const silence = conversation.lastInboundAt?.getTime() ?? 0;
    const first = await context.once.firstTime(`twilio:reengage:${this.id}:${conversation.id}:${silence}`, REENGAGE_TTL_MS);
    if (first) await this.recordingOptOut(context, conversation, () => sendTemplate(this.client, base));
    return {
      status: "held",
      error: {
        code: "outside_whatsapp_window",
        message: `${windowNote}. We sent the template "${choice.template.name}" asking the customer to reply; this message is held and goes out when they do.`,
        permanent: false,
      },
      meta: { reengagementTemplate: choice.template.name },
    };
  }

  /**
   * Twilio refuses a number that opted out with 21610, also when the STOP went to another sender of the
   * Messaging Service or reached Twilio before we saw it: record the opt-out, so nothing else is tried.
   */
  private async recordingOptOut<T>(context: ChannelContext, conversation: Conversation, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      if (error instanceof DeliveryFailedError && isOptOutCode(error.providerCode)) {
        await context.store.setOptOut(this.id, conversation.customerAddress, true);
      }
      throw error;
    }
  }

  private async recordOptOut(context: ChannelContext, conversationId: string): Promise<void> {
    const conversation = await context.store.getConversation(conversationId);
    if (conversation !== null) await context.store.setOptOut(this.id, conversation.customerAddress, true);
  }

  private async refuseOptedOut(context: ChannelContext, message: Message, conversation: Conversation): Promise<void> {
    const contact = await context.store.getContact(this.id, conversation.customerAddress);
    if (contact === null || !contact.optedOut) return;
    // The single confirmation after STOP, written by us after the opt-out, is the one exception.
    const confirmation = this.settings.compliance.optOutConfirmation;
    const isConfirmation = message.author === "system" && confirmation !== undefined && message.text === confirmation && message.createdAt >= contact.updatedAt;
    if (isConfirmation) return;
    throw new DeliveryFailedError(
      "opted_out",
      "The customer has opted out of messages on this channel (they texted STOP). Nothing was sent; they must text START first.",
      { permanent: true },
    );
  }

  private assertOwnMedia(url: string): void {
    if (!isTwilioMediaUrl(url, this.mediaPolicy())) throw new ValidationError("attachment is not Twilio media");
    const path = new URL(url).pathname;
    const accountPath = /^\/2010-04-01\/Accounts\/(AC[0-9a-fA-F]{32})\//.exec(path);
    if (accountPath !== null && accountPath[1] !== this.config.credentials.accountSid) {
      throw new ValidationError("attachment belongs to another Twilio account");
    }
  }

  private mediaPolicy() {
    return this.config.apiBaseUrl ? { apiBaseUrl: this.config.apiBaseUrl } : {};
  }

  private sender(): Sender {
    return this.settings.messagingServiceSid !== undefined
      ? { messagingServiceSid: this.settings.messagingServiceSid }
      : { from: this.settings.from! };
  }

  private statusCallback(context: ChannelContext): { statusCallback?: string } {
    return this.settings.statusCallbacks ? { statusCallback: this.webhookUrls(context.publicUrl).status } : {};
  }

  private now(): Date {
    return (this.clock ?? this.context?.now ?? (() => new Date()))();
  }

  private logger(): Logger {
    return this.ownLogger ?? this.requireContext().logger.child({ channelId: this.id });
  }

  private requireContext(): ChannelContext {
    return requireChannelContext(this.id, this.context);
  }
}

function defaultClientFactory(input: TwilioClientFactoryInput): TwilioMessagesClient {
  return twilio(input.accountSid, input.authToken, { httpClient: input.httpClient });
}

/** The SIDs of a split message's parts, in order; recorded as each is accepted, so a retry skips them. */
const PART_SIDS = "partSids";
const MESSAGE_SID = /^(SM|MM)[0-9a-fA-F]{32}$/;

function acceptedPartSids(message: Message): string[] {
  const recorded = message.meta[PART_SIDS];
  if (!Array.isArray(recorded)) return [];
  const sids: string[] = [];
  for (const sid of recorded) {
    if (typeof sid !== "string" || !MESSAGE_SID.test(sid)) break;
    sids.push(sid);
  }
  return sids;
}

/** Twilio fetches outbound media itself, so only public http(s) URLs can be attached. */
function outboundMediaUrls(attachments: readonly Attachment[]): string[] {
  return attachments
    .map((attachment) => attachment.url)
    .filter((url): url is string => url !== undefined && /^https?:\/\//i.test(url));
}

/** Build the adapter from its channels-file entry; credentials come from the environment. */
export function createTwilioAdapter(entry: ChannelEntry, deps: TwilioAdapterDeps = {}): TwilioChannelAdapter {
  const { env, ...rest } = deps;
  return new TwilioChannelAdapter(loadTwilioChannelConfig(entry, env ?? process.env), rest);
}
