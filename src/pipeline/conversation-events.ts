/**
 * Live conversation events on the message bus (topic `conversation.<id>`), so the process that holds a
 * customer's socket (web chat) or a desk view hears state changes and typing, whichever process caused them.
 */
import type { Conversation, ConversationState } from "../domain/model.js";
import type { Logger } from "../logging/logger.js";
import { conversationTopic } from "../ports/conversation-events.js";
import type { MessageBus } from "../ports/work-queue.js";

export type ConversationEventPayload =
  | { type: "state"; state: ConversationState }
  | { type: "typing"; on: boolean; author: "ai" | "agent" };

export class ConversationEvents {
  constructor(
    private readonly bus: MessageBus,
    private readonly logger: Logger,
  ) {}

  async state(conversation: Pick<Conversation, "id" | "state">): Promise<void> {
    await this.publish(conversation.id, { type: "state", state: conversation.state });
  }

  async typing(conversationId: string, on: boolean, author: "ai" | "agent" = "ai"): Promise<void> {
    await this.publish(conversationId, { type: "typing", on, author });
  }

  /** Live events are a courtesy: a bus hiccup must never fail the turn that caused them. */
  private async publish(conversationId: string, payload: ConversationEventPayload): Promise<void> {
    try {
      await this.bus.publish(conversationTopic(conversationId), payload);
    } catch (error) {
      this.logger.warn({ err: error, conversationId }, "could not publish a conversation event");
    }
  }
}
