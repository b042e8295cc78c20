/**
 * A stand-in for the store and the turn handler, kept in Redis so that several processes share it:
 * `acceptMessage` assigns the next seq of a conversation (the store's gap-free seq) and enqueues a turn
 * job; the handler processes every seq after the conversation's cursor, advancing the cursor in the same
 * MULTI as it records the item (an idempotent cursor), and records overlaps and which jobs ran.
 */
import type { Redis } from "ioredis";
import type { JobHandlers, WorkQueue } from "../../../src/ports/work-queue.js";
import { sleep } from "./redis-kit.js";

export function recorderKeys(prefix: string) {
  const base = `${prefix}:recorder`;
  return {
    stored: `${base}:stored`,
    cursor: `${base}:cursor`,
    processed: (conversationId: string) => `${base}:processed:${conversationId}`,
    /** Handlers running right now, per conversation: more than one is a violation. */
    active: `${base}:active`,
    violations: `${base}:violations`,
    started: `${base}:started`,
    completed: `${base}:completed`,
    runsByWorker: `${base}:runs-by-worker`,
  };
}

export function jobKey(conversationId: string, seq: number): string {
  return `${conversationId}/${seq}`;
}

export async function acceptMessage(redis: Redis, prefix: string, queue: WorkQueue, conversationId: string): Promise<number> {
  const seq = await redis.hincrby(recorderKeys(prefix).stored, conversationId, 1);
  await queue.enqueueTurn({ conversationId, seq });
  return seq;
}

export function recordingTurnHandler(redis: Redis, prefix: string, options: { worker: string; itemDelayMs?: number }): JobHandlers["turn"] {
  const keys = recorderKeys(prefix);
  return async (job) => {
    const running = await redis.hincrby(keys.active, job.conversationId, 1);
    if (running !== 1) await redis.rpush(keys.violations, `${job.conversationId} had ${running} handlers at once`);
    await redis.multi().sadd(keys.started, jobKey(job.conversationId, job.seq)).hincrby(keys.runsByWorker, options.worker, 1).exec();
    try {
      const cursor = Number((await redis.hget(keys.cursor, job.conversationId)) ?? 0);
      const stored = Number((await redis.hget(keys.stored, job.conversationId)) ?? 0);
      for (let seq = cursor + 1; seq <= stored; seq += 1) {
        await sleep(options.itemDelayMs ?? Math.floor(Math.random() * 3));
        await redis.multi().rpush(keys.processed(job.conversationId), String(seq)).hset(keys.cursor, job.conversationId, String(seq)).exec();
      }
    } finally {
      await redis.hincrby(keys.active, job.conversationId, -1);
    }
    await redis.sadd(keys.completed, jobKey(job.conversationId, job.seq));
    return { kind: "done" };
  };
}

/** Handlers for a pool that only runs turns in these suites. */
export function turnOnlyHandlers(turn: JobHandlers["turn"]): JobHandlers {
  const unused = async () => {
    throw new Error("not used in this suite");
  };
  return { turn, send: unused, sendFailed: unused, task: unused };
}

/** Everything the suites assert on, read in one go. */
export async function readRecord(redis: Redis, prefix: string, conversationIds: string[]) {
  const keys = recorderKeys(prefix);
  const processed = Object.fromEntries(
    await Promise.all(
      conversationIds.map(async (id) => [id, (await redis.lrange(keys.processed(id), 0, -1)).map(Number)] as const),
    ),
  );
  const stored = Object.fromEntries(
    Object.entries(await redis.hgetall(keys.stored)).map(([id, value]) => [id, Number(value)] as const),
  );
  return {
    processed,
    stored,
    violations: await redis.lrange(keys.violations, 0, -1),
    started: new Set(await redis.smembers(keys.started)),
    completed: new Set(await redis.smembers(keys.completed)),
    runsByWorker: await redis.hgetall(keys.runsByWorker),
    active: await redis.hgetall(keys.active),
  };
}

export async function processedCount(redis: Redis, prefix: string, conversationIds: string[]): Promise<number> {
  const lengths = await Promise.all(conversationIds.map((id) => redis.llen(recorderKeys(prefix).processed(id))));
  return lengths.reduce((sum, length) => sum + length, 0);
}

export function oneToN(n: number): number[] {
  return Array.from({ length: n }, (_unused, index) => index + 1);
}
