/**
 * The queue tasks of the Slack desk. The receiver only verifies, dedupes and enqueues (Slack wants an
 * answer within three seconds); the work runs here, on any worker, retried by the queue.
 */
import { z } from "zod";
import { ValidationError } from "../../src/errors.js";
import type { TaskJob } from "../../src/ports/work-queue.js";

export const SLACK_TASKS = {
  /** A button on an escalation post was clicked. */
  action: "slack.action",
  /** Someone wrote in a thread of a desk channel. */
  threadReply: "slack.thread_reply",
  /** Post the conversation's transcript in a new escalation's thread. */
  transcript: "slack.transcript",
  /** Upload a customer message's attachments into the escalation's thread. */
  customerMedia: "slack.customer_media",
} as const;

const slackId = z.string().regex(/^[A-Z0-9]{2,40}$/, "not a Slack ID");
const slackTs = z.string().regex(/^\d{1,12}\.\d{1,9}$/, "not a Slack message ts");

export const ActionTaskPayload = z.object({
  actionId: z.string().min(1).max(255),
  value: z.string().max(2_000),
  userId: slackId,
  channel: slackId,
  messageTs: slackTs,
  /** The click's response URL: how we answer someone Slack will not send an ephemeral to. */
  responseUrl: z.string().url().max(2_000).optional(),
});
export type ActionTaskPayload = z.infer<typeof ActionTaskPayload>;

export const SlackFileRef = z.object({
  id: z.string().max(40),
  name: z.string().max(255).optional(),
  mimetype: z.string().max(255).optional(),
  size: z.number().int().nonnegative().optional(),
  urlPrivateDownload: z.string().max(2_000).optional(),
});
export type SlackFileRef = z.infer<typeof SlackFileRef>;

export const ThreadReplyPayload = z.object({
  channel: slackId,
  threadTs: slackTs,
  ts: slackTs,
  userId: slackId,
  text: z.string().max(40_000),
  /** Files the agent attached (Slack's file objects, trimmed to what the desk reads). */
  files: z.array(SlackFileRef).max(20).default([]),
  /** Who wrote the thread's first message (Slack includes it in thread replies). */
  parentUserId: slackId.optional(),
});
export type ThreadReplyPayload = z.infer<typeof ThreadReplyPayload>;

export const TranscriptPayload = z.object({
  conversationId: z.string().uuid(),
  deskRef: z.string().min(1).max(200),
  uptoSeq: z.number().int().min(0),
  count: z.number().int().min(1).max(100),
  /** The first part still to post, and how often the task was handed back (rate limits). */
  fromPart: z.number().int().min(0).max(1_000).default(0),
  continuation: z.number().int().min(0).max(100).default(0),
});
export type TranscriptPayload = z.input<typeof TranscriptPayload>;

export const CustomerMediaPayload = z.object({
  conversationId: z.string().uuid(),
  messageId: z.string().uuid(),
  deskRef: z.string().min(1).max(200),
});
export type CustomerMediaPayload = z.infer<typeof CustomerMediaPayload>;

export function parseTask<T extends z.ZodType>(schema: T, task: TaskJob): z.infer<T> {
  const parsed = schema.safeParse(task.payload);
  if (!parsed.success) throw new ValidationError(`task ${task.name} has a malformed payload: ${parsed.error.message}`);
  return parsed.data;
}
