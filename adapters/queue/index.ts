/**
 * The queue adapter: the core's WorkQueue, WorkerPool, MessageBus, RateLimiter and OnceGuard on
 * BullMQ and Redis. Every factory takes `redisUrl` (the adapter owns the connection and closes it) or
 * `connection` (your ioredis client, created with `maxRetriesPerRequest: null`, never closed here), and
 * a `prefix` under which every key and channel lives.
 */
import { ConfigError } from "../../src/errors.js";
import { BullWorkQueue } from "./bull-work-queue.js";
import { BullWorkerPool } from "./bull-worker-pool.js";
import {
  parseOptions,
  QueueTuningSchema,
  RedisAdapterOptionsSchema,
  tuningInput,
  type BullQueuesOptions,
  type QueueTuning,
  type RedisAdapterOptions,
} from "./options.js";
import { leaseRedis } from "./redis-connection.js";
import { RedisMessageBus } from "./redis-message-bus.js";
import { RedisOnceGuard } from "./redis-once-guard.js";
import { RedisRateLimiter } from "./redis-rate-limiter.js";

export { BullWorkQueue } from "./bull-work-queue.js";
export { BullWorkerPool } from "./bull-worker-pool.js";
export { RedisMessageBus } from "./redis-message-bus.js";
export { RedisRateLimiter } from "./redis-rate-limiter.js";
export { RedisOnceGuard } from "./redis-once-guard.js";
export { turnJobId, sendJobId, taskJobId } from "./keys.js";
export type { BullQueuesOptions, JobOutcomeEvent, QueueName, QueueTuning, RedisAdapterOptions } from "./options.js";

function tuningOf(options: BullQueuesOptions): QueueTuning {
  return parseOptions(QueueTuningSchema, tuningInput(options), "queue");
}

function redisOptionsOf(options: RedisAdapterOptions): { prefix: string } {
  if (!options.redisUrl && !options.connection) throw new ConfigError("Pass redisUrl or connection to the Redis adapter.");
  const { connection: _connection, logger: _logger, ...rest } = options;
  return parseOptions(RedisAdapterOptionsSchema, rest, "redis adapter");
}

/** The producer side alone (a web-only process). */
export function createBullWorkQueue(options: BullQueuesOptions): BullWorkQueue {
  const tuning = tuningOf(options);
  return new BullWorkQueue(leaseRedis(options, "switchboard-queue", options.logger), tuning, options.logger);
}

/** A consumer pool; nothing connects until `start(handlers)`. Create as many as you like. */
export function createBullWorkerPool(options: BullQueuesOptions): BullWorkerPool {
  const tuning = tuningOf(options);
  if (!options.redisUrl && !options.connection) throw new ConfigError("Pass redisUrl or connection to the queue adapter.");
  return new BullWorkerPool({
    source: { ...(options.redisUrl ? { redisUrl: options.redisUrl } : {}), ...(options.connection ? { connection: options.connection } : {}) },
    tuning,
    logger: options.logger,
    ...(options.workerName ? { workerName: options.workerName } : {}),
    ...(options.onJobOutcome ? { onJobOutcome: options.onJobOutcome } : {}),
  });
}

/** Both sides with the same options: `queue` to enqueue, `pool.start(handlers)` to consume. */
export function createBullQueues(options: BullQueuesOptions): { queue: BullWorkQueue; pool: BullWorkerPool } {
  return { queue: createBullWorkQueue(options), pool: createBullWorkerPool(options) };
}

export function createRedisBus(options: RedisAdapterOptions): RedisMessageBus {
  const { prefix } = redisOptionsOf(options);
  return new RedisMessageBus(leaseRedis(options, "switchboard-bus", options.logger), options, prefix, options.logger);
}

export function createRedisRateLimiter(options: RedisAdapterOptions): RedisRateLimiter {
  const { prefix } = redisOptionsOf(options);
  return new RedisRateLimiter(leaseRedis(options, "switchboard-rate-limiter", options.logger), prefix);
}

export function createRedisOnceGuard(options: RedisAdapterOptions): RedisOnceGuard {
  const { prefix } = redisOptionsOf(options);
  return new RedisOnceGuard(leaseRedis(options, "switchboard-once-guard", options.logger), prefix);
}
