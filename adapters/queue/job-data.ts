/**
 * The shapes that cross Redis: job payloads (checked when enqueued and again when a worker reads them,
 * since anything may have written the key) and what handlers return.
 */
import { UnrecoverableError } from "bullmq";
import { z } from "zod";
import { ValidationError } from "../../src/errors.js";
import type { EnqueueOptions, JobResult, SendJob, TaskJob, TurnJob } from "../../src/ports/work-queue.js";

const id = z.string().min(1).max(200);
/** A task payload larger than this is a bug (tasks carry references, not documents). */
export const MAX_TASK_PAYLOAD_BYTES = 64 * 1024;

export const TurnJobSchema = z.object({ conversationId: id, seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) });
export const SendJobSchema = z.object({ messageId: id, conversationId: id, channelId: id });
export const TaskJobSchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, "must be 1-100 characters of letters, digits, '_', '.' or '-'"),
  payload: z.record(z.string(), z.unknown()),
});

export const EnqueueOptionsSchema = z.object({
  delayMs: z.number().int().min(0).max(365 * 24 * 3_600_000).optional(),
  jobId: z.string().min(1).max(300).optional(),
  attempts: z.number().int().min(1).max(100).optional(),
});

const MAX_DEFER_MS = 7 * 24 * 3_600_000;
export const JobResultSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("done") }),
  z.object({ kind: z.literal("defer"), delayMs: z.number().min(0).max(MAX_DEFER_MS), reason: z.string() }),
]);

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join(".") || "(value)"}: ${issue.message}`).join("; ");
}

/** At enqueue time: the caller passed something malformed. */
export function validateForEnqueue<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ValidationError(`invalid ${what}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** JSON text of a value, or a ValidationError (BigInt, cycles) instead of a TypeError from deep inside. */
export function toJsonText(value: unknown, what: string): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    throw new ValidationError(`${what} is not JSON-serializable: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export function validateTaskPayloadSize(job: TaskJob): void {
  const bytes = Buffer.byteLength(toJsonText(job.payload, `task ${job.name} payload`), "utf8");
  if (bytes > MAX_TASK_PAYLOAD_BYTES) {
    throw new ValidationError(`task ${job.name} payload is ${bytes} bytes; the limit is ${MAX_TASK_PAYLOAD_BYTES}`);
  }
}

/** In a worker: a job whose data is malformed can never succeed, so it fails without retries. */
export function readJobData<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new UnrecoverableError(`malformed ${what} job data: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

export function readJobResult(value: unknown): JobResult {
  const parsed = JobResultSchema.safeParse(value);
  if (!parsed.success) throw new TypeError(`a job handler returned ${JSON.stringify(value) ?? "undefined"}, not a JobResult`);
  return parsed.data;
}

export type { EnqueueOptions, SendJob, TaskJob, TurnJob };
