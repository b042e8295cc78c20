/**
 * A worker process for the ordering and restart suites: a WorkerPool running the recording turn
 * handler. Configured by environment; prints "ready" once consuming; drains and exits on SIGTERM or
 * when its parent closes stdin (so a crashed test leaves no orphan).
 */
import { Redis } from "ioredis";
import { createBullWorkerPool } from "../../../adapters/queue/index.js";
import { silentLogger } from "../../../src/logging/logger.js";
import { recordingTurnHandler, turnOnlyHandlers } from "./turn-recorder.js";

const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = process.env.QUEUE_PREFIX ?? "";
const worker = process.env.WORKER_TAG ?? `child-${process.pid}`;
const itemDelayMs = process.env.ITEM_DELAY_MS ? Number(process.env.ITEM_DELAY_MS) : undefined;
const tuning = JSON.parse(process.env.QUEUE_TUNING ?? "{}") as Record<string, unknown>;

const recorder = new Redis(redisUrl, { maxRetriesPerRequest: null });
const pool = createBullWorkerPool({ redisUrl, prefix, logger: silentLogger(), workerName: worker, ...tuning });
await pool.start(turnOnlyHandlers(recordingTurnHandler(recorder, prefix, { worker, ...(itemDelayMs === undefined ? {} : { itemDelayMs }) })));
process.stdout.write("ready\n");

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await pool.close();
  await recorder.quit();
  process.exit(0);
}
process.on("SIGTERM", () => void stop());
process.stdin.on("end", () => void stop());
process.stdin.resume();
