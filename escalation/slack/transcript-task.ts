/**
 * The transcript of a new escalation, posted in its thread when the post's preview does not show it all:
 * the messages up to the escalation, split across as many thread messages as Slack's limits need.
 * Parts go out in order; when Slack (or our channel rate limit) says "later" at part n, the task hands
 * itself back to the queue starting at part n, so nothing is posted twice and nothing is skipped.
 */
import { DeliveryFailedError } from "../../src/errors.js";
import type { JobResult, TaskJob } from "../../src/ports/work-queue.js";
import type { TaskHandler } from "../../src/pipeline/job-handlers.js";
import type { DeskContext } from "./desk-context.js";
import { decodeDeskRef } from "./desk-ref.js";
import { SLACK_TASKS, TranscriptPayload, parseTask } from "./tasks.js";
import { renderTranscript } from "./thread-layout.js";

const MAX_CONTINUATIONS = 10;
const DEFAULT_RETRY_MS = 5_000;

export class SlackTranscriptTask implements TaskHandler {
  constructor(private readonly context: DeskContext) {}

  handles(name: string): boolean {
    return name === SLACK_TASKS.transcript;
  }

  async run(task: TaskJob): Promise<JobResult> {
    const payload = parseTask(TranscriptPayload, task);
    const ref = decodeDeskRef(payload.deskRef);
    if (!ref) return { kind: "done" };
    const recent = await this.context.store.listMessages(payload.conversationId, { limit: payload.count + 50, newest: true });
    const messages = recent.filter((message) => message.seq <= payload.uptoSeq).slice(-payload.count);
    if (messages.length === 0) return { kind: "done" };
    const parts = renderTranscript(messages);
    for (let index = payload.fromPart; index < parts.length; index += 1) {
      try {
        await this.context.api.post(ref.channel, parts[index]!, { threadTs: ref.ts });
      } catch (error) {
        if (!(error instanceof DeliveryFailedError) || error.permanent || payload.continuation >= MAX_CONTINUATIONS) throw error;
        const next = { ...payload, fromPart: index, continuation: payload.continuation + 1 };
        await this.context.queue.enqueueTask(
          { name: SLACK_TASKS.transcript, payload: next },
          { delayMs: error.retryAfterMs ?? DEFAULT_RETRY_MS, jobId: `slack-transcript-${payload.conversationId}-${payload.uptoSeq}-${next.continuation}` },
        );
        return { kind: "done" };
      }
    }
    return { kind: "done" };
  }
}
