/**
 * What each authenticated client frame does. Customer messages and quick replies become `InboundMessage`s
 * for the core's intake (which dedupes, stores and enqueues); acks mark delivery; history reads the
 * store. Everything is scoped to the socket's own conversation.
 */
import type { ConversationState, InboundMessage } from "../../src/domain/model.js";
import { ValidationError } from "../../src/errors.js";
import type { IntakeResult } from "../../src/ports/channel-adapter.js";
import { conversationTopic, messageEventPayload, type ConversationBusEvent } from "../../src/ports/conversation-events.js";
import type { ActionFrame, AckFrame, ClientFrame, FrameError, HistoryFrame, MessageFrame, ServerFrame, TypingFrame } from "./frames.js";
import type { SocketSessionDeps } from "./socket-session.js";
import type { SocketGuard } from "./socket-guard.js";
import type { WebchatSession } from "./session-token.js";
import { isCustomerVisible, offeredAction, toVisibleMessage } from "./visible-messages.js";

/** The part of a socket session the handlers use. */
export interface FrameHandlerScope {
  readonly deps: SocketSessionDeps;
  session: WebchatSession | undefined;
  guard: SocketGuard | undefined;
  conversationId: string | null;
  /** Outbound messages shown on this socket and not acknowledged yet: seq -> message id. */
  readonly unacked: Map<number, string>;
  /** The highest seq this socket has shown (history or live). */
  highestShownSeq: number;
  /** The conversation state this socket last told its client. */
  lastState: ConversationState;
  send(frame: ServerFrame): void;
  /** Show a conversation event on this socket (as if it came over the bus). */
  deliver(event: ConversationBusEvent): void;
  sendError(error: FrameError, retryAfterMs?: number): void;
  strike(): void;
  /** False (and the socket closed with 4401) once the session token has expired. */
  sessionStillValid(): boolean;
}

const DEFAULT_HISTORY_PAGE = 100;

export async function handleClientFrame(scope: FrameHandlerScope, frame: Exclude<ClientFrame, { type: "auth" }>): Promise<void> {
  switch (frame.type) {
    case "message":
      return onMessage(scope, frame);
    case "action":
      return onAction(scope, frame);
    case "typing":
      return onTyping(scope, frame);
    case "history":
      return onHistory(scope, frame);
    case "ack":
      return onAck(scope, frame);
  }
}

async function takeMessageBudget(scope: FrameHandlerScope, id: string): Promise<boolean> {
  const budget = await scope.guard!.take("messages");
  if (budget.allowed) return true;
  scope.sendError({ code: "rate_limited", message: "you are sending messages too quickly; wait a moment", id }, budget.retryAfterMs);
  scope.strike();
  return false;
}

function customerMeta(session: WebchatSession): Record<string, unknown> {
  return session.customerId !== undefined ? { verifiedCustomerId: session.customerId } : {};
}

async function onMessage(scope: FrameHandlerScope, frame: MessageFrame): Promise<void> {
  if (!scope.sessionStillValid() || !(await takeMessageBudget(scope, frame.id))) return;
  const meta = customerMeta(scope.session!);
  if (frame.intent === "human") meta.intent = "human";
  await acceptInbound(scope, frame.id, frame.text.trim(), meta, true);
}

async function onAction(scope: FrameHandlerScope, frame: ActionFrame): Promise<void> {
  if (!scope.sessionStillValid() || !(await takeMessageBudget(scope, frame.id))) return;
  const { store } = scope.deps.context;
  const [message] = scope.conversationId ? await store.listMessages(scope.conversationId, { afterSeq: frame.forSeq - 1, limit: 1 }) : [];
  const action = message && message.seq === frame.forSeq && isCustomerVisible(message) ? offeredAction(message, frame.value) : undefined;
  if (!message || !action) {
    scope.sendError({ code: "invalid_action", message: "that choice was not offered in this conversation", id: frame.id });
    scope.strike();
    return;
  }
  // The visible text is the button's label; the core reads `meta.action` (a CSAT score, a choice).
  const meta = {
    ...customerMeta(scope.session!),
    action: { ...(action.kind ? { kind: action.kind } : {}), value: action.value, label: action.label, forSeq: message.seq, forMessageId: message.id },
  };
  await acceptInbound(scope, frame.id, action.label, meta, false);
}

async function acceptInbound(scope: FrameHandlerScope, clientId: string, text: string, meta: Record<string, unknown>, announceReopen: boolean): Promise<void> {
  const { context, hub, settings } = scope.deps;
  const visitorId = scope.session!.visitorId;
  const inbound: InboundMessage = {
    channelId: settings.id,
    // Namespaced by visitor: a client id is chosen by the browser, so two visitors could pick the same
    // one, and the core's dedupe must never answer one visitor with another visitor's conversation.
    channelMessageId: `${visitorId}.${clientId}`,
    customerAddress: visitorId,
    text,
    attachments: [],
    receivedAt: context.now(),
    meta,
  };
  let result: IntakeResult;
  try {
    result = await context.intake.accept(inbound);
  } catch (error) {
    if (error instanceof ValidationError) {
      scope.sendError({ code: "invalid_frame", message: error.message, id: clientId });
      return;
    }
    context.logger.error({ err: error, channelId: settings.id }, "webchat: intake refused a message");
    scope.sendError({ code: "unavailable", message: "your message was not received; it will be sent again", id: clientId });
    return;
  }
  const opened = scope.conversationId !== result.conversationId;
  if (opened) await hub.conversationOpened(visitorId, result.conversationId);
  scope.send({ type: "receipt", id: clientId, seq: result.seq, conversationId: result.conversationId, duplicate: result.duplicate });
  if (opened) await catchUp(scope, result.conversationId, result.seq);
  if (result.duplicate) return;
  // Other tabs of this visitor (in any web process) show the message too; a failure here loses nothing.
  try {
    const topic = conversationTopic(result.conversationId);
    const stored = await context.store.getMessage(result.messageId);
    if (stored) await context.bus.publish(topic, messageEventPayload(stored));
    // A message on a resolved conversation re-opens it in the store, and the core's intake does not
    // announce that. (A quick reply such as a CSAT score re-opens only until its turn closes it again.)
    if (announceReopen && scope.lastState === "resolved") {
      const conversation = await context.store.getConversation(result.conversationId);
      if (conversation && conversation.state !== "resolved") await context.bus.publish(topic, { type: "state", state: conversation.state });
    }
  } catch (error) {
    context.logger.warn({ err: error, conversationId: result.conversationId }, "webchat: could not echo a customer message to other tabs");
  }
}

/**
 * The turn was enqueued before this socket subscribed to the new conversation (the bus is at-most-once):
 * whatever was published in between is read from the store instead. Duplicates are harmless (seq).
 */
async function catchUp(scope: FrameHandlerScope, conversationId: string, afterSeq: number): Promise<void> {
  const { store } = scope.deps.context;
  const [missed, conversation] = await Promise.all([store.listMessages(conversationId, { afterSeq }), store.getConversation(conversationId)]);
  for (const message of missed) scope.deliver({ type: "message", message });
  if (conversation && conversation.state !== scope.lastState) scope.deliver({ type: "state", state: conversation.state });
}

async function onTyping(scope: FrameHandlerScope, frame: TypingFrame): Promise<void> {
  if (!scope.conversationId) return;
  await scope.deps.context.bus.publish(conversationTopic(scope.conversationId), { type: "typing", on: frame.on, author: "customer" });
}

async function onHistory(scope: FrameHandlerScope, frame: HistoryFrame): Promise<void> {
  if (!scope.conversationId) {
    scope.send({ type: "history", messages: [], hasMore: false });
    return;
  }
  const limit = frame.limit ?? DEFAULT_HISTORY_PAGE;
  const page = await scope.deps.context.store.listMessages(scope.conversationId, { afterSeq: frame.afterSeq, limit: limit + 1 });
  const hasMore = page.length > limit;
  const shown = page.slice(0, limit).filter(isCustomerVisible);
  rememberShown(scope, shown);
  scope.send({ type: "history", messages: shown.map((message) => toVisibleMessage(message, scope.deps.settings)), hasMore });
}

/** Unacknowledged messages remembered per socket; a client that never acks cannot grow it without bound. */
const MAX_UNACKED = 500;

/** Track what this socket showed, so a later ack can mark it delivered without a store scan. */
export function rememberShown(scope: Pick<FrameHandlerScope, "unacked" | "highestShownSeq">, messages: ReadonlyArray<{ seq: number; id: string; direction: string; status: string }>): void {
  for (const message of messages) {
    scope.highestShownSeq = Math.max(scope.highestShownSeq, message.seq);
    if (message.direction === "outbound" && (message.status === "queued" || message.status === "sent")) scope.unacked.set(message.seq, message.id);
  }
  while (scope.unacked.size > MAX_UNACKED) scope.unacked.delete(Math.min(...scope.unacked.keys()));
}

/** `ack {seq}`: the widget has shown every message up to `seq`; the outbound ones become `delivered`. */
async function onAck(scope: FrameHandlerScope, frame: AckFrame): Promise<void> {
  if (frame.seq > scope.highestShownSeq) {
    scope.sendError({ code: "unknown_message", message: `no message ${frame.seq} was shown on this connection` });
    return;
  }
  const { store, logger } = scope.deps.context;
  const due = [...scope.unacked.entries()].filter(([seq]) => seq <= frame.seq).sort(([a], [b]) => a - b);
  for (const [seq, messageId] of due) {
    scope.unacked.delete(seq);
    try {
      await store.updateMessageStatus(messageId, "delivered");
    } catch (error) {
      logger.warn({ err: error, messageId, conversationId: scope.conversationId }, "webchat: could not record a delivery");
    }
  }
}
