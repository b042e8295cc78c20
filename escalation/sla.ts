/**
 * Service-level timers for escalations, as delayed queue tasks (they survive restarts and run on any
 * worker):
 * - unclaimed: N minutes after the post (counted from the next opening outside business hours), a
 *   re-alert for the team, the priority raised one step, repeated up to `maxRealerts` times;
 * - no reply: M minutes after a claim, or after a customer message to a claimed conversation, with no
 *   agent reply since: a reminder to the claimer, once per unanswered stretch.
 * A timer re-reads the conversation and does nothing when it has moved on (claimed, resolved, handed
 * back, reassigned, answered): firing late or twice is harmless.
 */
import { z } from "zod";
import { Priority as PrioritySchema, type Conversation, type Priority } from "../src/domain/model.js";
import { ValidationError } from "../src/errors.js";
import type { Logger } from "../src/logging/logger.js";
import type { ConversationStore } from "../src/ports/conversation-store.js";
import type { JobResult, OnceGuard, TaskJob, WorkQueue } from "../src/ports/work-queue.js";
import type { TaskHandler } from "../src/pipeline/job-handlers.js";

export const SLA_TASKS = { unclaimed: "sla.unclaimed", noReply: "sla.no_reply" } as const;
/** Recorded on the conversation at each re-alert (audit; the desk counts them on its post). */
export const SLA_REALERT_EVENT = "sla_realert";

export const SlaConfigSchema = z.object({
  /** Minutes an escalation may wait unclaimed before the team is re-alerted (0: never). */
  unclaimedMinutes: z.number().min(0).max(7 * 24 * 60).default(10),
  /** Minutes a claimer may leave the customer without a reply before a reminder (0: never). */
  noReplyMinutes: z.number().min(0).max(7 * 24 * 60).default(15),
  /** Re-alerts per escalation (each N minutes after the previous one). */
  maxRealerts: z.number().int().min(1).max(20).default(3),
  /** Raise the priority one step on each re-alert (low -> normal -> high -> urgent). */
  raisePriority: z.boolean().default(true),
});
export type SlaConfig = z.infer<typeof SlaConfigSchema>;

/** How a desk shows SLA alerts (the Slack desk posts in the escalation's thread and channel). */
export interface SlaAlerts {
  realertUnclaimed(input: {
    conversation: Conversation;
    deskRef: string;
    level: number;
    waitedMs: number;
    priority: Priority;
    raised: boolean;
  }): Promise<void>;
  remindClaimer(input: { conversation: Conversation; deskRef: string; assignee: string; waitingMs: number }): Promise<void>;
}

/** When the SLA clock runs: business hours (`BusinessHours.slaClockStart`), or always. */
export interface SlaClock {
  slaClockStart(at: Date): Date;
}

const UnclaimedPayload = z.object({
  conversationId: z.string().uuid(),
  deskRef: z.string().min(1).max(200),
  escalatedAt: z.iso.datetime(),
  level: z.number().int().min(1).max(100),
  /** The priority before the first re-alert; level n raises it n steps. */
  basePriority: PrioritySchema.optional(),
});
type UnclaimedPayload = z.infer<typeof UnclaimedPayload>;

const NoReplyPayload = z.object({
  conversationId: z.string().uuid(),
  deskRef: z.string().min(1).max(200),
  assignee: z.string().min(1).max(200),
  since: z.iso.datetime(),
});
type NoReplyPayload = z.infer<typeof NoReplyPayload>;

const PRIORITY_ORDER: readonly Priority[] = ["low", "normal", "high", "urgent"];

/** `steps` levels up, capped at urgent. */
function stepUp(priority: Priority, steps: number): Priority {
  return PRIORITY_ORDER[Math.min(PRIORITY_ORDER.length - 1, PRIORITY_ORDER.indexOf(priority) + steps)]!;
}
const REMINDER_MEMORY_MS = 7 * 24 * 3_600_000;

export interface SlaTimerDependencies {
  store: ConversationStore;
  queue: WorkQueue;
  once: OnceGuard;
  config: SlaConfig;
  clock?: SlaClock;
  logger: Logger;
  now: () => Date;
}

export class SlaTimers implements TaskHandler {
  private alerts: SlaAlerts | undefined;

  constructor(private readonly deps: SlaTimerDependencies) {}

  /** The desk that shows the alerts (it also schedules the timers, hence not a constructor argument). */
  useAlerts(alerts: SlaAlerts): void {
    this.alerts = alerts;
  }

  handles(name: string): boolean {
    return name === SLA_TASKS.unclaimed || name === SLA_TASKS.noReply;
  }

  async scheduleUnclaimed(input: { conversationId: string; deskRef: string; escalatedAt: Date; level?: number; basePriority?: Priority; from?: Date }): Promise<void> {
    const minutes = this.deps.config.unclaimedMinutes;
    if (minutes <= 0) return;
    const level = input.level ?? 1;
    const start = this.clockStart(input.from ?? input.escalatedAt);
    const payload: UnclaimedPayload = {
      conversationId: input.conversationId,
      deskRef: input.deskRef,
      escalatedAt: input.escalatedAt.toISOString(),
      level,
      ...(input.basePriority ? { basePriority: input.basePriority } : {}),
    };
    await this.deps.queue.enqueueTask(
      { name: SLA_TASKS.unclaimed, payload },
      { delayMs: this.delayUntil(start, minutes), jobId: `sla-unclaimed-${input.conversationId}-${input.escalatedAt.getTime()}-${level}` },
    );
  }

  async scheduleNoReply(input: { conversationId: string; deskRef: string; assignee: string; since: Date }): Promise<void> {
    const minutes = this.deps.config.noReplyMinutes;
    if (minutes <= 0) return;
    const payload: NoReplyPayload = { conversationId: input.conversationId, deskRef: input.deskRef, assignee: input.assignee, since: input.since.toISOString() };
    await this.deps.queue.enqueueTask(
      { name: SLA_TASKS.noReply, payload },
      { delayMs: this.delayUntil(this.clockStart(input.since), minutes), jobId: `sla-noreply-${input.conversationId}-${input.since.getTime()}` },
    );
  }

  async run(task: TaskJob): Promise<JobResult> {
    if (task.name === SLA_TASKS.unclaimed) return this.unclaimed(parse(UnclaimedPayload, task));
    if (task.name === SLA_TASKS.noReply) return this.noReply(parse(NoReplyPayload, task));
    throw new ValidationError(`unknown SLA task ${task.name}`);
  }

  private async unclaimed(payload: UnclaimedPayload): Promise<JobResult> {
    const conversation = await this.deps.store.getConversation(payload.conversationId);
    const escalation = conversation?.escalation;
    if (
      !conversation ||
      !escalation ||
      conversation.state !== "awaiting_human" ||
      escalation.deskRef !== payload.deskRef ||
      escalation.at.toISOString() !== payload.escalatedAt
    ) {
      return { kind: "done" };
    }
    const alerts = this.requireAlerts();
    // Every step is idempotent, so a retried timer (Slack said "later") repeats none of them: the
    // priority is the one this level calls for, and each level's event is recorded once.
    const base = payload.basePriority ?? escalation.priority;
    const target = this.deps.config.raisePriority ? stepUp(base, payload.level) : base;
    const priority = PRIORITY_ORDER.indexOf(target) > PRIORITY_ORDER.indexOf(escalation.priority) ? target : escalation.priority;
    const raised = priority !== base;
    const current = priority !== escalation.priority ? await this.deps.store.updateConversation(conversation.id, { escalationPriority: priority }) : conversation;
    const events = await this.deps.store.listEvents(conversation.id);
    if (!events.some((event) => event.type === SLA_REALERT_EVENT && event.data.deskRef === payload.deskRef && event.data.level === payload.level)) {
      await this.deps.store.recordEvent(conversation.id, {
        type: SLA_REALERT_EVENT,
        reason: `unclaimed after ${this.deps.config.unclaimedMinutes} min`,
        actor: "sla",
        data: { deskRef: payload.deskRef, level: payload.level, priority },
      });
    }
    const now = this.deps.now();
    await alerts.realertUnclaimed({
      conversation: current,
      deskRef: payload.deskRef,
      level: payload.level,
      waitedMs: now.getTime() - escalation.at.getTime(),
      priority,
      raised,
    });
    this.deps.logger.info({ conversationId: conversation.id, level: payload.level, priority }, "escalation still unclaimed: team re-alerted");
    if (payload.level < this.deps.config.maxRealerts) {
      await this.scheduleUnclaimed({ conversationId: conversation.id, deskRef: payload.deskRef, escalatedAt: escalation.at, level: payload.level + 1, basePriority: base, from: now });
    }
    return { kind: "done" };
  }

  private async noReply(payload: NoReplyPayload): Promise<JobResult> {
    const conversation = await this.deps.store.getConversation(payload.conversationId);
    if (!conversation || conversation.state !== "human" || conversation.assignee !== payload.assignee || conversation.escalation?.deskRef !== payload.deskRef) {
      return { kind: "done" };
    }
    const since = new Date(payload.since);
    const recent = await this.deps.store.listMessages(conversation.id, { limit: 100, newest: true });
    const lastAgentReply = recent.filter((message) => message.author === "agent").at(-1);
    if (lastAgentReply && lastAgentReply.createdAt.getTime() >= since.getTime()) return { kind: "done" };
    // One reminder per unanswered stretch: the other timers of the same stretch stay quiet.
    const stretch = lastAgentReply?.id ?? "since-claim";
    if (!(await this.deps.once.firstTime(`sla:no-reply:${conversation.id}:${payload.assignee}:${stretch}`, REMINDER_MEMORY_MS))) return { kind: "done" };
    // The customer waits since their first message after the last agent reply, or since the escalation.
    const firstUnanswered = lastAgentReply
      ? recent.find((message) => message.author === "customer" && message.seq > lastAgentReply.seq)?.createdAt
      : conversation.escalation?.at;
    const waitingSince = firstUnanswered ?? since;
    await this.requireAlerts().remindClaimer({
      conversation,
      deskRef: payload.deskRef,
      assignee: payload.assignee,
      waitingMs: Math.max(0, this.deps.now().getTime() - waitingSince.getTime()),
    });
    return { kind: "done" };
  }

  private clockStart(at: Date): Date {
    return this.deps.clock ? this.deps.clock.slaClockStart(at) : at;
  }

  private delayUntil(start: Date, minutes: number): number {
    return Math.max(0, Math.round(start.getTime() + minutes * 60_000 - this.deps.now().getTime()));
  }

  private requireAlerts(): SlaAlerts {
    if (!this.alerts) throw new ValidationError("SLA timers have no desk to alert (call useAlerts)");
    return this.alerts;
  }
}

function parse<T extends z.ZodType>(schema: T, task: TaskJob): z.infer<T> {
  const parsed = schema.safeParse(task.payload);
  if (!parsed.success) throw new ValidationError(`task ${task.name} has a malformed payload: ${parsed.error.message}`);
  return parsed.data;
}
