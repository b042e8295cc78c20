/**
 * A customer channel for pipeline tests: it delivers into an in-memory list instead of a provider, and
 * can fail on demand. Channel adapters themselves are tested against their providers' fakes.
 */
import { DeliveryFailedError } from "../../src/errors.js";
import type { ChannelKind } from "../../src/domain/model.js";
import type { ChannelAdapter, OutboundDelivery, SendReceipt, SendRateLimit } from "../../src/ports/channel-adapter.js";

export interface Delivered {
  conversationId: string;
  messageId: string;
  seq: number;
  author: string;
  authorName?: string;
  text: string;
  meta: Record<string, unknown>;
}

export class RecordingChannel implements ChannelAdapter {
  readonly delivered: Delivered[] = [];
  /** Fail the next N sends with a transient error, or always with a permanent one. */
  transientFailures = 0;
  permanentFailure: string | undefined;
  /** Hold every message back (like WhatsApp outside its window) while true. */
  holding = false;
  rateLimit: SendRateLimit | undefined;

  constructor(
    readonly id = "test",
    readonly kind: ChannelKind = "webchat",
  ) {}

  async send({ message, conversation }: OutboundDelivery): Promise<SendReceipt> {
    if (this.permanentFailure) throw new DeliveryFailedError(this.permanentFailure, "refused by the test channel", { permanent: true });
    if (this.holding) {
      return { status: "held", error: { code: "outside_window", message: "held by the test channel", permanent: false } };
    }
    if (this.transientFailures > 0) {
      this.transientFailures -= 1;
      throw new DeliveryFailedError("test_transient", "temporary failure", { permanent: false, retryAfterMs: 10 });
    }
    this.delivered.push({
      conversationId: conversation.id,
      messageId: message.id,
      seq: message.seq,
      author: message.author,
      ...(message.authorName ? { authorName: message.authorName } : {}),
      text: message.text,
      meta: message.meta,
    });
    return { status: "sent", channelMessageId: `test-${message.id}` };
  }

  sendRateLimit(): SendRateLimit | undefined {
    return this.rateLimit;
  }

  textsFor(conversationId: string): string[] {
    return this.delivered.filter((item) => item.conversationId === conversationId).map((item) => item.text);
  }
}
