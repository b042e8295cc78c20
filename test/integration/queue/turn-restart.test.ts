/**
 * Restart durability of turn jobs: a pool closed mid-burst (graceful drain) or a worker process killed
 * with SIGKILL mid-burst; a new pool then finishes the work. Every accepted message is processed exactly
 * once (the idempotent cursor) and every enqueued job's handler completes.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createBullWorkQueue, createBullWorkerPool } from "../../../adapters/queue/index.js";
import { silentLogger } from "../../../src/logging/logger.js";
import { TEST_REDIS_URL, uniqueName } from "../../support/services.js";
import { deleteKeysUnder, QUICK_TUNING, spawnScript, stopChild, testRedis, waitFor } from "./redis-kit.js";
import {
  acceptMessage,
  jobKey,
  oneToN,
  processedCount,
  readRecord,
  recorderKeys,
  recordingTurnHandler,
  turnOnlyHandlers,
} from "./turn-recorder.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

function setUp() {
  const prefix = uniqueName("sbq");
  const redis = testRedis();
  const options = { redisUrl: TEST_REDIS_URL, prefix, logger: silentLogger(), ...QUICK_TUNING, concurrency: { turn: 4, send: 1, task: 1 } };
  const queue = createBullWorkQueue(options);
  cleanups.push(async () => {
    await queue.close();
    await deleteKeysUnder(redis, prefix);
    await redis.quit();
  });
  const conversations = ["r1", "r2", "r3", "r4", "r5"].map((id) => `${prefix}-${id}`);
  const accepted: string[] = [];
  const acceptRound = async () => {
    const seqs = await Promise.all(conversations.map((id) => acceptMessage(redis, prefix, queue, id)));
    seqs.forEach((seq, index) => accepted.push(jobKey(conversations[index]!, seq)));
  };
  const expectAllDoneExactlyOnce = async () => {
    await waitFor("every accepted turn to complete", async () => (await readRecord(redis, prefix, conversations)).completed.size === accepted.length, 60_000, 100);
    const record = await readRecord(redis, prefix, conversations);
    expect(record.violations).toEqual([]);
    expect([...record.completed].sort()).toEqual([...accepted].sort());
    for (const id of conversations) expect(record.processed[id]).toEqual(oneToN(record.stored[id]!));
  };
  return { prefix, redis, queue, options, conversations, accepted, acceptRound, expectAllDoneExactlyOnce };
}

describe("turn jobs survive a worker restart", () => {
  it("after a graceful close mid-burst, a new pool finishes everything, each message once", async () => {
    const { prefix, redis, options, conversations, accepted, acceptRound, expectAllDoneExactlyOnce } = setUp();
    const first = createBullWorkerPool(options);
    cleanups.push(() => first.close());
    await first.start(turnOnlyHandlers(recordingTurnHandler(redis, prefix, { worker: "first", itemDelayMs: 15 })));
    for (let round = 0; round < 20; round += 1) await acceptRound();

    await waitFor("the first pool to be busy", async () => (await processedCount(redis, prefix, conversations)) >= 15);
    await first.close();
    // close() drained: no handler is still running once it returned.
    const afterClose = await readRecord(redis, prefix, conversations);
    expect(Object.values(afterClose.active).every((running) => running === "0")).toBe(true);
    expect(afterClose.completed.size).toBeLessThan(accepted.length);

    // Messages accepted while no worker runs wait in Redis.
    for (let round = 0; round < 10; round += 1) await acceptRound();
    const second = createBullWorkerPool(options);
    cleanups.push(() => second.close());
    await second.start(turnOnlyHandlers(recordingTurnHandler(redis, prefix, { worker: "second", itemDelayMs: 1 })));
    await expectAllDoneExactlyOnce();
  }, 90_000);

  it("after a worker process is killed with SIGKILL mid-burst, its jobs are recovered and finished", async () => {
    const { prefix, redis, queue, options, conversations, accepted, acceptRound, expectAllDoneExactlyOnce } = setUp();
    const { child } = await spawnScript("./turn-worker-child.ts", {
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      WORKER_TAG: "doomed",
      ITEM_DELAY_MS: "20",
      QUEUE_TUNING: JSON.stringify({ ...QUICK_TUNING, concurrency: { turn: 4, send: 1, task: 1 } }),
    });
    cleanups.push(() => stopChild(child));
    for (let round = 0; round < 20; round += 1) await acceptRound();

    await waitFor("the child to be busy", async () => (await processedCount(redis, prefix, conversations)) >= 15);
    await stopChild(child, "SIGKILL");
    const atKill = await readRecord(redis, prefix, conversations);
    expect(atKill.completed.size).toBeLessThan(accepted.length);
    // The dead process left jobs in "active" and conversation locks behind: only recovery can finish them.
    expect((await queue.depth()).turn.active).toBeGreaterThan(0);
    expect((await redis.keys(`${prefix}:lock:turn:*`)).length).toBeGreaterThan(0);
    // Handlers that died mid-run never decremented their counter; only the dead process had any.
    await redis.del(recorderKeys(prefix).active);

    const survivor = createBullWorkerPool(options);
    cleanups.push(() => survivor.close());
    await survivor.start(turnOnlyHandlers(recordingTurnHandler(redis, prefix, { worker: "survivor", itemDelayMs: 1 })));
    await expectAllDoneExactlyOnce();
    const record = await readRecord(redis, prefix, conversations);
    expect(Number(record.runsByWorker.survivor ?? 0)).toBeGreaterThan(0);
  }, 90_000);
});
