/**
 * After a crash, work can sit in the store without a job: an inbound message stored just before the
 * process died, an outbound message committed but not yet enqueued. Enqueueing is idempotent, so the
 * sweep simply enqueues everything pending; it runs when workers start.
 */
import type { Logger } from "../logging/logger.js";
import type { ConversationStore } from "../ports/conversation-store.js";
import type { WorkQueue } from "../ports/work-queue.js";

export async function enqueuePendingWork(deps: { store: ConversationStore; queue: WorkQueue; logger: Logger }): Promise<{ turns: number; sends: number }> {
  const conversations = await deps.store.listConversationsWithPendingInbound(10_000);
  for (const conversation of conversations) {
    await deps.queue.enqueueTurn({ conversationId: conversation.id, seq: conversation.lastSeq });
  }
  const queued = await deps.store.listQueuedOutbound();
  const channels = new Map<string, string>();
  for (const message of queued) {
    let channelId = channels.get(message.conversationId);
    if (channelId === undefined) {
      channelId = (await deps.store.getConversation(message.conversationId))?.channelId;
      if (channelId === undefined) continue;
      channels.set(message.conversationId, channelId);
    }
    await deps.queue.enqueueSend({ messageId: message.id, conversationId: message.conversationId, channelId });
  }
  if (conversations.length + queued.length > 0) {
    deps.logger.info({ turns: conversations.length, sends: queued.length }, "re-enqueued pending work found at start");
  }
  return { turns: conversations.length, sends: queued.length };
}
