/**
 * Send jobs: retries with backoff on transient errors, a provider's Retry-After honoured, permanent
 * errors and exhausted attempts reported once through `sendFailed`, `defer` without consuming an
 * attempt, and idempotent enqueue by message id (also after the job completed).
 */
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { createBullQueues, type BullWorkQueue } from "../../../adapters/queue/index.js";
import { DeliveryFailedError, ValidationError } from "../../../src/errors.js";
import { silentLogger } from "../../../src/logging/logger.js";
import type { JobResult, SendJob } from "../../../src/ports/work-queue.js";
import { TEST_REDIS_URL, uniqueName } from "../../support/services.js";
import { deleteKeysUnder, QUICK_TUNING, sleep, testRedis, waitFor } from "./redis-kit.js";

interface SendCall {
  messageId: string;
  number: number;
  final: boolean;
  at: number;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const transient = (retryAfterMs?: number) =>
  new DeliveryFailedError("20429", "provider busy", { permanent: false, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });

/** A pool whose send handler follows `behaviour(call index for this message)`; calls and failures are recorded. */
async function startSending(behaviour: (job: SendJob, callIndex: number) => JobResult, failReports = 0) {
  const prefix = uniqueName("sbq");
  const redis = testRedis();
  const { queue, pool } = createBullQueues({
    redisUrl: TEST_REDIS_URL,
    prefix,
    logger: silentLogger(),
    ...QUICK_TUNING,
    concurrency: { turn: 1, send: 2, task: 1 },
  });
  cleanups.push(async () => {
    await pool.close();
    await queue.close();
    await deleteKeysUnder(redis, prefix);
    await redis.quit();
  });
  const calls: SendCall[] = [];
  const failures: Array<{ messageId: string; error: unknown }> = [];
  let reportAttempts = 0;
  const unused = async (): Promise<JobResult> => {
    throw new Error("not used in this suite");
  };
  await pool.start({
    turn: unused,
    task: unused,
    send: async (job, attempt) => {
      const callIndex = calls.filter((call) => call.messageId === job.messageId).length;
      calls.push({ messageId: job.messageId, ...attempt, at: Date.now() });
      return behaviour(job, callIndex);
    },
    sendFailed: async (job, error) => {
      if (reportAttempts++ < failReports) throw new Error("store unavailable");
      failures.push({ messageId: job.messageId, error });
    },
  });
  return { queue, calls, failures };
}

function sendJob(): SendJob {
  return { messageId: randomUUID(), conversationId: randomUUID(), channelId: "webchat" };
}

async function stateOf(queue: BullWorkQueue, messageId: string): Promise<string | undefined> {
  return (await queue.bullQueue("send").getJob(`send-${messageId}`))?.getState();
}

describe("send jobs", () => {
  it("retries transient errors with growing delays, then succeeds", async () => {
    const { queue, calls, failures } = await startSending((_job, index) => {
      if (index < 3) throw transient();
      return { kind: "done" };
    });
    const job = sendJob();
    await queue.enqueueSend(job);
    await waitFor("the fourth attempt", () => calls.length === 4);
    await waitFor("completion", async () => (await stateOf(queue, job.messageId)) === "completed");
    expect(calls.map((call) => call.number)).toEqual([1, 2, 3, 4]);
    expect(calls.every((call) => !call.final)).toBe(true);
    // Backoff base 50 ms with jitter in [d/2, d]: at least 25, 50, 100 ms between attempts.
    const gaps = calls.slice(1).map((call, index) => call.at - calls[index]!.at);
    expect(gaps[0]).toBeGreaterThanOrEqual(20);
    expect(gaps[1]).toBeGreaterThanOrEqual(45);
    expect(gaps[2]).toBeGreaterThanOrEqual(95);
    expect(failures).toEqual([]);
  });

  it("waits at least a provider's Retry-After before the next attempt", async () => {
    const { queue, calls } = await startSending((_job, index) => {
      if (index === 0) throw transient(700);
      return { kind: "done" };
    });
    await queue.enqueueSend(sendJob());
    await waitFor("the retry", () => calls.length === 2);
    // Without Retry-After the retry would come after 25-50 ms (backoff base 50 ms).
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(690);
  });

  it("gives up at once on a permanent error and reports it exactly once", async () => {
    const permanent = new DeliveryFailedError("21610", "recipient unsubscribed", { permanent: true });
    const { queue, calls, failures } = await startSending(() => {
      throw permanent;
    });
    const job = sendJob();
    await queue.enqueueSend(job);
    await waitFor("the failure report", () => failures.length === 1);
    await waitFor("the failed state", async () => (await stateOf(queue, job.messageId)) === "failed");
    await sleep(400);
    expect(calls).toHaveLength(1);
    expect(failures).toEqual([{ messageId: job.messageId, error: permanent }]);
    const failed = await queue.bullQueue("send").getJob(`send-${job.messageId}`);
    expect(failed?.failedReason).toContain("recipient unsubscribed");
    expect((await queue.depth()).send.failed).toBe(1);
  });

  it("reports a send once when its attempts run out, telling the handler which attempt is final", async () => {
    const { queue, calls, failures } = await startSending(() => {
      throw transient();
    });
    const job = sendJob();
    await queue.enqueueSend(job, { attempts: 3 });
    await waitFor("the failure report", () => failures.length === 1);
    await sleep(400);
    expect(calls.map((call) => [call.number, call.final])).toEqual([
      [1, false],
      [2, false],
      [3, true],
    ]);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.error).toBeInstanceOf(DeliveryFailedError);
    expect(await stateOf(queue, job.messageId)).toBe("failed");
  });

  it("tries sendFailed again when recording the failure throws, and still reports once", async () => {
    const { queue, calls, failures } = await startSending(() => {
      throw new DeliveryFailedError("21211", "invalid number", { permanent: true });
    }, 1);
    const job = sendJob();
    await queue.enqueueSend(job);
    await waitFor("the failure report", () => failures.length === 1);
    await waitFor("the failed state", async () => (await stateOf(queue, job.messageId)) === "failed");
    await sleep(300);
    expect(calls).toHaveLength(1);
    expect(failures).toHaveLength(1);
  });

  it("defer moves the job to later without consuming an attempt", async () => {
    const { queue, calls, failures } = await startSending((_job, index) => {
      if (index < 3) return { kind: "defer", delayMs: 60, reason: "conversation order" };
      if (index === 3) throw transient();
      return { kind: "done" };
    });
    const job = sendJob();
    await queue.enqueueSend(job, { attempts: 2 });
    await waitFor("completion", async () => (await stateOf(queue, job.messageId)) === "completed");
    // Three defers left the first attempt unused; the transient error then used it; the second succeeded.
    expect(calls.map((call) => [call.number, call.final])).toEqual([
      [1, false],
      [1, false],
      [1, false],
      [1, false],
      [2, true],
    ]);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(55);
    expect(failures).toEqual([]);
  });

  it("ignores a second enqueue of the same message, also after the first one was sent", async () => {
    const { queue, calls } = await startSending(() => ({ kind: "done" }));
    const job = sendJob();
    await Promise.all([queue.enqueueSend(job), queue.enqueueSend(job), queue.enqueueSend({ ...job })]);
    await waitFor("the send", async () => (await stateOf(queue, job.messageId)) === "completed");
    await queue.enqueueSend(job);
    await sleep(400);
    expect(calls).toHaveLength(1);
  });

  it("refuses malformed send jobs with a ValidationError and never stores them", async () => {
    const { queue } = await startSending(() => ({ kind: "done" }));
    await expect(queue.enqueueSend({ messageId: "", conversationId: "c", channelId: "x" })).rejects.toBeInstanceOf(ValidationError);
    await expect(queue.enqueueSend({ ...sendJob(), channelId: "x".repeat(500) })).rejects.toBeInstanceOf(ValidationError);
    await expect(queue.enqueueSend(sendJob(), { attempts: 0 })).rejects.toBeInstanceOf(ValidationError);
    expect((await queue.depth()).send).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0 });
  });
});
