/**
 * What every customer-facing channel implements (channels/*). A channel verifies and parses its
 * inbound traffic into `InboundMessage`s that it hands to the core's `InboundIntake`, and delivers
 * outbound messages when the send worker asks. Channel rules (length, windows, opt-out) live here.
 */
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { SwitchboardError } from "../errors.js";
import type { Attachment, ChannelKind, Conversation, InboundMessage, Message, DeliveryError } from "../domain/model.js";
import type { ConversationStore } from "./conversation-store.js";
import type { MessageBus, OnceGuard, RateLimiter } from "./work-queue.js";

export interface IntakeResult {
  conversationId: string;
  messageId: string;
  seq: number;
  duplicate: boolean;
}

/** The core's door for inbound messages: dedupe, store, enqueue the turn. Never does the work itself. */
export interface InboundIntake {
  accept(inbound: InboundMessage): Promise<IntakeResult>;
}

/** What the core gives a channel when it starts. */
export interface ChannelContext {
  intake: InboundIntake;
  store: ConversationStore;
  bus: MessageBus;
  rateLimiter: RateLimiter;
  once: OnceGuard;
  logger: Logger;
  /** The server's public base URL (no trailing slash), for signature checks and callback URLs. */
  publicUrl: string;
  dataDir: string;
  now: () => Date;
  /**
   * Tell the agents that an outbound message failed after it left (a provider's delivery-status
   * callback said so); the core shows the error recorded on the message. Optional: without it the
   * error is only on the message.
   */
  reportDeliveryProblem?: (conversationId: string, messageId: string) => Promise<void>;
}

export interface OutboundDelivery {
  message: Message;
  conversation: Conversation;
}

export interface SendReceipt {
  /** `held`: not delivered now by a channel rule; `error` says why (shown to the agent). */
  status: "sent" | "delivered" | "held";
  channelMessageId?: string;
  error?: DeliveryError;
  /** Delivery facts kept on the message (segment count, encoding, template used). */
  meta?: Record<string, unknown>;
}

/**
 * A channel rule applied to an inbound message before any routing (SMS STOP/START/HELP...).
 * `handled`: the brain does not see the message; `replies` are queued as system messages (the
 * channel's `send` still refuses what its rules forbid), `deskNote` is shown to agents.
 */
export type ChannelDirective =
  | { kind: "route" }
  | { kind: "handled"; reason: string; replies?: string[]; deskNote?: string };

/** Where and how fast a channel may send; the send worker defers jobs that would break it. */
export interface SendRateLimit {
  key: string;
  perSecond: number;
  burst?: number;
}

export interface ChannelAdapter {
  readonly id: string;
  readonly kind: ChannelKind;
  /** Customer-facing text limit; longer replies are split by the channel itself. */
  readonly maxTextLength?: number;

  /** Register inbound routes (webhooks, WebSocket) on the shared server. Web role only. */
  registerRoutes?(app: FastifyInstance, context: ChannelContext): void | Promise<void>;
  /** Start long-lived connections (whatsapp-web.js, Socket Mode). Called in every role that needs it. */
  start?(context: ChannelContext): Promise<void>;
  stop?(): Promise<void>;

  /** Channel rules before routing; absent means every message is routed. */
  preRoute?(message: Message, conversation: Conversation): Promise<ChannelDirective>;

  /** Deliver one stored outbound message. Throws `DeliveryFailedError` (permanent or transient). */
  send(delivery: OutboundDelivery): Promise<SendReceipt>;
  sendRateLimit?(delivery: OutboundDelivery): SendRateLimit | undefined;

  /**
   * The bytes of an inbound attachment the provider keeps (Twilio media URLs need the account's
   * credentials), fetched only from the provider's own hosts and size-capped. Absent: `url` is enough.
   */
  fetchAttachment?(attachment: Attachment): Promise<{ contentType: string; bytes: Buffer }>;
}

/** The context `start()` or `registerRoutes()` gave a channel; using a channel before either is a wiring bug. */
export function requireChannelContext(channelId: string, context: ChannelContext | undefined): ChannelContext {
  if (context === undefined) {
    throw new SwitchboardError("channel.not_started", `channel "${channelId}" was used before start() or registerRoutes() gave it its context`);
  }
  return context;
}
