/**
 * What agents do, whatever desk they work from: claim, reply, resolve, hand back. Every change goes
 * through the store's state machine (first claim wins via `expectedState`), is published live, and
 * anything the customer must hear is queued through the conversation's own channel.
 */
import type { Attachment, Conversation, Message } from "../domain/model.js";
import { ConflictError, InvalidTransitionError, NotFoundError } from "../errors.js";
import type { ConversationStore, NewOutboundMessage, TransitionRequest } from "../ports/conversation-store.js";
import type { AgentRef, ClaimResult, HandoffActions } from "../ports/desk.js";
import type { WorkQueue } from "../ports/work-queue.js";
import type { ConversationEvents } from "./conversation-events.js";
import { CSAT_CONTEXT_KEY } from "./csat.js";
import { NOTICES } from "./customer-notices.js";

export interface HandoffDependencies {
  store: ConversationStore;
  queue: WorkQueue;
  events: ConversationEvents;
  now: () => Date;
}

export const CSAT_ACTIONS = [1, 2, 3, 4, 5].map((score) => ({ label: String(score), value: String(score), kind: "csat" }));

/** The name a customer sees for an agent: the first word of the display name. */
export function agentFirstName(agent: AgentRef): string {
  return agent.displayName.trim().split(/\s+/)[0] || "Support";
}

export class Handoff implements HandoffActions {
  constructor(private readonly deps: HandoffDependencies) {}

  async claim(conversationId: string, agent: AgentRef): Promise<ClaimResult> {
    const conversation = await this.load(conversationId);
    if (conversation.state === "human") return { kind: "already_claimed", by: conversation.assignee ?? "someone" };
    if (conversation.state === "resolved") return { kind: "not_claimable", state: conversation.state };
    let claimed: Conversation;
    try {
      claimed = await this.move(conversation, { to: "human", by: "agent", actor: agent.id, reason: "claimed by an agent", assignee: agent.id, expectedState: conversation.state });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      const now = await this.load(conversationId);
      return now.state === "human" ? { kind: "already_claimed", by: now.assignee ?? "someone" } : { kind: "not_claimable", state: now.state };
    }
    await this.tell(claimed, `${agentFirstName(agent)} from our team has joined the conversation.`);
    const since = conversation.escalation?.at ?? conversation.updatedAt;
    return { kind: "claimed", conversation: claimed, waitedMs: Math.max(0, this.deps.now().getTime() - since.getTime()) };
  }

  async replyAsAgent(conversationId: string, agent: AgentRef, text: string, attachments: Attachment[] = []): Promise<Message> {
    let conversation = await this.load(conversationId);
    if (conversation.state === "resolved") throw new InvalidTransitionError("resolved", "human", "agent");
    if (conversation.state === "human" && conversation.assignee && conversation.assignee !== agent.id) {
      throw new ConflictError(`claimed by ${conversation.assignee}; only the claimer's replies reach the customer`);
    }
    if (conversation.state !== "human") {
      // A message from a human makes the human the owner.
      conversation = await this.move(conversation, { to: "human", by: "agent", actor: agent.id, reason: "an agent replied", assignee: agent.id, expectedState: conversation.state });
    }
    return this.queueOutbound(conversation, { conversationId, author: "agent", authorRef: agent.id, authorName: agentFirstName(agent), text, ...(attachments.length > 0 ? { attachments } : {}) });
  }

  async resolve(conversationId: string, agent: AgentRef): Promise<Conversation> {
    const conversation = await this.load(conversationId);
    const resolved = await this.move(conversation, { to: "resolved", by: "agent", actor: agent.id, reason: "resolved by an agent", assignee: null });
    const requestedAt = this.deps.now().toISOString();
    const withSurvey = await this.deps.store.updateConversation(resolved.id, { context: { ...resolved.context, [CSAT_CONTEXT_KEY]: requestedAt } });
    await this.queueOutbound(withSurvey, { conversationId, author: "system", text: NOTICES.csatQuestion, meta: { actions: CSAT_ACTIONS } });
    return withSurvey;
  }

  async handBack(conversationId: string, agent: AgentRef): Promise<Conversation> {
    const conversation = await this.load(conversationId);
    const back = await this.move(conversation, { to: "ai", by: "agent", actor: agent.id, reason: "handed back to the AI", assignee: null, escalation: null });
    await this.tell(back, NOTICES.handedBack);
    return back;
  }

  private async load(conversationId: string): Promise<Conversation> {
    const conversation = await this.deps.store.getConversation(conversationId);
    if (!conversation) throw new NotFoundError(`conversation ${conversationId}`);
    return conversation;
  }

  private async move(conversation: Conversation, request: TransitionRequest): Promise<Conversation> {
    const moved = await this.deps.store.transition(conversation.id, request);
    await this.deps.events.state(moved);
    return moved;
  }

  private async tell(conversation: Conversation, text: string): Promise<Message> {
    return this.queueOutbound(conversation, { conversationId: conversation.id, author: "system", text });
  }

  private async queueOutbound(conversation: Conversation, message: NewOutboundMessage): Promise<Message> {
    const stored = await this.deps.store.appendOutbound(message);
    await this.deps.queue.enqueueSend({ messageId: stored.id, conversationId: conversation.id, channelId: conversation.channelId });
    return stored;
  }
}
