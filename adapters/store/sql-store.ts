/**
 * The `ConversationStore` over any `SqlClient`: the one code path PostgreSQL and PGlite share. Inputs
 * are validated here (inputs.ts); the transactional writes live in record-inbound.ts and turns.ts.
 */
import { randomUUID } from "node:crypto";
import { isStatusAdvance } from "../../src/domain/message-status.js";
import type { Conversation, ConversationEvent, InboundMessage, Message, MessageStatus } from "../../src/domain/model.js";
import { NotFoundError } from "../../src/errors.js";
import type { Logger } from "../../src/logging/logger.js";
import type {
  Contact,
  ConversationFilter,
  ConversationPatch,
  ConversationStore,
  MessageStatusUpdate,
  NewOutboundMessage,
  RecordInboundResult,
  TransitionRequest,
  TurnCommit,
  TurnCommitResult,
} from "../../src/ports/conversation-store.js";
import { isUuid, validate } from "./inputs.js";
import { applyMigrations } from "./migrations.js";
import { recordInbound } from "./record-inbound.js";
import {
  contactFromRow,
  conversationFromRow,
  eventFromRow,
  messageFromRow,
  type ContactRow,
  type ConversationRow,
  type EventRow,
  type MessageRow,
} from "./rows.js";
import type { SqlClient } from "./sql-client.js";
import { jsonParam, selectConversation, timeParam, type StoreDeps } from "./statements.js";
import { appendOutbound, commitTurn, patchConversation, transitionConversation } from "./turns.js";

export interface SqlStoreOptions {
  logger?: Logger;
  /** The clock for every timestamp the store writes (default: the system clock). */
  now?: () => Date;
}

const DEFAULT_CONVERSATION_LIMIT = 100;

export class SqlConversationStore implements ConversationStore {
  private readonly deps: StoreDeps;

  constructor(
    private readonly client: SqlClient,
    private readonly options: SqlStoreOptions = {},
  ) {
    this.deps = { now: options.now ?? (() => new Date()), newId: randomUUID };
  }

  /** Which engine this store runs on (`postgres` or `pglite`), for logs and readiness output. */
  get engine(): SqlClient["engine"] {
    return this.client.engine;
  }

  async migrate(): Promise<void> {
    await applyMigrations(this.client, this.options.logger ? { logger: this.options.logger } : {});
  }

  async ping(): Promise<void> {
    await this.client.query("SELECT 1");
  }

  async close(): Promise<void> {
    return this.client.close();
  }

  async recordInbound(inbound: InboundMessage): Promise<RecordInboundResult> {
    return recordInbound(this.client, this.deps, validate.inbound(inbound));
  }

  async appendOutbound(message: NewOutboundMessage): Promise<Message> {
    return appendOutbound(this.client, this.deps, validate.outbound(message));
  }

  async commitTurn(turn: TurnCommit): Promise<TurnCommitResult | null> {
    return commitTurn(this.client, this.deps, validate.turn(turn));
  }

  async transition(conversationId: string, request: TransitionRequest): Promise<Conversation> {
    return transitionConversation(this.client, this.deps, conversationId, validate.transition(request));
  }

  async updateConversation(conversationId: string, patch: ConversationPatch): Promise<Conversation> {
    return patchConversation(this.client, this.deps, conversationId, validate.patch(patch));
  }

  async recordEvent(
    conversationId: string,
    event: { type: string; reason: string; actor: string; data?: Record<string, unknown> },
  ): Promise<ConversationEvent> {
    const input = validate.event(event);
    if (!isUuid(conversationId)) throw new NotFoundError(`conversation ${conversationId}`);
    const { rows } = await this.client.query<EventRow>(
      `INSERT INTO conversation_events (id, conversation_id, type, reason, actor, data, at)
       SELECT $1::uuid, c.id, $3, $4, $5, $6::jsonb, $7::timestamptz FROM conversations c WHERE c.id = $2::uuid
       RETURNING *`,
      [
        this.deps.newId(),
        conversationId,
        input.type,
        input.reason,
        input.actor,
        jsonParam(input.data ?? {}),
        timeParam(this.deps.now()),
      ],
    );
    if (!rows[0]) throw new NotFoundError(`conversation ${conversationId}`);
    return eventFromRow(rows[0]);
  }

  async getConversation(conversationId: string): Promise<Conversation | null> {
    return isUuid(conversationId) ? selectConversation(this.client, conversationId) : null;
  }

  async findConversationByAddress(channelId: string, customerAddress: string): Promise<Conversation | null> {
    const { rows } = await this.client.query<ConversationRow>(
      "SELECT * FROM conversations WHERE channel_id = $1 AND customer_address = $2",
      [channelId, customerAddress],
    );
    return rows[0] ? conversationFromRow(rows[0]) : null;
  }

  /** The conversation whose current escalation was posted at `deskRef` (indexed, see migration 2). */
  async findConversationByDeskRef(deskRef: string): Promise<Conversation | null> {
    if (deskRef === "" || deskRef.length > 1_000) return null;
    const { rows } = await this.client.query<ConversationRow>(
      `SELECT * FROM conversations WHERE escalation IS NOT NULL AND escalation->>'deskRef' = $1
       ORDER BY updated_at DESC, id
       LIMIT 1`,
      [deskRef],
    );
    return rows[0] ? conversationFromRow(rows[0]) : null;
  }

  async listConversations(filter: ConversationFilter): Promise<Conversation[]> {
    const { states, updatedSince, limit } = validate.filter(filter);
    const { rows } = await this.client.query<ConversationRow>(
      `SELECT * FROM conversations
       WHERE ($1::jsonb IS NULL OR state IN (SELECT jsonb_array_elements_text($1::jsonb)))
         AND ($2::timestamptz IS NULL OR updated_at >= $2::timestamptz)
       ORDER BY updated_at DESC, id
       LIMIT $3::integer`,
      [
        states ? jsonParam(states) : null,
        updatedSince ? timeParam(updatedSince) : null,
        limit ?? DEFAULT_CONVERSATION_LIMIT,
      ],
    );
    return rows.map(conversationFromRow);
  }

  async listConversationsWithPendingInbound(limit = DEFAULT_CONVERSATION_LIMIT): Promise<Conversation[]> {
    const { rows } = await this.client.query<ConversationRow>(
      `SELECT c.* FROM conversations c
       WHERE c.last_seq > c.processed_seq
         AND EXISTS (SELECT 1 FROM messages m
                     WHERE m.conversation_id = c.id AND m.direction = 'inbound' AND m.seq > c.processed_seq)
       ORDER BY c.updated_at, c.id
       LIMIT $1::integer`,
      [Math.max(1, Math.min(Math.trunc(limit), 100_000))],
    );
    return rows.map(conversationFromRow);
  }

  async getMessage(messageId: string): Promise<Message | null> {
    if (!isUuid(messageId)) return null;
    const { rows } = await this.client.query<MessageRow>("SELECT * FROM messages WHERE id = $1::uuid", [messageId]);
    return rows[0] ? messageFromRow(rows[0]) : null;
  }

  /** Inbound by its dedupe key, else outbound by the provider's id (status callbacks carry only that). */
  async findMessageByChannelMessageId(channelId: string, channelMessageId: string): Promise<Message | null> {
    const { rows } = await this.client.query<MessageRow>(
      `SELECT * FROM messages WHERE channel_id = $1 AND channel_message_id = $2
       ORDER BY (direction = 'inbound') DESC, created_at DESC
       LIMIT 1`,
      [channelId, channelMessageId],
    );
    return rows[0] ? messageFromRow(rows[0]) : null;
  }

  async listMessages(
    conversationId: string,
    options: { afterSeq?: number; limit?: number; newest?: boolean } = {},
  ): Promise<Message[]> {
    const { afterSeq, limit, newest } = validate.listMessages(options);
    if (!isUuid(conversationId)) return [];
    const { rows } = await this.client.query<MessageRow>(
      `SELECT * FROM messages
       WHERE conversation_id = $1::uuid AND seq > $2::integer
       ORDER BY seq ${newest ? "DESC" : "ASC"}
       LIMIT $3::integer`,
      [conversationId, afterSeq ?? 0, limit ?? null],
    );
    const messages = rows.map(messageFromRow);
    return newest ? messages.reverse() : messages;
  }

  async listPendingInbound(conversationId: string): Promise<Message[]> {
    if (!isUuid(conversationId)) return [];
    const { rows } = await this.client.query<MessageRow>(
      `SELECT m.* FROM messages m JOIN conversations c ON c.id = m.conversation_id
       WHERE m.conversation_id = $1::uuid AND m.direction = 'inbound' AND m.seq > c.processed_seq
       ORDER BY m.seq`,
      [conversationId],
    );
    return rows.map(messageFromRow);
  }

  async listQueuedOutbound(conversationId?: string): Promise<Message[]> {
    if (conversationId !== undefined && !isUuid(conversationId)) return [];
    const { rows } = await this.client.query<MessageRow>(
      `SELECT * FROM messages
       WHERE direction = 'outbound' AND status = 'queued' AND ($1::uuid IS NULL OR conversation_id = $1::uuid)
       ORDER BY created_at, conversation_id, seq`,
      [conversationId ?? null],
    );
    return rows.map(messageFromRow);
  }

  /**
   * Forward-only: the row is locked, the advance checked against message-status.ts, and written in one
   * transaction, so callbacks arriving in any order (or at once) leave the furthest status.
   */
  async updateMessageStatus(messageId: string, status: MessageStatus, update: MessageStatusUpdate = {}): Promise<boolean> {
    const input = validate.statusUpdate({ status, ...update });
    if (!isUuid(messageId)) throw new NotFoundError(`message ${messageId}`);
    return this.client.transaction(async (tx) => {
      const { rows } = await tx.query<{ status: MessageStatus }>(
        "SELECT status FROM messages WHERE id = $1::uuid FOR UPDATE",
        [messageId],
      );
      const current = rows[0];
      if (!current) throw new NotFoundError(`message ${messageId}`);
      if (!isStatusAdvance(current.status, input.status)) return false;
      await tx.query(
        `UPDATE messages SET status = $2, meta = meta || $3::jsonb, error = COALESCE($4::jsonb, error),
           channel_message_id = COALESCE($5, channel_message_id), updated_at = $6::timestamptz
         WHERE id = $1::uuid`,
        [
          messageId,
          input.status,
          jsonParam(input.meta ?? {}),
          input.error ? jsonParam(input.error) : null,
          input.channelMessageId ?? null,
          timeParam(this.deps.now()),
        ],
      );
      return true;
    });
  }

  async mergeMessageMeta(messageId: string, meta: Record<string, unknown>): Promise<void> {
    const patch = validate.metaPatch(meta);
    if (!isUuid(messageId)) throw new NotFoundError(`message ${messageId}`);
    const { rows } = await this.client.query<{ id: string }>(
      "UPDATE messages SET meta = meta || $2::jsonb, updated_at = $3::timestamptz WHERE id = $1::uuid RETURNING id",
      [messageId, jsonParam(patch), timeParam(this.deps.now())],
    );
    if (rows.length === 0) throw new NotFoundError(`message ${messageId}`);
  }

  async listEvents(conversationId: string): Promise<ConversationEvent[]> {
    if (!isUuid(conversationId)) return [];
    const { rows } = await this.client.query<EventRow>(
      "SELECT * FROM conversation_events WHERE conversation_id = $1::uuid ORDER BY position",
      [conversationId],
    );
    return rows.map(eventFromRow);
  }

  async getContact(channelId: string, address: string): Promise<Contact | null> {
    const key = validate.contactKey({ channelId, address });
    const { rows } = await this.client.query<ContactRow>(
      "SELECT * FROM contacts WHERE channel_id = $1 AND address = $2",
      [key.channelId, key.address],
    );
    return rows[0] ? contactFromRow(rows[0]) : null;
  }

  async setOptOut(channelId: string, address: string, optedOut: boolean): Promise<Contact> {
    const key = validate.contactKey({ channelId, address });
    const { rows } = await this.client.query<ContactRow>(
      `INSERT INTO contacts (channel_id, address, opted_out, updated_at) VALUES ($1, $2, $3, $4::timestamptz)
       ON CONFLICT (channel_id, address) DO UPDATE SET opted_out = EXCLUDED.opted_out, updated_at = EXCLUDED.updated_at
       RETURNING *`,
      [key.channelId, key.address, optedOut, timeParam(this.deps.now())],
    );
    return contactFromRow(rows[0]!);
  }
}
