/**
 * The one conversation model every channel is normalized into (DESIGN.md: the conversation model).
 * Zod schemas are the source of truth; the types are inferred from them and validated at every boundary.
 */
import { z } from "zod";

export const ChannelKind = z.enum(["webchat", "twilio_sms", "twilio_whatsapp", "whatsapp_web", "botframework"]);
export type ChannelKind = z.infer<typeof ChannelKind>;

export const ConversationState = z.enum(["ai", "awaiting_human", "human", "resolved"]);
export type ConversationState = z.infer<typeof ConversationState>;

export const Priority = z.enum(["low", "normal", "high", "urgent"]);
export type Priority = z.infer<typeof Priority>;

export const Route = z.enum(["ai", "human"]);
export type Route = z.infer<typeof Route>;

export const MessageDirection = z.enum(["inbound", "outbound"]);
export type MessageDirection = z.infer<typeof MessageDirection>;

export const MessageAuthor = z.enum(["customer", "ai", "agent", "system"]);
export type MessageAuthor = z.infer<typeof MessageAuthor>;

/**
 * `held`: an outbound message the channel may not deliver now (for example outside WhatsApp's 24-hour
 * window with no template); the agent is told why. Forward-only order is defined in `message-status.ts`.
 */
export const MessageStatus = z.enum(["received", "queued", "held", "sent", "delivered", "read", "failed"]);
export type MessageStatus = z.infer<typeof MessageStatus>;

export const Attachment = z.object({
  /** Where the channel serves it (a provider media URL) or where we stored it. */
  url: z.string().min(1).max(2048).optional(),
  contentType: z.string().min(1).max(255),
  name: z.string().max(255).optional(),
  sizeBytes: z.number().int().nonnegative().optional(),
});
export type Attachment = z.infer<typeof Attachment>;

/** The outcome of one guardrail on one draft reply. */
export const GuardrailVerdict = z.object({
  guardrail: z.string().min(1),
  passed: z.boolean(),
  /** Stable code when it failed, e.g. `ungrounded_figure`. */
  code: z.string().optional(),
  detail: z.string().optional(),
});
export type GuardrailVerdict = z.infer<typeof GuardrailVerdict>;

/** Why the brain routed a message the way it did: stored with the inbound message, auditable. */
export const Decision = z.object({
  route: Route,
  category: z.string().optional(),
  reasonCodes: z.array(z.string()),
  guardrails: z.array(GuardrailVerdict).default([]),
  confidence: z.number().min(0).max(1).optional(),
  priority: Priority.optional(),
  engine: z.string().optional(),
  latencyMs: z.number().nonnegative().optional(),
});
export type Decision = z.infer<typeof Decision>;

/** A delivery problem recorded on an outbound message (provider code and a sentence for the agent). */
export const DeliveryError = z.object({
  code: z.string(),
  message: z.string(),
  permanent: z.boolean(),
});
export type DeliveryError = z.infer<typeof DeliveryError>;

export const Message = z.object({
  id: z.string().uuid(),
  conversationId: z.string().uuid(),
  seq: z.number().int().positive(),
  direction: MessageDirection,
  author: MessageAuthor,
  /** For `agent` messages: who wrote it (desk user id) and the name shown to the customer. */
  authorRef: z.string().optional(),
  authorName: z.string().optional(),
  text: z.string(),
  attachments: z.array(Attachment).default([]),
  channelMessageId: z.string().optional(),
  status: MessageStatus,
  error: DeliveryError.optional(),
  decision: Decision.optional(),
  /** Channel-specific delivery facts (segment count, template used...). */
  meta: z.record(z.string(), z.unknown()).default({}),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type Message = z.infer<typeof Message>;

export const Escalation = z.object({
  reason: z.string(),
  reasonCodes: z.array(z.string()).default([]),
  priority: Priority,
  at: z.date(),
  /** Where the desk keeps it (for Slack: `channel/ts` of the post); set once posted. */
  deskRef: z.string().optional(),
});
export type Escalation = z.infer<typeof Escalation>;

export const Conversation = z.object({
  id: z.string().uuid(),
  channelId: z.string(),
  /** The customer's address on that channel: E.164 phone, `whatsapp:+...`, a web chat visitor id. */
  customerAddress: z.string(),
  customerId: z.string().optional(),
  customerName: z.string().optional(),
  state: ConversationState,
  assignee: z.string().optional(),
  escalation: Escalation.optional(),
  category: z.string().optional(),
  csat: z.number().int().min(1).max(5).optional(),
  /**
   * The brain's working memory for this conversation (pending account action awaiting confirmation,
   * verification step, decision-tree position, failed-answer count). Owned by the agent, stored as JSON.
   */
  context: z.record(z.string(), z.unknown()).default({}),
  lastInboundAt: z.date().optional(),
  /** Highest inbound `seq` the pipeline has finished with: the processing cursor. */
  processedSeq: z.number().int().nonnegative(),
  lastSeq: z.number().int().nonnegative(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type Conversation = z.infer<typeof Conversation>;

/** A customer message as a channel adapter hands it to the core, after verification and parsing. */
export const InboundMessage = z.object({
  channelId: z.string().min(1),
  /** The provider's id (Twilio `MessageSid`, a web chat client id): the dedupe key with `channelId`. */
  channelMessageId: z.string().min(1).max(255),
  customerAddress: z.string().min(1).max(255),
  customerName: z.string().max(255).optional(),
  text: z.string().max(100_000),
  attachments: z.array(Attachment).max(20).default([]),
  receivedAt: z.date(),
  /** Channel facts worth keeping (WhatsApp `WaId`, the number written to...). */
  meta: z.record(z.string(), z.unknown()).default({}),
});
export type InboundMessage = z.infer<typeof InboundMessage>;

export const ConversationEvent = z.object({
  id: z.string().uuid(),
  conversationId: z.string().uuid(),
  type: z.string(),
  from: ConversationState.optional(),
  to: ConversationState.optional(),
  reason: z.string(),
  actor: z.string(),
  data: z.record(z.string(), z.unknown()).default({}),
  at: z.date(),
});
export type ConversationEvent = z.infer<typeof ConversationEvent>;
