/**
 * The background work of the pipeline, behind one interface (BullMQ on Redis in adapters/queue).
 *
 * - turn jobs: "process conversation C up to inbound seq N". They run per conversation, one at a time
 *   (a Redis lock), and read the messages themselves from the store, so order comes from `seq`, not from
 *   job order; a job whose message is already processed is a no-op.
 * - send jobs: one per outbound message, job id derived from the message id (idempotent enqueue).
 * - tasks: named jobs for desks and timers (post to Slack, SLA re-alert), optionally delayed.
 * Jobs survive a process restart; handlers must be idempotent.
 */

export interface TurnJob {
  conversationId: string;
  /** The inbound message that triggered this job; processing covers at least up to it. */
  seq: number;
}

export interface SendJob {
  messageId: string;
  conversationId: string;
  channelId: string;
}

export interface TaskJob {
  /** Handler name, e.g. `desk.escalate`, `sla.unclaimed`. */
  name: string;
  payload: Record<string, unknown>;
}

export interface EnqueueOptions {
  delayMs?: number;
  /** Deduplication key: a second enqueue with the same id while the first exists is ignored. */
  jobId?: string;
  attempts?: number;
}

/** What a handler tells the queue to do with a job besides "done" (errors map via `queueOutcomeFor`). */
export type JobResult = { kind: "done" } | { kind: "defer"; delayMs: number; reason: string };

export interface JobHandlers {
  turn(job: TurnJob): Promise<JobResult>;
  send(job: SendJob, attempt: { number: number; final: boolean }): Promise<JobResult>;
  /** Called when a send job gave up (permanent error or retries exhausted). */
  sendFailed(job: SendJob, error: unknown): Promise<void>;
  task(job: TaskJob): Promise<JobResult>;
}

export interface QueueDepth {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
}

export interface WorkQueue {
  enqueueTurn(job: TurnJob): Promise<void>;
  enqueueSend(job: SendJob, options?: EnqueueOptions): Promise<void>;
  enqueueTask(job: TaskJob, options?: EnqueueOptions): Promise<void>;
  depth(): Promise<Record<"turn" | "send" | "task", QueueDepth>>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface WorkerPool {
  /** Start consuming all queues with these handlers. */
  start(handlers: JobHandlers): Promise<void>;
  /** Stop taking new jobs and wait for the running ones (graceful drain). */
  close(): Promise<void>;
}

/** Cross-process notifications (an outbound web chat message reaching the web process that holds the socket). */
export interface MessageBus {
  publish(topic: string, payload: Record<string, unknown>): Promise<void>;
  /** Returns an unsubscribe function. */
  subscribe(topic: string, onMessage: (payload: Record<string, unknown>) => void): Promise<() => Promise<void>>;
}

/** Token-bucket rate limiting shared by every process (per sender, per Slack channel, per web chat session). */
export interface RateLimiter {
  /** Take one token for `key`; when none is left, how long until one is (ms). */
  take(key: string, limit: { perSecond: number; burst?: number }): Promise<{ allowed: boolean; retryAfterMs: number }>;
}

/** "Do this once": replayed webhooks and provider retries are recognised across processes. */
export interface OnceGuard {
  /** True the first time `key` is seen within `ttlMs`; false afterwards. */
  firstTime(key: string, ttlMs: number): Promise<boolean>;
  /** Whether `key` is remembered (by `firstTime` or `remember`) and has not expired. */
  seen(key: string): Promise<boolean>;
  /** Remembers `key` for `ttlMs`: for callers that mark a request done only after its work is safe. */
  remember(key: string, ttlMs: number): Promise<void>;
}
