/** A desk for pipeline tests that records what the core tells agents (the Slack desk has its own tests). */
import type { Conversation, DeliveryError, Message } from "../../src/domain/model.js";
import type { Desk, EscalationRequest } from "../../src/ports/desk.js";

export class RecordingDesk implements Desk {
  readonly name = "recording";
  readonly escalations: EscalationRequest[] = [];
  readonly mirrored: Message[] = [];
  readonly notes: Array<{ conversationId: string; text: string }> = [];
  readonly problems: Array<{ conversationId: string; messageId: string; error: DeliveryError }> = [];

  async escalate(request: EscalationRequest): Promise<{ deskRef: string }> {
    this.escalations.push(request);
    return { deskRef: `recording/${this.escalations.length}` };
  }

  async mirrorCustomerMessage(_conversation: Conversation, message: Message): Promise<void> {
    this.mirrored.push(message);
  }

  async reportDeliveryProblem(conversation: Conversation, message: Message, error: DeliveryError): Promise<void> {
    this.problems.push({ conversationId: conversation.id, messageId: message.id, error });
  }

  async note(conversation: Conversation, text: string): Promise<void> {
    this.notes.push({ conversationId: conversation.id, text });
  }
}
