/**
 * The desk when no Slack workspace is configured: escalations, notes and delivery problems are recorded
 * as conversation events (listed by the admin inbox API, `GET /admin/conversations?state=awaiting_human`)
 * and logged, so nothing an agent must see is lost; agents act through the admin API.
 */
import type { Conversation, DeliveryError, Message } from "../../src/domain/model.js";
import type { Logger } from "../../src/logging/logger.js";
import type { ConversationStore } from "../../src/ports/conversation-store.js";
import type { Desk, EscalationRequest } from "../../src/ports/desk.js";

export class InboxDesk implements Desk {
  readonly name = "inbox";

  constructor(
    private readonly store: ConversationStore,
    private readonly logger: Logger,
  ) {}

  async escalate(request: EscalationRequest): Promise<{ deskRef: string }> {
    const { conversation } = request;
    await this.store.recordEvent(conversation.id, {
      type: "desk_escalated",
      reason: request.reasonCodes.join(", ") || "escalated",
      actor: "inbox",
      data: {
        reasonCodes: request.reasonCodes,
        priority: request.priority,
        ...(request.category ? { category: request.category } : {}),
        ...(request.summary ? { summary: request.summary } : {}),
      },
    });
    this.logger.info({ conversationId: conversation.id, reasonCodes: request.reasonCodes, priority: request.priority }, "escalated to the inbox");
    return { deskRef: `inbox/${conversation.id}` };
  }

  /** The message is already stored with the conversation; the inbox reads it from there. */
  async mirrorCustomerMessage(conversation: Conversation, message: Message): Promise<void> {
    this.logger.debug({ conversationId: conversation.id, messageId: message.id }, "customer wrote while a person owns the conversation");
  }

  async reportDeliveryProblem(conversation: Conversation, message: Message, error: DeliveryError): Promise<void> {
    await this.store.recordEvent(conversation.id, {
      type: "delivery_problem",
      reason: error.message,
      actor: "inbox",
      data: { messageId: message.id, code: error.code, permanent: error.permanent },
    });
  }

  async note(conversation: Conversation, text: string): Promise<void> {
    await this.store.recordEvent(conversation.id, { type: "desk_note", reason: text, actor: "inbox" });
  }
}
