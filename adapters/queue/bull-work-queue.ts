/**
 * The producer side: enqueue turn, send and task jobs on three BullMQ queues under one prefix.
 * Every enqueue is idempotent by job id (BullMQ ignores an add whose id already exists, finished or not).
 */
import { Queue, type DefaultJobOptions, type JobsOptions } from "bullmq";
import type { Logger } from "../../src/logging/logger.js";
import type { EnqueueOptions, QueueDepth, SendJob, TaskJob, TurnJob, WorkQueue } from "../../src/ports/work-queue.js";
import {
  EnqueueOptionsSchema,
  SendJobSchema,
  TaskJobSchema,
  TurnJobSchema,
  validateForEnqueue,
  validateTaskPayloadSize,
} from "./job-data.js";
import { sendJobId, taskJobId, turnJobId } from "./keys.js";
import { QUEUE_NAMES, type QueueName, type QueueTuning } from "./options.js";
import { pingWithin, type RedisLease } from "./redis-connection.js";
import { BACKOFF_TYPE } from "./retry-policy.js";

const PING_TIMEOUT_MS = 2_000;

export function defaultJobOptions(queue: QueueName, tuning: QueueTuning): DefaultJobOptions {
  const completedMs = queue === "send" ? tuning.retention.sendCompletedMs : tuning.retention.completedMs;
  return {
    attempts: tuning.attempts[queue],
    backoff: { type: BACKOFF_TYPE, delay: tuning.backoff.baseMs },
    removeOnComplete: { age: Math.ceil(completedMs / 1000) },
    removeOnFail: { age: Math.ceil(tuning.retention.failedMs / 1000) },
  };
}

export class BullWorkQueue implements WorkQueue {
  private readonly queues: Record<QueueName, Queue>;
  private closed = false;

  constructor(
    private readonly lease: RedisLease,
    private readonly tuning: QueueTuning,
    private readonly logger: Logger,
  ) {
    const make = (name: QueueName) =>
      new Queue(name, { connection: lease.client, prefix: tuning.prefix, defaultJobOptions: defaultJobOptions(name, tuning) });
    this.queues = { turn: make("turn"), send: make("send"), task: make("task") };
    for (const name of QUEUE_NAMES) {
      this.queues[name].on("error", (error) => this.logger.warn({ err: error, queue: name }, "queue error"));
    }
  }

  async enqueueTurn(job: TurnJob): Promise<void> {
    const turn = validateForEnqueue(TurnJobSchema, job, "turn job");
    await this.queues.turn.add("turn", turn, { jobId: turnJobId(turn.conversationId, turn.seq) });
  }

  async enqueueSend(job: SendJob, options: EnqueueOptions = {}): Promise<void> {
    const send = validateForEnqueue(SendJobSchema, job, "send job");
    const chosen = validateForEnqueue(EnqueueOptionsSchema, options, "enqueue options");
    // The message id is the dedupe key unless the caller names another one.
    const jobId = chosen.jobId === undefined ? sendJobId(send.messageId) : sendJobId(chosen.jobId);
    await this.queues.send.add("send", send, jobOptions(jobId, chosen));
  }

  async enqueueTask(job: TaskJob, options: EnqueueOptions = {}): Promise<void> {
    const task = validateForEnqueue(TaskJobSchema, job, "task job");
    validateTaskPayloadSize(task);
    const chosen = validateForEnqueue(EnqueueOptionsSchema, options, "enqueue options");
    await this.queues.task.add(task.name, task, jobOptions(chosen.jobId === undefined ? undefined : taskJobId(chosen.jobId), chosen));
  }

  async depth(): Promise<Record<QueueName, QueueDepth>> {
    const entries = await Promise.all(
      QUEUE_NAMES.map(async (name) => {
        const counts = await this.queues[name].getJobCounts("waiting", "prioritized", "active", "delayed", "failed");
        const depth: QueueDepth = {
          waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
          active: counts.active ?? 0,
          delayed: counts.delayed ?? 0,
          failed: counts.failed ?? 0,
        };
        return [name, depth] as const;
      }),
    );
    return Object.fromEntries(entries) as Record<QueueName, QueueDepth>;
  }

  /** Throws (UpstreamError) when Redis does not answer within two seconds: for /readyz. */
  async ping(): Promise<void> {
    await pingWithin(this.lease.client, PING_TIMEOUT_MS);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(QUEUE_NAMES.map((name) => this.queues[name].close()));
    await this.lease.release();
  }

  /** For tests and tools: the underlying BullMQ queue (for example to inspect a job's state). */
  bullQueue(name: QueueName): Queue {
    return this.queues[name];
  }

  get prefix(): string {
    return this.tuning.prefix;
  }
}

function jobOptions(jobId: string | undefined, chosen: { delayMs?: number; attempts?: number }): JobsOptions {
  return {
    ...(jobId === undefined ? {} : { jobId }),
    ...(chosen.delayMs === undefined ? {} : { delay: chosen.delayMs }),
    ...(chosen.attempts === undefined ? {} : { attempts: chosen.attempts }),
  };
}
