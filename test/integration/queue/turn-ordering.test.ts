/**
 * Turn jobs under concurrency: several WorkerPools (three in this process, one in a child process)
 * consume many turn jobs for a few conversations. No conversation ever has two handlers at once,
 * every job's handler runs, and each conversation's items are processed once each, in seq order.
 */
import type { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { createBullWorkQueue, createBullWorkerPool, type BullWorkerPool, type BullWorkQueue } from "../../../adapters/queue/index.js";
import { ValidationError } from "../../../src/errors.js";
import { silentLogger } from "../../../src/logging/logger.js";
import { TEST_REDIS_URL, uniqueName } from "../../support/services.js";
import { deleteKeysUnder, QUICK_TUNING, spawnScript, stopChild, testRedis, waitFor } from "./redis-kit.js";
import { acceptMessage, jobKey, oneToN, readRecord, recordingTurnHandler, turnOnlyHandlers } from "./turn-recorder.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

function setUp(): { prefix: string; redis: Redis; queue: BullWorkQueue; pool: () => BullWorkerPool } {
  const prefix = uniqueName("sbq");
  const redis = testRedis();
  const options = { redisUrl: TEST_REDIS_URL, prefix, logger: silentLogger(), ...QUICK_TUNING, concurrency: { turn: 4, send: 1, task: 1 } };
  const queue = createBullWorkQueue(options);
  cleanups.push(async () => {
    await queue.close();
    await deleteKeysUnder(redis, prefix);
    await redis.quit();
  });
  const pool = () => {
    const created = createBullWorkerPool(options);
    cleanups.push(() => created.close());
    return created;
  };
  return { prefix, redis, queue, pool };
}

describe("turn jobs: one handler per conversation, in seq order, across pools and processes", () => {
  it("never overlaps handlers of one conversation and processes every seq once, in order", async () => {
    const { prefix, redis, queue, pool } = setUp();
    const child = await spawnScript("./turn-worker-child.ts", {
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      WORKER_TAG: "child",
      QUEUE_TUNING: JSON.stringify({ ...QUICK_TUNING, concurrency: { turn: 4, send: 1, task: 1 } }),
    });
    cleanups.push(() => stopChild(child.child));
    for (const name of ["a", "b", "c"]) {
      await pool().start(turnOnlyHandlers(recordingTurnHandler(redis, prefix, { worker: name })));
    }

    const conversations = ["c1", "c2", "c3", "c4"].map((id) => `${prefix}-${id}`);
    const perConversation = 40;
    const accepted: string[] = [];
    // Interleave conversations, in small concurrent bursts, like webhooks arriving at once.
    for (let round = 0; round < perConversation; round += 1) {
      const seqs = await Promise.all(conversations.map((id) => acceptMessage(redis, prefix, queue, id)));
      seqs.forEach((seq, index) => accepted.push(jobKey(conversations[index]!, seq)));
    }

    await waitFor("every turn job to complete", async () => (await readRecord(redis, prefix, conversations)).completed.size === accepted.length, 60_000, 100);
    const record = await readRecord(redis, prefix, conversations);

    expect(record.violations).toEqual([]);
    expect([...record.completed].sort()).toEqual([...accepted].sort());
    for (const id of conversations) expect(record.processed[id]).toEqual(oneToN(perConversation));
    // The child process took part: mutual exclusion held across processes, not only inside one.
    expect(Number(record.runsByWorker.child ?? 0)).toBeGreaterThan(0);
    const depth = await queue.depth();
    expect(depth.turn).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0 });
  }, 90_000);

  it("enqueues a (conversation, seq) pair once: a duplicate enqueue does not run the handler again", async () => {
    const { prefix, redis, queue, pool } = setUp();
    const calls: number[] = [];
    await pool().start(
      turnOnlyHandlers(async (job) => {
        calls.push(job.seq);
        return { kind: "done" };
      }),
    );
    await Promise.all([queue.enqueueTurn({ conversationId: "conv-1", seq: 7 }), queue.enqueueTurn({ conversationId: "conv-1", seq: 7 })]);
    await waitFor("the first run", () => calls.length === 1);
    await queue.enqueueTurn({ conversationId: "conv-1", seq: 7 });
    await queue.enqueueTurn({ conversationId: "conv-1", seq: 8 });
    await waitFor("the second seq", () => calls.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(calls).toEqual([7, 8]);
    expect(await redis.exists(`${prefix}:turn:turn-conv-1-7`)).toBe(1);
  });

  it("a turn handler's defer runs the job again later; a give-up error fails it without retries", async () => {
    const { queue, pool } = setUp();
    const runs: Record<string, number> = {};
    await pool().start(
      turnOnlyHandlers(async (job) => {
        runs[job.conversationId] = (runs[job.conversationId] ?? 0) + 1;
        if (job.conversationId === "deferring" && runs[job.conversationId] === 1) return { kind: "defer", delayMs: 100, reason: "test" };
        if (job.conversationId === "broken") throw new ValidationError("this turn can never work");
        return { kind: "done" };
      }),
    );
    await queue.enqueueTurn({ conversationId: "deferring", seq: 1 });
    await queue.enqueueTurn({ conversationId: "broken", seq: 1 });
    await waitFor("the deferred turn to run twice and the broken one to fail", async () => {
      const depth = await queue.depth();
      return runs.deferring === 2 && depth.turn.failed === 1;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(runs).toEqual({ deferring: 2, broken: 1 });
    const failed = await queue.bullQueue("turn").getJob("turn-broken-1");
    expect(await failed?.getState()).toBe("failed");
    expect(failed?.failedReason).toContain("this turn can never work");
  });
});
