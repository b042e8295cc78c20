/**
 * Pure conversions between table rows and the domain model. Both drivers hand back `timestamptz` as
 * Date and `jsonb` parsed, but the mapping also accepts the text forms, and every row is validated by
 * the model's zod schema: a row the model cannot describe is a bug worth failing loudly on.
 */
import type { z } from "zod";
import {
  Conversation,
  ConversationEvent,
  Message,
  type Escalation,
} from "../../src/domain/model.js";
import type { Contact } from "../../src/ports/conversation-store.js";
import { DatabaseError } from "./sql-client.js";

export interface ConversationRow {
  id: string;
  channel_id: string;
  customer_address: string;
  customer_id: string | null;
  customer_name: string | null;
  state: string;
  assignee: string | null;
  escalation: unknown;
  category: string | null;
  csat: number | null;
  context: unknown;
  last_inbound_at: Date | string | null;
  processed_seq: number | string;
  last_seq: number | string;
  created_at: Date | string;
  updated_at: Date | string;
}

export interface MessageRow {
  id: string;
  conversation_id: string;
  channel_id: string;
  seq: number | string;
  direction: string;
  author: string;
  author_ref: string | null;
  author_name: string | null;
  text: string;
  attachments: unknown;
  channel_message_id: string | null;
  status: string;
  error: unknown;
  decision: unknown;
  meta: unknown;
  created_at: Date | string;
  updated_at: Date | string;
}

export interface EventRow {
  id: string;
  conversation_id: string;
  type: string;
  from_state: string | null;
  to_state: string | null;
  reason: string;
  actor: string;
  data: unknown;
  at: Date | string;
}

export interface ContactRow {
  channel_id: string;
  address: string;
  opted_out: boolean;
  updated_at: Date | string;
}

export function toDate(value: Date | string): Date {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new DatabaseError(`not a timestamp: ${String(value)}`);
  return date;
}

export function toInteger(value: number | string | bigint): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number)) throw new DatabaseError(`not an integer: ${String(value)}`);
  return number;
}

/** jsonb arrives parsed from both drivers; text is accepted too (a `json` cast, another driver). */
export function fromJson(value: unknown): unknown {
  return typeof value === "string" ? (JSON.parse(value) as unknown) : value;
}

/** Nulls become absent keys, as the model's optional fields expect. */
function present<T>(value: T | null | undefined): T | undefined {
  return value === null ? undefined : value;
}

/** Absent columns become absent keys (not `key: undefined`), like objects built in code. */
function parseRow<T>(schema: z.ZodType<T>, candidate: Record<string, unknown>, what: string): T {
  const defined = Object.fromEntries(Object.entries(candidate).filter(([, value]) => value !== undefined));
  const result = schema.safeParse(defined);
  if (!result.success) throw new DatabaseError(`stored ${what} does not match the model: ${result.error.message}`);
  return result.data;
}

export function escalationFromJson(value: unknown): unknown {
  const json = fromJson(value);
  if (json === null || json === undefined) return undefined;
  const record = json as Record<string, unknown>;
  return { ...record, at: typeof record.at === "string" ? new Date(record.at) : record.at };
}

export function escalationToJson(escalation: Escalation): string {
  return JSON.stringify({ ...escalation, at: escalation.at.toISOString() });
}

export function conversationFromRow(row: ConversationRow): Conversation {
  return parseRow(
    Conversation,
    {
      id: row.id,
      channelId: row.channel_id,
      customerAddress: row.customer_address,
      customerId: present(row.customer_id),
      customerName: present(row.customer_name),
      state: row.state,
      assignee: present(row.assignee),
      escalation: escalationFromJson(row.escalation),
      category: present(row.category),
      csat: row.csat === null ? undefined : toInteger(row.csat),
      context: fromJson(row.context) ?? {},
      lastInboundAt: row.last_inbound_at === null ? undefined : toDate(row.last_inbound_at),
      processedSeq: toInteger(row.processed_seq),
      lastSeq: toInteger(row.last_seq),
      createdAt: toDate(row.created_at),
      updatedAt: toDate(row.updated_at),
    },
    "conversation",
  );
}

export function messageFromRow(row: MessageRow): Message {
  return parseRow(
    Message,
    {
      id: row.id,
      conversationId: row.conversation_id,
      seq: toInteger(row.seq),
      direction: row.direction,
      author: row.author,
      authorRef: present(row.author_ref),
      authorName: present(row.author_name),
      text: row.text,
      attachments: fromJson(row.attachments) ?? [],
      channelMessageId: present(row.channel_message_id),
      status: row.status,
      error: present(fromJson(row.error)),
      decision: present(fromJson(row.decision)),
      meta: fromJson(row.meta) ?? {},
      createdAt: toDate(row.created_at),
      updatedAt: toDate(row.updated_at),
    },
    "message",
  );
}

export function eventFromRow(row: EventRow): ConversationEvent {
  return parseRow(
    ConversationEvent,
    {
      id: row.id,
      conversationId: row.conversation_id,
      type: row.type,
      from: present(row.from_state),
      to: present(row.to_state),
      reason: row.reason,
      actor: row.actor,
      data: fromJson(row.data) ?? {},
      at: toDate(row.at),
    },
    "event",
  );
}

export function contactFromRow(row: ContactRow): Contact {
  return {
    channelId: row.channel_id,
    address: row.address,
    optedOut: row.opted_out,
    updatedAt: toDate(row.updated_at),
  };
}
