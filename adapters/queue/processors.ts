/**
 * The BullMQ processors of the three queues: they read and check the job data, call the core's
 * handlers and turn the result or error into the job's fate (done, delayed, retried, failed).
 */
import { DelayedError, UnrecoverableError, type Job, type Processor } from "bullmq";
import type { Redis } from "ioredis";
import { errorMessage } from "../../src/errors.js";
import type { Logger } from "../../src/logging/logger.js";
import type { JobHandlers, JobResult, SendJob } from "../../src/ports/work-queue.js";
import type { ConversationLock } from "./conversation-lock.js";
import { readJobData, readJobResult, SendJobSchema, TaskJobSchema, TurnJobSchema } from "./job-data.js";
import type { AdapterKeys } from "./keys.js";
import type { JobOutcomeEvent, QueueName, QueueTuning } from "./options.js";
import {
  applyJobResult,
  DELAY_REASON,
  isFinalAttempt,
  jobErrorFor,
  lockBusyDelayMs,
  moveToDelayedAndStop,
  type Random,
} from "./retry-policy.js";

export interface ProcessorContext {
  handlers: JobHandlers;
  tuning: QueueTuning;
  redis: Redis;
  keys: AdapterKeys;
  lock: ConversationLock;
  logger: Logger;
  random: Random;
  onJobOutcome?: (event: JobOutcomeEvent) => void;
}

type JobRun = (context: ProcessorContext, job: Job, token: string | undefined) => Promise<void>;

const runTurn: JobRun = async (context, job, token) => {
  const turn = readJobData(TurnJobSchema, job.data, "turn");
  const held = await context.lock.tryAcquire(turn.conversationId);
  if (!held) {
    const delayMs = lockBusyDelayMs(job.attemptsStarted, context.tuning.turnLock, context.random);
    return moveToDelayedAndStop(job, token, delayMs, DELAY_REASON.lockBusy);
  }
  let result: JobResult;
  try {
    result = readJobResult(await context.handlers.turn(turn));
  } catch (error) {
    throw jobErrorFor(error);
  } finally {
    await held.release();
  }
  await applyJobResult(result, job, token);
};

const runSend: JobRun = async (context, job, token) => {
  const send = readJobData(SendJobSchema, job.data, "send");
  // A job that was picked up before (deferred, or re-run after a lost job lock) may already have given up.
  if (job.attemptsStarted > 1 && (await context.redis.exists(context.keys.sendFailureReported(job.id ?? ""))) === 1) {
    throw new UnrecoverableError("this send already failed and was reported");
  }
  const attempt = { number: job.attemptsMade + 1, final: isFinalAttempt(job) };
  let result: JobResult;
  try {
    result = readJobResult(await context.handlers.send(send, attempt));
  } catch (error) {
    const jobError = jobErrorFor(error);
    if (jobError instanceof UnrecoverableError || attempt.final) {
      await reportSendFailure(context, job, send, error);
      throw jobError instanceof UnrecoverableError ? jobError : new UnrecoverableError(errorMessage(error));
    }
    throw jobError;
  }
  await applyJobResult(result, job, token);
};

const runTask: JobRun = async (context, job, token) => {
  const task = readJobData(TaskJobSchema, job.data, "task");
  let result: JobResult;
  try {
    result = readJobResult(await context.handlers.task(task));
  } catch (error) {
    throw jobErrorFor(error);
  }
  await applyJobResult(result, job, token);
};

const REPORT_TRIES = 3;

/** `sendFailed` once per job: retried briefly if it throws, then remembered so a re-run does not repeat it. */
async function reportSendFailure(context: ProcessorContext, job: Job, send: SendJob, error: unknown): Promise<void> {
  for (let tryNumber = 1; ; tryNumber += 1) {
    try {
      await context.handlers.sendFailed(send, error);
      break;
    } catch (reportError) {
      if (tryNumber >= REPORT_TRIES) {
        context.logger.error(
          { err: reportError, jobId: job.id, messageId: send.messageId, conversationId: send.conversationId },
          "sendFailed handler kept failing; the send's failure is not recorded",
        );
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 200 * 4 ** (tryNumber - 1)));
    }
  }
  try {
    await context.redis.set(context.keys.sendFailureReported(job.id ?? ""), "1", "PX", context.tuning.retention.failedMs);
  } catch (markError) {
    context.logger.warn({ err: markError, jobId: job.id }, "could not remember that a send failure was reported");
  }
}

const RUNS: Record<QueueName, JobRun> = { turn: runTurn, send: runSend, task: runTask };

/** The processor for one queue, with logging and outcome events around each run. */
export function createProcessor(queue: QueueName, context: ProcessorContext): Processor {
  const run = RUNS[queue];
  return async (job: Job, token?: string) => {
    const startedAt = performance.now();
    const observe = (outcome: JobOutcomeEvent["outcome"]) => {
      context.onJobOutcome?.({ queue, outcome, durationMs: performance.now() - startedAt });
    };
    try {
      await run(context, job, token);
      observe("done");
    } catch (error) {
      observe(outcomeOf(error, job));
      logFailure(context.logger, queue, job, error);
      throw error;
    }
  };
}

function outcomeOf(error: unknown, job: Job): JobOutcomeEvent["outcome"] {
  if (error instanceof DelayedError) return error.message === DELAY_REASON.lockBusy ? "lock_busy" : "deferred";
  if (error instanceof UnrecoverableError || isFinalAttempt(job)) return "failed";
  return "retrying";
}

function logFailure(logger: Logger, queue: QueueName, job: Job, error: unknown): void {
  if (error instanceof DelayedError) return;
  const fields = {
    queue,
    jobId: job.id,
    jobName: job.name,
    attempt: job.attemptsMade + 1,
    conversationId: conversationIdOf(job.data),
    err: error,
  };
  if (error instanceof UnrecoverableError || isFinalAttempt(job)) logger.error(fields, "job failed for good");
  else logger.warn(fields, "job failed; it will be retried");
}

function conversationIdOf(data: unknown): string | undefined {
  if (typeof data !== "object" || data === null) return undefined;
  const value = (data as { conversationId?: unknown }).conversationId;
  return typeof value === "string" ? value : undefined;
}
