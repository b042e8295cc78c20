/**
 * Desk work runs as queued tasks, so a slow or failing desk (Slack rate limits, outages) never blocks a
 * turn and is retried with backoff. Each task re-reads the conversation: the desk sees current facts.
 */
import { z } from "zod";
import { Priority } from "../domain/model.js";
import { ValidationError } from "../errors.js";
import type { Logger } from "../logging/logger.js";
import type { ConversationStore } from "../ports/conversation-store.js";
import type { Desk } from "../ports/desk.js";
import type { JobResult, TaskJob } from "../ports/work-queue.js";

export const DESK_TASKS = {
  escalate: "desk.escalate",
  mirror: "desk.mirror",
  note: "desk.note",
  deliveryProblem: "desk.delivery_problem",
} as const;

const EscalatePayload = z.object({
  conversationId: z.string(),
  reasonCodes: z.array(z.string()),
  priority: Priority,
  category: z.string().optional(),
  summary: z.string().optional(),
});
const MessagePayload = z.object({ conversationId: z.string(), messageId: z.string() });
const NotePayload = z.object({ conversationId: z.string(), text: z.string() });

/** How many recent messages an escalation post carries. */
const RECENT_FOR_DESK = 10;

export class DeskTaskRunner {
  constructor(
    private readonly deps: { store: ConversationStore; desk: Desk; logger: Logger },
  ) {}

  handles(name: string): boolean {
    return (Object.values(DESK_TASKS) as string[]).includes(name);
  }

  async run(task: TaskJob): Promise<JobResult> {
    const { store, desk } = this.deps;
    switch (task.name) {
      case DESK_TASKS.escalate: {
        const payload = parse(EscalatePayload, task);
        const conversation = await store.getConversation(payload.conversationId);
        if (!conversation) return { kind: "done" };
        // Already posted (a retried task after the post succeeded): never post twice.
        if (conversation.escalation?.deskRef) return { kind: "done" };
        const recentMessages = await store.listMessages(conversation.id, { limit: RECENT_FOR_DESK, newest: true });
        const { deskRef } = await desk.escalate({
          conversation,
          reasonCodes: payload.reasonCodes,
          priority: payload.priority,
          recentMessages,
          ...(payload.category ? { category: payload.category } : {}),
          ...(payload.summary ? { summary: payload.summary } : {}),
        });
        await store.updateConversation(conversation.id, { escalationDeskRef: deskRef });
        return { kind: "done" };
      }
      case DESK_TASKS.mirror: {
        const payload = parse(MessagePayload, task);
        const [conversation, message] = await Promise.all([store.getConversation(payload.conversationId), store.getMessage(payload.messageId)]);
        if (conversation && message) await desk.mirrorCustomerMessage(conversation, message);
        return { kind: "done" };
      }
      case DESK_TASKS.note: {
        const payload = parse(NotePayload, task);
        const conversation = await store.getConversation(payload.conversationId);
        if (conversation) await desk.note(conversation, payload.text);
        return { kind: "done" };
      }
      case DESK_TASKS.deliveryProblem: {
        const payload = parse(MessagePayload, task);
        const [conversation, message] = await Promise.all([store.getConversation(payload.conversationId), store.getMessage(payload.messageId)]);
        if (conversation && message?.error) await desk.reportDeliveryProblem(conversation, message, message.error);
        return { kind: "done" };
      }
      default:
        throw new ValidationError(`unknown desk task ${task.name}`);
    }
  }
}

function parse<T extends z.ZodType>(schema: T, task: TaskJob): z.infer<T> {
  const parsed = schema.safeParse(task.payload);
  if (!parsed.success) throw new ValidationError(`task ${task.name} has a malformed payload: ${parsed.error.message}`);
  return parsed.data;
}
