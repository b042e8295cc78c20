/**
 * How a job's run ends, in BullMQ terms: `queueOutcomeFor` (src/errors.ts) decides retry or give up,
 * a retry waits an exponential, jittered delay (never shorter than a provider's Retry-After), and a
 * `defer` result moves the job to delayed without consuming an attempt.
 */
import { DelayedError, UnrecoverableError, type BackoffStrategy, type Job } from "bullmq";
import { errorMessage, queueOutcomeFor } from "../../src/errors.js";
import type { JobResult } from "../../src/ports/work-queue.js";
import type { QueueTuning } from "./options.js";

/** The job option `backoff.type` that selects `createBackoffStrategy` in our workers. */
export const BACKOFF_TYPE = "switchboard-jittered";

export type Random = () => number;

/** Delay before attempt n+1 after attempt n failed: random in [d/2, d], d = min(max, base * 2^(n-1)). */
export function retryDelayMs(attemptsMade: number, error: unknown, backoff: QueueTuning["backoff"], random: Random): number {
  const exponent = Math.min(Math.max(attemptsMade - 1, 0), 30);
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** exponent);
  const jittered = Math.floor(ceiling / 2 + (random() * ceiling) / 2);
  const outcome = queueOutcomeFor(error);
  const floor = outcome.kind === "retry" && outcome.delayMs !== undefined ? Math.ceil(outcome.delayMs) : 0;
  return Math.max(jittered, floor, 1);
}

export function createBackoffStrategy(backoff: QueueTuning["backoff"], random: Random = Math.random): BackoffStrategy {
  return (attemptsMade, _type, error) => retryDelayMs(attemptsMade, error, backoff, random);
}

/**
 * How long a turn job waits when its conversation is locked: grows with how often this job already
 * had to wait (attemptsStarted counts every pick-up), capped, with jitter so waiters spread out.
 */
export function lockBusyDelayMs(timesStarted: number, lock: QueueTuning["turnLock"], random: Random): number {
  const exponent = Math.min(Math.max(timesStarted - 1, 0), 10);
  const ceiling = Math.min(lock.busyRetryMaxMs, lock.busyRetryMinMs * 2 ** exponent);
  return Math.max(lock.busyRetryMinMs, Math.floor(ceiling / 2 + (random() * ceiling) / 2));
}

/** Why a run ended as delayed: the DelayedError's message, read back when the run's outcome is observed. */
export const DELAY_REASON = { lockBusy: "lock_busy", deferred: "deferred" } as const;

/** Move the running job to delayed without consuming an attempt; the worker then leaves it alone. */
export async function moveToDelayedAndStop(
  job: Job,
  token: string | undefined,
  delayMs: number,
  reason: (typeof DELAY_REASON)[keyof typeof DELAY_REASON],
): Promise<never> {
  await job.moveToDelayed(Date.now() + Math.max(0, Math.round(delayMs)), token);
  throw new DelayedError(reason);
}

/** `done` returns; `defer` ends the run as delayed (no attempt consumed). */
export async function applyJobResult(result: JobResult, job: Job, token: string | undefined): Promise<void> {
  if (result.kind === "defer") await moveToDelayedAndStop(job, token, result.delayMs, DELAY_REASON.deferred);
}

/** The error to throw from a processor: retryable errors as they are (the backoff reads them), others unrecoverable. */
export function jobErrorFor(error: unknown): Error {
  const outcome = queueOutcomeFor(error);
  if (outcome.kind === "give_up") return new UnrecoverableError(outcome.reason);
  return error instanceof Error ? error : new Error(errorMessage(error));
}

/** True when this run is the job's last allowed attempt. */
export function isFinalAttempt(job: Job): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}
