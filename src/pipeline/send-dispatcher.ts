/**
 * The send worker: delivers one stored outbound message through its conversation's channel adapter.
 * Idempotent (only `queued` messages are sent), ordered per conversation (an earlier queued message goes
 * first), rate limited per sender, and the AI never talks over a human: an AI message whose conversation
 * is no longer AI-owned is dropped, not sent.
 */
import type { Logger } from "../logging/logger.js";
import { DeliveryFailedError, errorMessage } from "../errors.js";
import type { DeliveryError } from "../domain/model.js";
import type { SwitchboardMetrics } from "../observability/metrics.js";
import type { ChannelAdapter } from "../ports/channel-adapter.js";
import type { ConversationStore } from "../ports/conversation-store.js";
import type { JobResult, RateLimiter, SendJob, WorkQueue } from "../ports/work-queue.js";
import { DESK_TASKS } from "./desk-tasks.js";
import { WHILE_WAITING } from "./message-meta.js";

export interface SendDispatcherDependencies {
  store: ConversationStore;
  queue: WorkQueue;
  channels: ReadonlyMap<string, ChannelAdapter>;
  rateLimiter: RateLimiter;
  metrics: SwitchboardMetrics;
  logger: Logger;
}

/** How long a message waits for an earlier one of its conversation before looking again. */
const ORDER_WAIT_MS = 200;

export class SendDispatcher {
  constructor(private readonly deps: SendDispatcherDependencies) {}

  async send(job: SendJob): Promise<JobResult> {
    const { store } = this.deps;
    const message = await store.getMessage(job.messageId);
    if (!message || message.status !== "queued") return { kind: "done" };
    const conversation = await store.getConversation(message.conversationId);
    if (!conversation) return { kind: "done" };

    const aiMaySend = conversation.state === "ai" || (conversation.state === "awaiting_human" && message.meta[WHILE_WAITING] === true);
    if (message.author === "ai" && !aiMaySend) {
      await store.updateMessageStatus(message.id, "failed", {
        error: { code: "superseded_by_human", message: "A person took over before this AI reply was sent; it was not delivered.", permanent: true },
      });
      return { kind: "done" };
    }

    const earlier = (await store.listQueuedOutbound(conversation.id)).find((queued) => queued.seq < message.seq);
    if (earlier) {
      // Make sure the earlier message has a job (idempotent), then wait for it: order beats speed.
      await this.deps.queue.enqueueSend({ messageId: earlier.id, conversationId: conversation.id, channelId: conversation.channelId });
      return { kind: "defer", delayMs: ORDER_WAIT_MS, reason: `waiting for message ${earlier.seq}` };
    }

    const channel = this.deps.channels.get(conversation.channelId);
    if (!channel) {
      throw new DeliveryFailedError("unknown_channel", `channel ${conversation.channelId} is not configured`, { permanent: true });
    }
    const delivery = { message, conversation };
    const limit = channel.sendRateLimit?.(delivery);
    if (limit) {
      const token = await this.deps.rateLimiter.take(`send:${limit.key}`, { perSecond: limit.perSecond, ...(limit.burst ? { burst: limit.burst } : {}) });
      if (!token.allowed) return { kind: "defer", delayMs: Math.max(token.retryAfterMs, 10), reason: "sender rate limit" };
    }

    const receipt = await channel.send(delivery);
    await store.updateMessageStatus(message.id, receipt.status, {
      ...(receipt.channelMessageId ? { channelMessageId: receipt.channelMessageId } : {}),
      ...(receipt.meta ? { meta: receipt.meta } : {}),
      ...(receipt.error ? { error: receipt.error } : {}),
    });
    this.deps.metrics.messagesOut.inc({ channel: conversation.channelId, outcome: receipt.status });
    if (receipt.status === "held") {
      await this.deps.queue.enqueueTask({ name: DESK_TASKS.deliveryProblem, payload: { conversationId: conversation.id, messageId: message.id } });
    }
    return { kind: "done" };
  }

  /** The job gave up: record why on the message and show it to the agents. */
  async failed(job: SendJob, error: unknown): Promise<void> {
    const deliveryError: DeliveryError =
      error instanceof DeliveryFailedError
        ? { code: error.providerCode, message: error.message, permanent: error.permanent }
        : { code: "send_failed", message: errorMessage(error), permanent: false };
    const updated = await this.deps.store.updateMessageStatus(job.messageId, "failed", { error: deliveryError });
    this.deps.metrics.messagesOut.inc({ channel: job.channelId, outcome: "failed" });
    this.deps.logger.warn({ conversationId: job.conversationId, messageId: job.messageId, code: deliveryError.code }, "outbound message failed");
    if (updated) {
      await this.deps.queue.enqueueTask({ name: DESK_TASKS.deliveryProblem, payload: { conversationId: job.conversationId, messageId: job.messageId } });
    }
  }
}
