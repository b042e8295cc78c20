/**
 * A customer's attachments, shown in the escalation's thread: each one is fetched through the
 * conversation's own channel adapter (never from a URL the adapter does not vouch for), checked against
 * the media policy, and uploaded into the thread in one go. What cannot be shown is listed with the
 * reason in the upload's comment (or a note when nothing could be uploaded). The message's text went
 * to the thread on its own before this task ran, so a failure here never holds it back.
 */
import type { Attachment, Message } from "../../src/domain/model.js";
import { DeliveryFailedError, NotImplementedError, PayloadTooLargeError, errorMessage } from "../../src/errors.js";
import { MAX_MEDIA_BYTES, bareContentType, formatBytes, mediaRefusal, safeFileName } from "../../src/media/policy.js";
import type { JobResult, TaskJob } from "../../src/ports/work-queue.js";
import type { TaskHandler } from "../../src/pipeline/job-handlers.js";
import type { CustomerMediaSource } from "../../src/ports/media.js";
import { maskSensitiveText } from "../../src/privacy/mask.js";
import type { DeskContext } from "./desk-context.js";
import { decodeDeskRef, type SlackPostRef } from "./desk-ref.js";
import { slackTime } from "./message-lines.js";
import { escapeForSlack, truncate } from "./slack-text.js";
import { CustomerMediaPayload, SLACK_TASKS, parseTask } from "./tasks.js";
import { renderNote } from "./thread-layout.js";

/** Slack's upload flow takes up to ten files per message. */
const MAX_FILES = 10;

interface Prepared {
  uploads: Array<{ bytes: Buffer; name: string; title: string }>;
  refused: string[];
}

/** Enqueue the upload of `message`'s attachments into the thread at `ref` (once per message and thread). */
export async function queueCustomerMedia(context: Pick<DeskContext, "queue" | "media">, ref: SlackPostRef, message: Message): Promise<void> {
  if (!context.media || message.direction !== "inbound" || message.attachments.length === 0) return;
  const payload: CustomerMediaPayload = { conversationId: message.conversationId, messageId: message.id, deskRef: `${ref.channel}/${ref.ts}` };
  const jobId = `slack-media-${ref.channel}-${ref.ts.replace(".", "-")}-${message.id}`;
  await context.queue.enqueueTask({ name: SLACK_TASKS.customerMedia, payload: { ...payload } }, { jobId });
}

export class SlackCustomerMedia implements TaskHandler {
  constructor(private readonly context: DeskContext) {}

  handles(name: string): boolean {
    return name === SLACK_TASKS.customerMedia;
  }

  async run(task: TaskJob): Promise<JobResult> {
    const payload = parseTask(CustomerMediaPayload, task);
    const ref = decodeDeskRef(payload.deskRef);
    const source = this.context.media?.source;
    const message = await this.context.store.getMessage(payload.messageId);
    const conversation = await this.context.store.getConversation(payload.conversationId);
    if (!ref || !source || !message || !conversation || message.conversationId !== conversation.id) return { kind: "done" };
    const prepared = await prepare(source, conversation.channelId, message);
    const heading = `:paperclip: From the customer's message of ${slackTime(message.createdAt)}`;
    const refusedLines = prepared.refused.map((line) => `• ${line}`).join("\n");
    if (prepared.uploads.length > 0) {
      const comment = prepared.refused.length > 0 ? `${heading}\nNot shown here:\n${refusedLines}` : heading;
      try {
        await this.context.api.uploadToThread(ref.channel, ref.ts, prepared.uploads, comment);
        return { kind: "done" };
      } catch (error) {
        if (!(error instanceof DeliveryFailedError) || !error.permanent) throw error;
        this.context.logger.warn({ err: error, conversationId: conversation.id, messageId: message.id }, "customer attachments could not be uploaded to Slack");
        const reason = `Slack refused the upload (${error.providerCode ?? error.code})`;
        prepared.refused.unshift(...prepared.uploads.map((upload) => `${escapeForSlack(upload.name)}: ${reason}`));
      }
    }
    const lines = prepared.refused.map((line) => `• ${line}`).join("\n");
    for (const part of renderNote(`Customer attachments not shown here:\n${lines}`)) await this.context.api.post(ref.channel, part, { threadTs: ref.ts });
    return { kind: "done" };
  }
}

async function prepare(source: CustomerMediaSource, channelId: string, message: Message): Promise<Prepared> {
  const prepared: Prepared = { uploads: [], refused: [] };
  for (const [index, attachment] of message.attachments.entries()) {
    const label = `${escapeForSlack(attachment.name ? truncate(maskSensitiveText(attachment.name), 80) : `attachment ${index + 1}`)} (${escapeForSlack(bareContentType(attachment.contentType))})`;
    if (index >= MAX_FILES) {
      prepared.refused.push(`${label}: more than ${MAX_FILES} attachments in one message`);
      continue;
    }
    const outcome = await fetchOne(source, channelId, attachment);
    if (outcome.kind === "refused") prepared.refused.push(`${label}: ${outcome.reason}`);
    else prepared.uploads.push({ bytes: outcome.bytes, name: safeFileName(attachment.name, outcome.contentType, `customer-${index + 1}`), title: `Customer attachment ${index + 1}` });
  }
  return prepared;
}

type FetchOutcome = { kind: "ok"; bytes: Buffer; contentType: string } | { kind: "refused"; reason: string };

async function fetchOne(source: CustomerMediaSource, channelId: string, attachment: Attachment): Promise<FetchOutcome> {
  const declared = mediaRefusal(attachment.contentType, attachment.sizeBytes);
  if (declared) return { kind: "refused", reason: declared };
  let file;
  try {
    file = await source.fetch(channelId, attachment);
  } catch (error) {
    if (error instanceof NotImplementedError) return { kind: "refused", reason: "this channel offers no way to fetch it" };
    if (error instanceof PayloadTooLargeError) return { kind: "refused", reason: `over the ${formatBytes(MAX_MEDIA_BYTES)} limit` };
    return { kind: "refused", reason: `could not be fetched (${escapeForSlack(truncate(errorMessage(error), 200))})` };
  }
  const actual = mediaRefusal(file.contentType, file.bytes.length);
  if (actual) return { kind: "refused", reason: escapeForSlack(actual) };
  return { kind: "ok", bytes: file.bytes, contentType: file.contentType };
}
