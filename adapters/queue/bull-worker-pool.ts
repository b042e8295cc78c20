/**
 * The consumer side: one BullMQ Worker per queue, running the core's handlers. Any number of pools,
 * in any number of processes, may consume the same prefix; the turn lock keeps each conversation to
 * one handler at a time, and BullMQ's stalled-job check hands a crashed pool's jobs to the others.
 */
import { Worker } from "bullmq";
import { ConfigError } from "../../src/errors.js";
import type { Logger } from "../../src/logging/logger.js";
import type { JobHandlers, WorkerPool } from "../../src/ports/work-queue.js";
import { ConversationLock } from "./conversation-lock.js";
import { adapterKeys } from "./keys.js";
import { QUEUE_NAMES, type JobOutcomeEvent, type QueueName, type QueueTuning, type RedisSource } from "./options.js";
import { createProcessor } from "./processors.js";
import { leaseRedis, type RedisLease } from "./redis-connection.js";
import { createBackoffStrategy, type Random } from "./retry-policy.js";

export interface WorkerPoolDependencies {
  source: RedisSource;
  tuning: QueueTuning;
  logger: Logger;
  workerName?: string;
  onJobOutcome?: (event: JobOutcomeEvent) => void;
  random?: Random;
}

export class BullWorkerPool implements WorkerPool {
  private workers: Worker[] = [];
  private lease: RedisLease | undefined;
  private state: "new" | "running" | "closing" | "closed" = "new";

  constructor(private readonly dependencies: WorkerPoolDependencies) {}

  async start(handlers: JobHandlers): Promise<void> {
    if (this.state !== "new") throw new ConfigError(`this worker pool was already started (state: ${this.state}); create a new one`);
    this.state = "running";
    const { tuning, logger, source } = this.dependencies;
    const lease = leaseRedis(source, "switchboard-workers", logger);
    this.lease = lease;
    const keys = adapterKeys(tuning.prefix);
    const context = {
      handlers,
      tuning,
      redis: lease.client,
      keys,
      lock: new ConversationLock(lease.client, keys, tuning.turnLock.ttlMs, logger),
      logger,
      random: this.dependencies.random ?? Math.random,
      onJobOutcome: this.dependencies.onJobOutcome,
    };
    const backoffStrategy = createBackoffStrategy(tuning.backoff, context.random);
    this.workers = QUEUE_NAMES.map((queue: QueueName) => {
      const worker = new Worker(queue, createProcessor(queue, context), {
        connection: lease.client,
        prefix: tuning.prefix,
        concurrency: tuning.concurrency[queue],
        lockDuration: tuning.stalled.lockDurationMs,
        stalledInterval: tuning.stalled.checkIntervalMs,
        maxStalledCount: tuning.stalled.maxStalledCount,
        settings: { backoffStrategy },
        ...(this.dependencies.workerName ? { name: this.dependencies.workerName } : {}),
      });
      worker.on("error", (error) => logger.warn({ err: error, queue }, "worker error"));
      return worker;
    });
    await Promise.all(this.workers.map((worker) => worker.waitUntilReady()));
    logger.info({ prefix: tuning.prefix, concurrency: tuning.concurrency }, "queue workers started");
  }

  /**
   * Stop taking jobs and wait for the running handlers, up to drainTimeoutMs. After that the pool stops
   * waiting and drops its connection; the unfinished jobs are recovered as stalled by another pool.
   */
  async close(): Promise<void> {
    if (this.state === "closing" || this.state === "closed") return;
    const wasRunning = this.state === "running";
    this.state = "closing";
    if (wasRunning) {
      const { drainTimeoutMs } = this.dependencies.tuning;
      const drained = Promise.all(this.workers.map((worker) => worker.close())).then(() => true);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), drainTimeoutMs);
      });
      const finished = await Promise.race([drained, timedOut]);
      clearTimeout(timer);
      if (finished) {
        await this.lease?.release();
      } else {
        this.dependencies.logger.warn({ drainTimeoutMs }, "handlers still running after the drain timeout; closing without them");
        this.lease?.abandon();
        drained.catch(() => {});
      }
    }
    this.state = "closed";
  }
}
