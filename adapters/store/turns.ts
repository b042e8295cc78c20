/**
 * The writes that change who owns a conversation and what was said in it: transitions, outbound
 * messages and the exactly-once turn commit. Each runs in one transaction that starts by locking the
 * conversation row (`SELECT ... FOR UPDATE`), so concurrent workers, desks and sweeps see one order.
 */
import { aiMayWrite } from "../../src/domain/conversation-state.js";
import type { Conversation, Message } from "../../src/domain/model.js";
import { ConflictError, NotFoundError, ValidationError } from "../../src/errors.js";
import type {
  ConversationPatch,
  NewOutboundMessage,
  TransitionRequest,
  TurnCommit,
  TurnCommitResult,
} from "../../src/ports/conversation-store.js";
import { applyPatch, planTransition } from "./conversation-changes.js";
import { isUuid } from "./inputs.js";
import type { SqlClient, SqlExecutor } from "./sql-client.js";
import { insertEvent, insertMessage, jsonParam, saveConversation, selectConversation, type StoreDeps } from "./statements.js";

async function lockConversation(tx: SqlExecutor, conversationId: string): Promise<Conversation> {
  const conversation = isUuid(conversationId) ? await selectConversation(tx, conversationId, { forUpdate: true }) : null;
  if (!conversation) throw new NotFoundError(`conversation ${conversationId}`);
  return conversation;
}

/** The AI never talks over a human: its messages are refused once the conversation left state `ai`. */
function refuseAiOverHuman(conversation: Conversation, replies: readonly NewOutboundMessage[]): void {
  if (!aiMayWrite(conversation.state) && replies.some((reply) => reply.author === "ai")) {
    throw new ConflictError(
      `conversation ${conversation.id} is ${conversation.state}: the AI may not write to the customer now`,
    );
  }
}

/** Give each new outbound message the next `seq`; the caller saves the conversation's new `lastSeq`. */
function planOutbound(
  conversation: Conversation,
  inputs: readonly NewOutboundMessage[],
  deps: StoreDeps,
  now: Date,
): { conversation: Conversation; messages: Message[] } {
  let seq = conversation.lastSeq;
  const messages = inputs.map((input): Message => {
    seq += 1;
    const message: Message = {
      id: deps.newId(),
      conversationId: conversation.id,
      seq,
      direction: "outbound",
      author: input.author,
      text: input.text,
      attachments: input.attachments ?? [],
      status: input.status ?? "queued",
      meta: input.meta ?? {},
      createdAt: now,
      updatedAt: now,
    };
    if (input.authorRef !== undefined) message.authorRef = input.authorRef;
    if (input.authorName !== undefined) message.authorName = input.authorName;
    if (input.error !== undefined) message.error = input.error;
    return message;
  });
  return { conversation: { ...conversation, lastSeq: seq, updatedAt: now }, messages };
}

export function transitionConversation(
  client: SqlClient,
  deps: StoreDeps,
  conversationId: string,
  request: TransitionRequest,
): Promise<Conversation> {
  return client.transaction(async (tx) => {
    const current = await lockConversation(tx, conversationId);
    const plan = planTransition(current, request, deps.now());
    const saved = await saveConversation(tx, plan.conversation);
    await insertEvent(tx, deps, current.id, plan.event);
    return saved;
  });
}

export function patchConversation(
  client: SqlClient,
  deps: StoreDeps,
  conversationId: string,
  patch: ConversationPatch,
): Promise<Conversation> {
  return client.transaction(async (tx) => {
    const current = await lockConversation(tx, conversationId);
    return saveConversation(tx, applyPatch(current, patch, deps.now()));
  });
}

export function appendOutbound(client: SqlClient, deps: StoreDeps, input: NewOutboundMessage): Promise<Message> {
  return client.transaction(async (tx) => {
    const current = await lockConversation(tx, input.conversationId);
    refuseAiOverHuman(current, [input]);
    const plan = planOutbound(current, [input], deps, deps.now());
    await saveConversation(tx, plan.conversation);
    return insertMessage(tx, current.channelId, plan.messages[0]!);
  });
}

/**
 * The exactly-once unit of the pipeline. Null (nothing written) when the cursor already passed
 * `inboundSeq`: another worker committed this turn. Turns commit in `seq` order: an earlier inbound
 * message still unprocessed makes this a ConflictError, as does an AI reply once a human owns the
 * conversation (checked on the state before this turn's own transition, under the row lock).
 */
export async function commitTurn(
  client: SqlClient,
  deps: StoreDeps,
  turn: TurnCommit,
): Promise<TurnCommitResult | null> {
  const foreign = turn.replies.find((reply) => reply.conversationId !== turn.conversationId);
  if (foreign) {
    throw new ValidationError(`a reply of turn ${turn.conversationId}#${turn.inboundSeq} names conversation ${foreign.conversationId}`);
  }
  return client.transaction(async (tx) => {
    const current = await lockConversation(tx, turn.conversationId);
    if (current.processedSeq >= turn.inboundSeq) return null;

    const { rows } = await tx.query<{ first_pending: number | null; target_found: boolean | null }>(
      `SELECT min(seq) AS first_pending, bool_or(seq = $3::integer) AS target_found
       FROM messages
       WHERE conversation_id = $1::uuid AND direction = 'inbound' AND seq > $2::integer AND seq <= $3::integer`,
      [current.id, current.processedSeq, turn.inboundSeq],
    );
    const pending = rows[0];
    if (!pending?.target_found) {
      throw new ValidationError(`seq ${turn.inboundSeq} is not an inbound message of conversation ${current.id}`);
    }
    if (pending.first_pending !== null && Number(pending.first_pending) < turn.inboundSeq) {
      throw new ConflictError(
        `conversation ${current.id}: inbound seq ${pending.first_pending} is not processed yet; turns commit in seq order`,
      );
    }
    const now = deps.now();
    if (turn.decision) {
      await tx.query(
        `UPDATE messages SET decision = $3::jsonb, updated_at = $4::timestamptz
         WHERE conversation_id = $1::uuid AND seq = $2::integer`,
        [current.id, turn.inboundSeq, jsonParam(turn.decision), now.toISOString()],
      );
    }
    if (turn.requireState !== undefined && current.state !== turn.requireState) {
      // Someone else (an agent) took the conversation while this turn was decided: keep the decision for
      // the audit trail and move the cursor, but say nothing and change nothing.
      const conversation = await saveConversation(tx, { ...current, processedSeq: turn.inboundSeq, updatedAt: now });
      return { conversation, replies: [], superseded: true };
    }
    refuseAiOverHuman(current, turn.replies);

    let next: Conversation = current;
    const transition = turn.transition ? planTransition(current, turn.transition, now) : undefined;
    if (transition) next = transition.conversation;
    if (turn.patch) next = applyPatch(next, turn.patch, now);
    const outbound = planOutbound(next, turn.replies, deps, now);
    next = { ...outbound.conversation, processedSeq: turn.inboundSeq };

    const conversation = await saveConversation(tx, next);
    const replies: Message[] = [];
    for (const message of outbound.messages) replies.push(await insertMessage(tx, current.channelId, message));
    if (transition) {
      await insertEvent(tx, deps, current.id, {
        ...transition.event,
        data: { ...transition.event.data, inboundSeq: turn.inboundSeq },
      });
    }
    return { conversation, replies, superseded: false };
  });
}
