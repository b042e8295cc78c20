/**
 * The core's door for inbound messages: validate, dedupe and store, then enqueue the conversation's turn.
 * It answers as soon as the message is durable; the work happens in the turn worker.
 */
import { replaceControlCharacters } from "../domain/control-characters.js";
import { InboundMessage } from "../domain/model.js";
import { ValidationError } from "../errors.js";
import { maskSensitiveText, type MaskOptions } from "../privacy/mask.js";
import type { Logger } from "../logging/logger.js";
import type { SwitchboardMetrics } from "../observability/metrics.js";
import type { InboundIntake, IntakeResult } from "../ports/channel-adapter.js";
import type { ConversationStore } from "../ports/conversation-store.js";
import type { WorkQueue } from "../ports/work-queue.js";

const STORED_TEXT_MASK: MaskOptions = { cards: true, secrets: true, phones: false, emails: false };

/** The customer's text as it is stored: no control characters, card numbers and secrets masked. */
function storableText(text: string): string {
  return maskSensitiveText(replaceControlCharacters(text), STORED_TEXT_MASK);
}

export interface IntakeDependencies {
  store: ConversationStore;
  queue: WorkQueue;
  metrics: SwitchboardMetrics;
  logger: Logger;
}

export function createInboundIntake(deps: IntakeDependencies): InboundIntake {
  return {
    async accept(input: InboundMessage): Promise<IntakeResult> {
      const parsed = InboundMessage.safeParse(input);
      if (!parsed.success) {
        throw new ValidationError(`inbound message rejected: ${parsed.error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`).join("; ")}`);
      }
      // Card numbers and secrets are never stored: the conversation keeps "[card ending 1111]". Phone
      // numbers and e-mail addresses stay (identity checks and agents need them); logs mask those.
      const inbound = { ...parsed.data, text: storableText(parsed.data.text) };
      if (inbound.text.trim() === "" && parsed.data.text.trim() !== "" && inbound.attachments.length === 0) {
        throw new ValidationError("inbound message rejected: text holds only control characters");
      }
      const recorded = await deps.store.recordInbound(inbound);
      const { conversation, message, duplicate } = recorded;
      if (!duplicate) deps.metrics.messagesIn.inc({ channel: inbound.channelId });
      // A replay of a message that is still unprocessed enqueues again (idempotent job id): this closes
      // the window where a crash fell between storing the message and enqueueing its turn.
      if (!duplicate || message.seq > conversation.processedSeq) {
        await deps.queue.enqueueTurn({ conversationId: conversation.id, seq: message.seq });
      }
      deps.logger.debug(
        { conversationId: conversation.id, messageId: message.id, seq: message.seq, duplicate },
        duplicate ? "inbound duplicate ignored" : "inbound accepted",
      );
      return { conversationId: conversation.id, messageId: message.id, seq: message.seq, duplicate };
    },
  };
}
