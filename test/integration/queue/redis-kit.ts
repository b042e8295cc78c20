/** Shared helpers of the queue integration suites: a Redis client, key clean-up, polling, child processes. */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { TEST_REDIS_URL } from "../../support/services.js";

export function testRedis(): Redis {
  return new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
}

/** Delete every key under `prefix:` (the adapter's and BullMQ's). */
export async function deleteKeysUnder(redis: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== "0");
}

export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Timings short enough for tests: locks expire in seconds, stalled jobs are found within a second. */
export const QUICK_TUNING = {
  backoff: { baseMs: 50, maxMs: 1_000 },
  turnLock: { ttlMs: 3_000, busyRetryMinMs: 10, busyRetryMaxMs: 200 },
  stalled: { lockDurationMs: 3_000, checkIntervalMs: 1_000, maxStalledCount: 10 },
  drainTimeoutMs: 20_000,
} as const;

const REPOSITORY_ROOT = fileURLToPath(new URL("../../..", import.meta.url));

/** A TypeScript script of this folder in its own Node process (`node --import tsx`); resolves once it printed "ready". */
export async function spawnScript(script: string, env: Record<string, string>): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL(script, import.meta.url))], {
    cwd: REPOSITORY_ROOT,
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not get ready:\n${output}`)), 30_000);
    const onData = () => {
      if (output.includes("ready\n")) {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    // "close" comes after the output streams ended, so a script that prints "ready" and exits still counts.
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      if (output.includes("ready\n")) resolve();
      else reject(new Error(`${script} exited early (${code ?? signal}):\n${output}`));
    });
  });
  return { child, output: () => output };
}

/** Ends a child we spawned: SIGTERM (or the given signal), then wait for it to exit. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill(signal);
  await exited;
}
