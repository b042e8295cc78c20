/**
 * The conversations a QA review looks at: those the AI took part in (the brain decided at least one
 * message, or the AI wrote a reply), updated since a date, read through the `ConversationStore` port.
 */
import type { Conversation, ConversationEvent, Message } from "../domain/model.js";
import type { ConversationStore } from "../ports/conversation-store.js";

export const MAX_REVIEW = 1_000;

export interface ReviewedConversation {
  conversation: Conversation;
  messages: Message[];
  events: ConversationEvent[];
}

export interface ReviewSetOptions {
  since?: Date;
  /** At most this many conversations, the most recently updated (the store serves up to 1,000 at once). */
  limit?: number;
}

export function aiTookPart(messages: readonly Message[]): boolean {
  return messages.some((message) => message.author === "ai" || (message.direction === "inbound" && message.decision?.engine !== undefined));
}

export async function loadReviewSet(store: ConversationStore, options: ReviewSetOptions = {}): Promise<ReviewedConversation[]> {
  const conversations = await store.listConversations({ ...(options.since ? { updatedSince: options.since } : {}), limit: Math.min(MAX_REVIEW, options.limit ?? MAX_REVIEW) });
  const reviewed: ReviewedConversation[] = [];
  for (const conversation of conversations) {
    const messages = await store.listMessages(conversation.id);
    if (!aiTookPart(messages)) continue;
    reviewed.push({ conversation, messages, events: await store.listEvents(conversation.id) });
  }
  return reviewed;
}
