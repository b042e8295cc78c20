/**
 * `recordInbound`: dedupe, find-or-create the conversation, append with the next `seq`, in one
 * transaction. Races are settled by PostgreSQL itself, the same way on both engines:
 * - the conversation is an upsert on (channel_id, customer_address); its DO UPDATE branch locks the row,
 *   so concurrent messages to one conversation take their `seq` one after another (gap-free);
 * - the message insert is ON CONFLICT DO NOTHING on the inbound dedupe index: a concurrent duplicate
 *   waits for the first, inserts nothing, and this transaction rolls back (its `seq` is never used).
 */
import type { Conversation, InboundMessage, Message } from "../../src/domain/model.js";
import type { RecordInboundResult } from "../../src/ports/conversation-store.js";
import { planTransition, reopenRequest } from "./conversation-changes.js";
import { conversationFromRow, type ConversationRow } from "./rows.js";
import type { SqlClient, SqlExecutor } from "./sql-client.js";
import {
  insertEvent,
  insertInboundUnlessDuplicate,
  saveConversation,
  selectConversation,
  selectInboundByChannelId,
  timeParam,
  type StoreDeps,
} from "./statements.js";

/** Raised inside the transaction to roll it back when a concurrent duplicate won the insert. */
class DuplicateInbound extends Error {}

export async function recordInbound(
  client: SqlClient,
  deps: StoreDeps,
  inbound: InboundMessage,
): Promise<RecordInboundResult> {
  // Fast path for provider retries: no transaction, no lock.
  const known = await duplicateOf(client, inbound);
  if (known) return known;
  try {
    return await client.transaction((tx) => appendInbound(tx, deps, inbound));
  } catch (error) {
    if (!(error instanceof DuplicateInbound)) throw error;
    const original = await duplicateOf(client, inbound);
    if (!original) throw new Error("inbound duplicate vanished after conflicting", { cause: error });
    return original;
  }
}

async function duplicateOf(db: SqlExecutor, inbound: InboundMessage): Promise<RecordInboundResult | null> {
  const message = await selectInboundByChannelId(db, inbound.channelId, inbound.channelMessageId);
  if (!message) return null;
  const conversation = await selectConversation(db, message.conversationId);
  if (!conversation) return null;
  return { conversation, message, duplicate: true, reopened: false };
}

async function appendInbound(tx: SqlExecutor, deps: StoreDeps, inbound: InboundMessage): Promise<RecordInboundResult> {
  const now = deps.now();
  const locked = await upsertConversation(tx, deps, inbound, now);

  // A new message on a resolved conversation opens it again, for the AI (DESIGN.md: the conversation model).
  const reopen = locked.state === "resolved" ? planTransition(locked, reopenRequest(), now) : undefined;
  const base = reopen?.conversation ?? locked;
  const next: Conversation = {
    ...base,
    lastSeq: base.lastSeq + 1,
    lastInboundAt:
      base.lastInboundAt && base.lastInboundAt > inbound.receivedAt ? base.lastInboundAt : inbound.receivedAt,
    updatedAt: now,
  };
  if (inbound.customerName) next.customerName = inbound.customerName;

  const candidate: Message = {
    id: deps.newId(),
    conversationId: locked.id,
    seq: next.lastSeq,
    direction: "inbound",
    author: "customer",
    text: inbound.text,
    attachments: inbound.attachments,
    channelMessageId: inbound.channelMessageId,
    status: "received",
    meta: inbound.meta,
    createdAt: now,
    updatedAt: now,
  };
  const message = await insertInboundUnlessDuplicate(tx, inbound.channelId, candidate);
  if (!message) throw new DuplicateInbound();

  const conversation = await saveConversation(tx, next);
  if (reopen) {
    await insertEvent(tx, deps, locked.id, { ...reopen.event, data: { messageId: message.id, seq: message.seq } });
  }
  return { conversation, message, duplicate: false, reopened: reopen !== undefined };
}

/** Find or create the conversation for this customer on this channel, row-locked until commit. */
async function upsertConversation(
  tx: SqlExecutor,
  deps: StoreDeps,
  inbound: InboundMessage,
  now: Date,
): Promise<Conversation> {
  const { rows } = await tx.query<ConversationRow>(
    `INSERT INTO conversations (id, channel_id, customer_address, customer_name, state, context,
       processed_seq, last_seq, created_at, updated_at)
     VALUES ($1::uuid, $2, $3, $4, 'ai', '{}'::jsonb, 0, 0, $5::timestamptz, $5::timestamptz)
     ON CONFLICT (channel_id, customer_address) DO UPDATE SET updated_at = conversations.updated_at
     RETURNING *`,
    [deps.newId(), inbound.channelId, inbound.customerAddress, inbound.customerName ?? null, timeParam(now)],
  );
  return conversationFromRow(rows[0]!);
}
