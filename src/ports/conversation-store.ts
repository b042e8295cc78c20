/**
 * Persistence of conversations, messages and their events. One SQL code path serves PostgreSQL (`pg`)
 * and embedded PGlite (adapters/store). Every method is safe under concurrent workers: `seq` is gap-free
 * per conversation, inbound messages are deduplicated on (channelId, channelMessageId), state changes
 * go through `assertTransition` and are recorded as events in the same transaction.
 */
import type { ActorKind } from "../domain/conversation-state.js";
import type {
  Attachment,
  Conversation,
  ConversationEvent,
  ConversationState,
  Decision,
  DeliveryError,
  Escalation,
  InboundMessage,
  Message,
  MessageAuthor,
  MessageStatus,
  Priority,
} from "../domain/model.js";

export interface RecordInboundResult {
  conversation: Conversation;
  message: Message;
  /** The same (channelId, channelMessageId) was stored before: nothing new was written. */
  duplicate: boolean;
  /** A resolved conversation was opened again (state `ai`) by this message. */
  reopened: boolean;
}

export interface NewOutboundMessage {
  conversationId: string;
  author: Exclude<MessageAuthor, "customer">;
  text: string;
  attachments?: Attachment[];
  authorRef?: string;
  authorName?: string;
  /** `queued` (default) hands it to the send queue; `held` keeps it back with `error` saying why. */
  status?: Extract<MessageStatus, "queued" | "held">;
  error?: DeliveryError;
  meta?: Record<string, unknown>;
}

export interface TransitionRequest {
  to: ConversationState;
  by: ActorKind;
  /** Who exactly: `brain`, `customer`, `slack:U123`, `sla-sweep`... */
  actor: string;
  reason: string;
  /** Set (string) or clear (null) the owner; left as is when undefined. */
  assignee?: string | null;
  /** Set (object) or clear (null) the escalation record; left as is when undefined. */
  escalation?: Escalation | null;
  /** Refuse with ConflictError unless the conversation is in this state (first claim wins). */
  expectedState?: ConversationState;
  data?: Record<string, unknown>;
}

export interface ConversationPatch {
  customerId?: string | null;
  customerName?: string;
  category?: string | null;
  csat?: number;
  context?: Record<string, unknown>;
  /** Merge into `escalation` (for example the desk reference once posted). */
  escalationDeskRef?: string;
  /** Merge into `escalation`: an SLA re-alert raises the priority of an escalation nobody claimed. */
  escalationPriority?: Priority;
}

/** Everything one processed inbound message changes, committed at once: the exactly-once unit. */
export interface TurnCommit {
  conversationId: string;
  /** The inbound message this turn answers; the processing cursor moves to its `seq`. */
  inboundSeq: number;
  decision?: Decision;
  replies: NewOutboundMessage[];
  transition?: TransitionRequest;
  patch?: ConversationPatch;
  /**
   * The AI re-reads the state right before it speaks: when the conversation is no longer in this state at
   * commit time (an agent claimed it meanwhile), the replies, transition and patch are dropped, the decision
   * is still stored, the cursor still moves, and the result says `superseded`.
   */
  requireState?: ConversationState;
}

export interface TurnCommitResult {
  conversation: Conversation;
  replies: Message[];
  superseded: boolean;
}

export interface MessageStatusUpdate {
  error?: DeliveryError;
  channelMessageId?: string;
  /** Merged into the message's `meta`. */
  meta?: Record<string, unknown>;
}

export interface ConversationFilter {
  states?: ConversationState[];
  updatedSince?: Date;
  limit?: number;
}

export interface Contact {
  channelId: string;
  address: string;
  optedOut: boolean;
  updatedAt: Date;
}

export interface ConversationStore {
  /** Apply pending versioned migrations (idempotent, safe when several processes start at once). */
  migrate(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;

  /** Dedupe, find or open the conversation, append the message with the next `seq`: one transaction. */
  recordInbound(inbound: InboundMessage): Promise<RecordInboundResult>;
  appendOutbound(message: NewOutboundMessage): Promise<Message>;
  /**
   * Commit one turn. Returns null (and writes nothing) when the cursor is not at `inboundSeq - 1`
   * worth of pending work any more, i.e. another worker already processed that message.
   */
  commitTurn(turn: TurnCommit): Promise<TurnCommitResult | null>;
  transition(conversationId: string, request: TransitionRequest): Promise<Conversation>;
  updateConversation(conversationId: string, patch: ConversationPatch): Promise<Conversation>;
  recordEvent(
    conversationId: string,
    event: { type: string; reason: string; actor: string; data?: Record<string, unknown> },
  ): Promise<ConversationEvent>;

  getConversation(conversationId: string): Promise<Conversation | null>;
  findConversationByAddress(channelId: string, customerAddress: string): Promise<Conversation | null>;
  /**
   * The conversation whose current escalation was posted at this desk reference (Slack: `channel/ts`),
   * so a desk can go from a thread back to its conversation. Optional for stores that predate it; the
   * Slack desk requires it.
   */
  findConversationByDeskRef?(deskRef: string): Promise<Conversation | null>;
  listConversations(filter: ConversationFilter): Promise<Conversation[]>;
  getMessage(messageId: string): Promise<Message | null>;
  findMessageByChannelMessageId(channelId: string, channelMessageId: string): Promise<Message | null>;
  /** Messages in `seq` order; `afterSeq` excludes that seq; `limit` keeps the newest when `newest`. */
  listMessages(
    conversationId: string,
    options?: { afterSeq?: number; limit?: number; newest?: boolean },
  ): Promise<Message[]>;
  /** Inbound messages after the processing cursor, oldest first. */
  listPendingInbound(conversationId: string): Promise<Message[]>;
  /** Outbound messages still `queued`, oldest first (for send ordering and recovery sweeps). */
  listQueuedOutbound(conversationId?: string): Promise<Message[]>;
  /** Forward-only (see message-status.ts); returns false when the update was not an advance. */
  updateMessageStatus(messageId: string, status: MessageStatus, update?: MessageStatusUpdate): Promise<boolean>;
  /**
   * Merge into a message's `meta` whatever its status: delivery progress a retry must not lose (the
   * parts of a split message the provider already accepted). Throws NotFoundError for an unknown id.
   */
  mergeMessageMeta(messageId: string, meta: Record<string, unknown>): Promise<void>;
  listEvents(conversationId: string): Promise<ConversationEvent[]>;
  /** Conversations with inbound messages after the cursor (recovery sweep after a crash). */
  listConversationsWithPendingInbound(limit?: number): Promise<Conversation[]>;

  getContact(channelId: string, address: string): Promise<Contact | null>;
  setOptOut(channelId: string, address: string, optedOut: boolean): Promise<Contact>;
}
