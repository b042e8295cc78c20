/**
 * The SQL shared by both engines, as small functions over a `SqlExecutor` (a pool, PGlite, or an open
 * transaction). Values go in as text with explicit casts (see sql-client.ts) so both drivers agree.
 */
import type { Conversation, ConversationEvent, Message } from "../../src/domain/model.js";
import { ValidationError } from "../../src/errors.js";
import type { PlannedEvent } from "./conversation-changes.js";
import {
  conversationFromRow,
  escalationToJson,
  eventFromRow,
  messageFromRow,
  type ConversationRow,
  type EventRow,
  type MessageRow,
} from "./rows.js";
import type { SqlExecutor, SqlParam } from "./sql-client.js";

/** What the store needs besides SQL: injected so tests control time and ids. */
export interface StoreDeps {
  now: () => Date;
  newId: () => string;
}

export function jsonParam(value: unknown): string {
  try {
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError("not representable as JSON");
    return text;
  } catch (error) {
    throw new ValidationError(`value cannot be stored as JSON: ${(error as Error).message}`);
  }
}

export function timeParam(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new ValidationError("invalid date");
  return date.toISOString();
}

export async function selectConversation(
  db: SqlExecutor,
  conversationId: string,
  options: { forUpdate?: boolean } = {},
): Promise<Conversation | null> {
  const { rows } = await db.query<ConversationRow>(
    `SELECT * FROM conversations WHERE id = $1::uuid${options.forUpdate ? " FOR UPDATE" : ""}`,
    [conversationId],
  );
  return rows[0] ? conversationFromRow(rows[0]) : null;
}

/** Write every mutable column of a conversation the caller holds locked. */
export async function saveConversation(db: SqlExecutor, next: Conversation): Promise<Conversation> {
  const { rows } = await db.query<ConversationRow>(
    `UPDATE conversations SET
       customer_id = $2, customer_name = $3, state = $4, assignee = $5, escalation = $6::jsonb,
       category = $7, csat = $8::integer, context = $9::jsonb, last_inbound_at = $10::timestamptz,
       processed_seq = $11::integer, last_seq = $12::integer, updated_at = $13::timestamptz
     WHERE id = $1::uuid
     RETURNING *`,
    [
      next.id,
      next.customerId ?? null,
      next.customerName ?? null,
      next.state,
      next.assignee ?? null,
      next.escalation ? escalationToJson(next.escalation) : null,
      next.category ?? null,
      next.csat ?? null,
      jsonParam(next.context),
      next.lastInboundAt ? timeParam(next.lastInboundAt) : null,
      next.processedSeq,
      next.lastSeq,
      timeParam(next.updatedAt),
    ],
  );
  if (!rows[0]) throw new Error(`conversation ${next.id} vanished while locked`);
  return conversationFromRow(rows[0]);
}

export async function insertEvent(
  db: SqlExecutor,
  deps: StoreDeps,
  conversationId: string,
  event: PlannedEvent,
): Promise<ConversationEvent> {
  const { rows } = await db.query<EventRow>(
    `INSERT INTO conversation_events (id, conversation_id, type, from_state, to_state, reason, actor, data, at)
     VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6, $7, $8::jsonb, $9::timestamptz)
     RETURNING *`,
    [
      deps.newId(),
      conversationId,
      event.type,
      event.from ?? null,
      event.to ?? null,
      event.reason,
      event.actor,
      jsonParam(event.data),
      timeParam(deps.now()),
    ],
  );
  return eventFromRow(rows[0]!);
}

const MESSAGE_INSERT = `INSERT INTO messages (
    id, conversation_id, channel_id, seq, direction, author, author_ref, author_name, text, attachments,
    channel_message_id, status, error, decision, meta, created_at, updated_at)
  VALUES ($1::uuid, $2::uuid, $3, $4::integer, $5, $6, $7, $8, $9, $10::jsonb, $11, $12, $13::jsonb, $14::jsonb,
    $15::jsonb, $16::timestamptz, $17::timestamptz)`;

function messageParams(channelId: string, message: Message): SqlParam[] {
  return [
    message.id,
    message.conversationId,
    channelId,
    message.seq,
    message.direction,
    message.author,
    message.authorRef ?? null,
    message.authorName ?? null,
    message.text,
    jsonParam(message.attachments),
    message.channelMessageId ?? null,
    message.status,
    message.error ? jsonParam(message.error) : null,
    message.decision ? jsonParam(message.decision) : null,
    jsonParam(message.meta),
    timeParam(message.createdAt),
    timeParam(message.updatedAt),
  ];
}

export async function insertMessage(db: SqlExecutor, channelId: string, message: Message): Promise<Message> {
  const { rows } = await db.query<MessageRow>(`${MESSAGE_INSERT} RETURNING *`, messageParams(channelId, message));
  return messageFromRow(rows[0]!);
}

/**
 * Insert an inbound message unless its (channelId, channelMessageId) is stored already; null then.
 * A concurrent insert of the same key waits for the other transaction and then does nothing.
 */
export async function insertInboundUnlessDuplicate(
  db: SqlExecutor,
  channelId: string,
  message: Message,
): Promise<Message | null> {
  const { rows } = await db.query<MessageRow>(
    `${MESSAGE_INSERT}
     ON CONFLICT (channel_id, channel_message_id) WHERE direction = 'inbound' DO NOTHING
     RETURNING *`,
    messageParams(channelId, message),
  );
  return rows[0] ? messageFromRow(rows[0]) : null;
}

export async function selectInboundByChannelId(
  db: SqlExecutor,
  channelId: string,
  channelMessageId: string,
): Promise<Message | null> {
  const { rows } = await db.query<MessageRow>(
    `SELECT * FROM messages WHERE channel_id = $1 AND channel_message_id = $2 AND direction = 'inbound'`,
    [channelId, channelMessageId],
  );
  return rows[0] ? messageFromRow(rows[0]) : null;
}
