/**
 * Turn-job throughput end to end: enqueue N turn jobs over M conversations, time until every job's
 * handler ran (no-op handlers), against raw BullMQ (same job ids, same enqueue pattern, a no-op Worker
 * at the same concurrency) as the baseline, measured in the same run. Median of several runs.
 *
 *   node --import tsx bench/queue.bench.ts [--jobs 5000] [--conversations 5,50,5000] [--runs 5] [--concurrency 16]
 *
 * Needs Redis at REDIS_URL (default redis://127.0.0.1:6379); uses and deletes keys under a fresh prefix.
 */
import { parseArgs } from "node:util";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { createBullQueues, turnJobId } from "../adapters/queue/index.js";
import { silentLogger } from "../src/logging/logger.js";

const { values } = parseArgs({
  options: {
    jobs: { type: "string", default: "5000" },
    conversations: { type: "string", default: "5,50,5000" },
    runs: { type: "string", default: "5" },
    concurrency: { type: "string", default: "16" },
  },
});
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const jobs = Number(values.jobs);
const runs = Number(values.runs);
const concurrency = Number(values.concurrency);
const conversationCounts = values.conversations.split(",").map(Number);
const CHUNK = 1_000;

interface Turn {
  conversationId: string;
  seq: number;
}

/** Round-robin over the conversations, seq rising per conversation: how a busy inbox arrives. */
function workload(conversations: number): Turn[] {
  const seqs = new Array<number>(conversations).fill(0);
  return Array.from({ length: jobs }, (_unused, index) => {
    const slot = index % conversations;
    seqs[slot]! += 1;
    return { conversationId: `bench-conversation-${slot}`, seq: seqs[slot]! };
  });
}

async function inChunks(turns: Turn[], enqueue: (turn: Turn) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < turns.length; start += CHUNK) await Promise.all(turns.slice(start, start + CHUNK).map(enqueue));
}

function untilCount(target: () => number): Promise<void> {
  return new Promise((resolve) => {
    const check = () => (target() >= jobs ? resolve() : setTimeout(check, 2));
    check();
  });
}

async function deleteKeysUnder(redis: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1_000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== "0");
}

async function rawBullmq(turns: Turn[], prefix: string): Promise<number> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue("turn", { connection, prefix, defaultJobOptions: { removeOnComplete: { age: 3_600 } } });
  let handled = 0;
  const worker = new Worker(
    "turn",
    async () => {
      handled += 1;
    },
    { connection, prefix, concurrency },
  );
  await worker.waitUntilReady();
  const startedAt = performance.now();
  await inChunks(turns, (turn) => queue.add("turn", turn, { jobId: turnJobId(turn.conversationId, turn.seq) }));
  await untilCount(() => handled);
  const elapsed = performance.now() - startedAt;
  await worker.close();
  await queue.close();
  await deleteKeysUnder(connection, prefix);
  await connection.quit();
  return elapsed;
}

async function switchboardQueues(turns: Turn[], prefix: string): Promise<{ elapsed: number; lockBusy: number }> {
  const { queue, pool } = createBullQueues({
    redisUrl,
    prefix,
    logger: silentLogger(),
    concurrency: { turn: concurrency, send: 1, task: 1 },
    onJobOutcome: (event) => {
      if (event.outcome === "lock_busy") lockBusy += 1;
    },
  });
  let lockBusy = 0;
  const seen = new Set<string>();
  const unused = async () => ({ kind: "done" as const });
  await pool.start({
    turn: async (job) => {
      seen.add(`${job.conversationId}/${job.seq}`);
      return { kind: "done" };
    },
    send: unused,
    sendFailed: async () => {},
    task: unused,
  });
  const startedAt = performance.now();
  await inChunks(turns, (turn) => queue.enqueueTurn(turn));
  await untilCount(() => seen.size);
  const elapsed = performance.now() - startedAt;
  await pool.close();
  await queue.close();
  const cleaner = new Redis(redisUrl, { maxRetriesPerRequest: null });
  await deleteKeysUnder(cleaner, prefix);
  await cleaner.quit();
  return { elapsed, lockBusy };
}

function median(numbers: number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const results = [];
for (const conversations of conversationCounts) {
  const turns = workload(conversations);
  const baseline: number[] = [];
  const ours: number[] = [];
  const lockBusy: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const tag = `bench_${process.pid}_${Date.now().toString(36)}_${run}`;
    // Alternate which side goes first so warm-up and background load do not favour one of them.
    if (run % 2 === 0) {
      baseline.push(await rawBullmq(turns, `${tag}_raw`));
      const measured = await switchboardQueues(turns, `${tag}_sb`);
      ours.push(measured.elapsed);
      lockBusy.push(measured.lockBusy);
    } else {
      const measured = await switchboardQueues(turns, `${tag}_sb`);
      ours.push(measured.elapsed);
      lockBusy.push(measured.lockBusy);
      baseline.push(await rawBullmq(turns, `${tag}_raw`));
    }
  }
  const row = {
    jobs,
    conversations,
    concurrency,
    runs,
    rawBullmqMedianMs: Math.round(median(baseline)),
    switchboardMedianMs: Math.round(median(ours)),
    rawBullmqJobsPerSecond: Math.round(jobs / (median(baseline) / 1000)),
    switchboardJobsPerSecond: Math.round(jobs / (median(ours) / 1000)),
    /** Our time over raw BullMQ's: 1.0 means no overhead. */
    timeRatio: Number((median(ours) / median(baseline)).toFixed(2)),
    lockBusyRedeliveriesMedian: median(lockBusy),
  };
  results.push(row);
  console.log(JSON.stringify(row));
}
process.exit(0);
