/**
 * Options of the queue adapter, validated with zod when a factory is called: a wrong value stops
 * start-up with a ConfigError naming the option. Every duration is in milliseconds.
 */
import type { Redis } from "ioredis";
import { z } from "zod";
import { ConfigError } from "../../src/errors.js";
import type { Logger } from "../../src/logging/logger.js";

/** Prefixes become the first segment of every Redis key and pub/sub channel this adapter touches. */
export const PREFIX_PATTERN = /^[A-Za-z0-9_.-]{1,80}$/;

const positiveInt = z.number().int().min(1);
const duration = z.number().int().min(1).max(30 * 24 * 3_600_000);

export const RedisAdapterOptionsSchema = z.object({
  prefix: z
    .string()
    .regex(PREFIX_PATTERN, "must be 1-80 characters of letters, digits, '_', '.' or '-' (no ':')")
    .default("switchboard"),
  redisUrl: z
    .string()
    .url()
    .refine((value) => /^rediss?:\/\//.test(value), "must start with redis:// or rediss://")
    .optional(),
});

export const QueueTuningSchema = RedisAdapterOptionsSchema.extend({
  /** Jobs one WorkerPool runs at once, per queue. */
  concurrency: z
    .object({ turn: positiveInt.max(1_000).default(8), send: positiveInt.max(1_000).default(8), task: positiveInt.max(1_000).default(4) })
    .prefault({}),
  /** Attempts per job before giving up (a `defer` result never consumes one). */
  attempts: z
    .object({ turn: positiveInt.max(100).default(10), send: positiveInt.max(100).default(8), task: positiveInt.max(100).default(5) })
    .prefault({}),
  /** Retry delay after a failed attempt n: random in [d/2, d] with d = min(maxMs, baseMs * 2^(n-1)). */
  backoff: z.object({ baseMs: duration.default(1_000), maxMs: duration.default(10 * 60_000) }).prefault({}),
  turnLock: z
    .object({
      /** Lifetime of the per-conversation lock; renewed every ttl/3 while the handler runs. */
      ttlMs: z.number().int().min(300).max(10 * 60_000).default(30_000),
      /** A turn job that finds the conversation locked waits a jittered delay between these. */
      busyRetryMinMs: duration.default(25),
      busyRetryMaxMs: duration.default(1_000),
    })
    .prefault({}),
  /** BullMQ's own job lock and stalled-job recovery (a crashed worker's jobs go back to wait). */
  stalled: z
    .object({
      lockDurationMs: z.number().int().min(500).default(30_000),
      checkIntervalMs: z.number().int().min(100).default(30_000),
      /** A job that stalls more often than this fails; high because handlers are idempotent. */
      maxStalledCount: z.number().int().min(0).max(1_000).default(10),
    })
    .prefault({}),
  retention: z
    .object({
      /** Completed send jobs are kept so that a late duplicate enqueue cannot send twice. */
      sendCompletedMs: duration.default(24 * 3_600_000),
      completedMs: duration.default(3_600_000),
      failedMs: duration.default(7 * 24 * 3_600_000),
    })
    .prefault({}),
  /** How long `WorkerPool.close()` waits for running handlers before it stops waiting. */
  drainTimeoutMs: duration.default(30_000),
});

export type QueueTuning = z.output<typeof QueueTuningSchema>;
export type QueueName = "turn" | "send" | "task";
export const QUEUE_NAMES: readonly QueueName[] = ["turn", "send", "task"];

/** What happened to one run of a job: for metrics (`/metrics`: job failures, throughput). */
export interface JobOutcomeEvent {
  queue: QueueName;
  outcome: "done" | "deferred" | "lock_busy" | "retrying" | "failed";
  durationMs: number;
}

/** Where the Redis connection comes from: a URL (the adapter owns and closes it) or a client you own. */
export interface RedisSource {
  redisUrl?: string;
  /** An ioredis client created with `maxRetriesPerRequest: null`; never closed by the adapter. */
  connection?: Redis;
}

export interface RedisAdapterOptions extends RedisSource {
  prefix?: string;
  logger: Logger;
}

export type BullQueuesOptions = RedisAdapterOptions &
  Omit<z.input<typeof QueueTuningSchema>, "prefix" | "redisUrl"> & {
    /** Shown as the BullMQ worker name (diagnostics). */
    workerName?: string;
    onJobOutcome?: (event: JobOutcomeEvent) => void;
  };

export function parseOptions<T extends z.ZodType>(schema: T, options: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(options);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `- ${issue.path.join(".") || "(options)"}: ${issue.message}`);
    throw new ConfigError(`Invalid ${what} options:\n${problems.join("\n")}`);
  }
  return parsed.data;
}

/** The plain-data part of the options (zod cannot look at a live client or a logger). */
export function tuningInput(options: BullQueuesOptions): unknown {
  const { connection: _connection, logger: _logger, onJobOutcome: _onJobOutcome, workerName: _workerName, ...rest } = options;
  return rest;
}
