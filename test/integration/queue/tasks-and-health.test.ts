/**
 * Task jobs (named, with payload, optional delay and dedupe id, retried on error), queue depth, ping,
 * prefix isolation, malformed job data, and option validation.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createBullQueues, createBullWorkQueue } from "../../../adapters/queue/index.js";
import { ConfigError, UpstreamError, ValidationError } from "../../../src/errors.js";
import { silentLogger } from "../../../src/logging/logger.js";
import type { JobHandlers, JobResult, TaskJob } from "../../../src/ports/work-queue.js";
import { TEST_REDIS_URL, uniqueName } from "../../support/services.js";
import { deleteKeysUnder, QUICK_TUNING, sleep, testRedis, waitFor } from "./redis-kit.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const unused = async (): Promise<JobResult> => {
  throw new Error("not used in this suite");
};

async function startTasks(task: JobHandlers["task"], prefix = uniqueName("sbq")) {
  const redis = testRedis();
  const { queue, pool } = createBullQueues({ redisUrl: TEST_REDIS_URL, prefix, logger: silentLogger(), ...QUICK_TUNING });
  cleanups.push(async () => {
    await pool.close();
    await queue.close();
    await deleteKeysUnder(redis, prefix);
    await redis.quit();
  });
  await pool.start({ turn: unused, send: unused, sendFailed: async () => {}, task });
  return { queue, prefix, redis };
}

describe("task jobs", () => {
  it("runs a named task with its payload after its delay, counted as delayed until then", async () => {
    const seen: Array<TaskJob & { at: number }> = [];
    const { queue } = await startTasks(async (job) => {
      seen.push({ ...job, at: Date.now() });
      return { kind: "done" };
    });
    const enqueuedAt = Date.now();
    await queue.enqueueTask({ name: "sla.unclaimed", payload: { conversationId: "c-1", level: 2 } }, { delayMs: 1_000 });
    expect((await queue.depth()).task.delayed).toBe(1);
    await waitFor("the task", () => seen.length === 1);
    expect(seen[0]).toMatchObject({ name: "sla.unclaimed", payload: { conversationId: "c-1", level: 2 } });
    expect(seen[0]!.at - enqueuedAt).toBeGreaterThanOrEqual(990);
  });

  it("retries a task whose handler throws, and dedupes on jobId", async () => {
    let runs = 0;
    const { queue } = await startTasks(async () => {
      runs += 1;
      if (runs === 1) throw new Error("Slack timed out");
      return { kind: "done" };
    });
    await queue.enqueueTask({ name: "desk.escalate", payload: { conversationId: "c-2" } }, { jobId: "escalate:c-2" });
    await queue.enqueueTask({ name: "desk.escalate", payload: { conversationId: "c-2" } }, { jobId: "escalate:c-2" });
    await waitFor("the retry to succeed", () => runs === 2);
    await sleep(300);
    expect(runs).toBe(2);
    expect((await queue.depth()).task).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0 });
  });

  it("fails a job with malformed data without calling the handler or stopping the pool", async () => {
    const seen: string[] = [];
    const { queue } = await startTasks(async (job) => {
      seen.push(job.name);
      return { kind: "done" };
    });
    // Something else wrote junk into our queue: the worker refuses it and carries on.
    await queue.bullQueue("task").add("junk", { name: 42, payload: "not an object" }, { jobId: "task-junk" });
    await queue.enqueueTask({ name: "after.junk", payload: {} });
    await waitFor("the good task", () => seen.length === 1);
    await waitFor("the junk job to fail", async () => (await queue.depth()).task.failed === 1);
    const junk = await queue.bullQueue("task").getJob("task-junk");
    expect(junk?.failedReason).toContain("malformed task job data");
    expect(junk?.attemptsMade).toBe(1);
    expect(seen).toEqual(["after.junk"]);
  });

  it("refuses bad task input with ValidationError", async () => {
    const { queue } = await startTasks(async () => ({ kind: "done" }));
    await expect(queue.enqueueTask({ name: "bad name with spaces", payload: {} })).rejects.toBeInstanceOf(ValidationError);
    await expect(queue.enqueueTask({ name: "big", payload: { blob: "x".repeat(70_000) } })).rejects.toBeInstanceOf(ValidationError);
    await expect(queue.enqueueTask({ name: "late", payload: {} }, { delayMs: -5 })).rejects.toBeInstanceOf(ValidationError);
  });
});

describe("worker pool shutdown", () => {
  it("close() waits for running handlers to finish, and reports outcomes while it runs", async () => {
    const prefix = uniqueName("sbq");
    const redis = testRedis();
    const outcomes: string[] = [];
    const { queue, pool } = createBullQueues({
      redisUrl: TEST_REDIS_URL,
      prefix,
      logger: silentLogger(),
      ...QUICK_TUNING,
      onJobOutcome: (event) => outcomes.push(`${event.queue}:${event.outcome}`),
    });
    cleanups.push(async () => {
      await queue.close();
      await deleteKeysUnder(redis, prefix);
      await redis.quit();
    });
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started = false;
    let finished = false;
    await pool.start({
      turn: unused,
      send: unused,
      sendFailed: async () => {},
      task: async () => {
        started = true;
        await gate;
        finished = true;
        return { kind: "done" };
      },
    });
    await queue.enqueueTask({ name: "slow.task", payload: {} });
    await waitFor("the handler to start", () => started);
    let closed = false;
    const closing = pool.close().then(() => (closed = true));
    await sleep(300);
    expect(closed).toBe(false);
    release();
    await closing;
    expect(finished).toBe(true);
    expect(outcomes).toEqual(["task:done"]);
    expect((await queue.depth()).task).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0 });
  });

  it("close() stops waiting after drainTimeoutMs; the unfinished job is left for another pool", async () => {
    const prefix = uniqueName("sbq");
    const redis = testRedis();
    const { queue, pool } = createBullQueues({ redisUrl: TEST_REDIS_URL, prefix, logger: silentLogger(), ...QUICK_TUNING, drainTimeoutMs: 200 });
    cleanups.push(async () => {
      await queue.close();
      await deleteKeysUnder(redis, prefix);
      await redis.quit();
    });
    let started = false;
    await pool.start({
      turn: unused,
      send: unused,
      sendFailed: async () => {},
      task: async () => {
        started = true;
        await sleep(3_000);
        return { kind: "done" };
      },
    });
    await queue.enqueueTask({ name: "stuck.task", payload: {} });
    await waitFor("the handler to start", () => started);
    const closeStartedAt = Date.now();
    await pool.close();
    expect(Date.now() - closeStartedAt).toBeLessThan(2_000);
    expect((await queue.depth()).task.active).toBe(1);
  });
});

describe("queue health and isolation", () => {
  it("answers ping, and a queue on an unreachable Redis fails ping with UpstreamError instead of hanging", async () => {
    const { queue } = await startTasks(async () => ({ kind: "done" }));
    await expect(queue.ping()).resolves.toBeUndefined();
    const nowhere = createBullWorkQueue({ redisUrl: "redis://127.0.0.1:1", prefix: uniqueName("sbq"), logger: silentLogger() });
    await expect(nowhere.ping()).rejects.toBeInstanceOf(UpstreamError);
    await nowhere.close();
  });

  it("keeps two prefixes apart: a pool sees only its own prefix's jobs", async () => {
    const seenA: string[] = [];
    const seenB: string[] = [];
    const a = await startTasks(async (job) => {
      seenA.push(job.name);
      return { kind: "done" };
    });
    const b = await startTasks(async (job) => {
      seenB.push(job.name);
      return { kind: "done" };
    });
    await a.queue.enqueueTask({ name: "for.a", payload: {} });
    await b.queue.enqueueTask({ name: "for.b", payload: {} });
    await waitFor("both tasks", () => seenA.length === 1 && seenB.length === 1);
    await sleep(200);
    expect(seenA).toEqual(["for.a"]);
    expect(seenB).toEqual(["for.b"]);
    const keysOfA = await a.redis.keys(`${a.prefix}:*`);
    expect(keysOfA.length).toBeGreaterThan(0);
    expect(keysOfA.some((key) => key.startsWith(b.prefix))).toBe(false);
  });

  it("stops with a ConfigError naming the option when options are wrong", () => {
    const logger = silentLogger();
    expect(() => createBullWorkQueue({ redisUrl: TEST_REDIS_URL, prefix: "has:colon", logger })).toThrow(ConfigError);
    expect(() => createBullWorkQueue({ redisUrl: "http://localhost", logger })).toThrow(/redisUrl/);
    expect(() => createBullWorkQueue({ redisUrl: TEST_REDIS_URL, logger, concurrency: { turn: 0 } })).toThrow(/concurrency\.turn/);
    expect(() => createBullWorkQueue({ logger })).toThrow(ConfigError);
  });
});
