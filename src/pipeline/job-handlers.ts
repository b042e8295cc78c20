/**
 * The worker side of the pipeline: turn jobs, send jobs and named tasks, wired to their handlers.
 * Desks and other modules register their own task handlers by name (SLA timers, desk posts).
 */
import { ValidationError } from "../errors.js";
import type { JobHandlers, JobResult, TaskJob } from "../ports/work-queue.js";
import type { SendDispatcher } from "./send-dispatcher.js";
import type { TurnProcessor } from "./process-turn.js";

export interface TaskHandler {
  /** Task names this handler runs. */
  handles(name: string): boolean;
  run(task: TaskJob): Promise<JobResult>;
}

export function createJobHandlers(parts: { turns: TurnProcessor; sends: SendDispatcher; tasks: readonly TaskHandler[] }): JobHandlers {
  return {
    turn: (job) => parts.turns.handle(job),
    send: (job) => parts.sends.send(job),
    sendFailed: (job, error) => parts.sends.failed(job, error),
    task: async (job) => {
      const handler = parts.tasks.find((candidate) => candidate.handles(job.name));
      if (!handler) throw new ValidationError(`no handler for task ${job.name}`);
      return handler.run(job);
    },
  };
}
