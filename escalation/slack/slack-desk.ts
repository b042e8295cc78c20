/**
 * The Slack desk as the core sees it (`Desk`): escalations become posts in the escalation channel (or
 * the category's channel), and everything agents should know afterwards goes in the post's thread. It
 * also shows the SLA timers' alerts. Called from queue tasks, so Slack errors become retries.
 */
import { humanOwned } from "../../src/domain/conversation-state.js";
import type { Conversation, DeliveryError, Message } from "../../src/domain/model.js";
import { DeliveryFailedError } from "../../src/errors.js";
import type { Desk, EscalationRequest } from "../../src/ports/desk.js";
import type { SlaAlerts } from "../sla.js";
import { maskSensitiveText } from "../../src/privacy/mask.js";
import { DESK_POSTED_EVENT, channelLabel, currentPostOf, postedFor, redraw, slackUserOf, threadOf, type DeskContext } from "./desk-context.js";
import { decodeDeskRef, encodeDeskRef, type SlackPostRef } from "./desk-ref.js";
import { LATEST_IN_POST, SUMMARY_CHARS, renderEscalationPost, summaryFrom } from "./post-layout.js";
import { queueCustomerMedia } from "./customer-media.js";
import { SLACK_TASKS, type TranscriptPayload } from "./tasks.js";
import { renderDeliveryProblem, renderMirror, renderNote, renderRealert, renderReminder } from "./thread-layout.js";

/** How long a mirror waits for the escalation post it belongs in (the post task runs alongside). */
const POST_PENDING_RETRY_MS = 3_000;
/** The preview in the post shows this much of a message; longer ones make a transcript worth posting. */
const PREVIEW_CHARS = 600;
/** On escalation, the attachments of the customer's last few messages are uploaded into the thread. */
const MEDIA_MESSAGES_ON_ESCALATION = 5;

export class SlackDesk implements Desk, SlaAlerts {
  readonly name = "slack";

  constructor(private readonly context: DeskContext) {}

  /** The channel for a routing category (configured per category), else the escalation channel. */
  channelFor(category: string | undefined): string {
    const { channelsByCategory, escalationChannel } = this.context.config;
    return (category ? channelsByCategory[category] : undefined) ?? escalationChannel;
  }

  async escalate(request: EscalationRequest): Promise<{ deskRef: string }> {
    const { conversation } = request;
    const escalatedAt = conversation.escalation?.at ?? this.context.now();
    // A retried task whose post went out before it failed: reuse that post, never post twice.
    const ref = (await postedFor(this.context, conversation.id, escalatedAt)) ?? (await this.post(request, escalatedAt));
    const deskRef = encodeDeskRef(ref);
    const messages = request.recentMessages;
    if (messages.length > LATEST_IN_POST || messages.some((message) => message.text.length > PREVIEW_CHARS)) {
      const payload: TranscriptPayload = { conversationId: conversation.id, deskRef, uptoSeq: newestSeq(messages), count: Math.min(messages.length, 100) };
      await this.context.queue.enqueueTask({ name: SLACK_TASKS.transcript, payload: { ...payload } }, { jobId: `slack-transcript-${conversation.id}-${escalatedAt.getTime()}` });
    }
    // The customer's recent attachments follow in the thread (their own task: a slow fetch never delays the post).
    for (const message of messages.filter((item) => item.direction === "inbound").slice(-MEDIA_MESSAGES_ON_ESCALATION)) {
      await queueCustomerMedia(this.context, ref, message);
    }
    await this.context.sla.scheduleUnclaimed({ conversationId: conversation.id, deskRef, escalatedAt, basePriority: request.priority });
    return { deskRef };
  }

  /** Post the escalation and record what the post shows (every later redraw reads it back: post-state.ts). */
  private async post(request: EscalationRequest, escalatedAt: Date): Promise<SlackPostRef> {
    const { conversation } = request;
    const category = request.category ?? conversation.category;
    const summary = maskSensitiveText(request.summary?.trim() || summaryFrom(request.recentMessages)).slice(0, SUMMARY_CHARS);
    const message = renderEscalationPost({
      conversation,
      channelLabel: channelLabel(this.context, conversation.channelId),
      reasonCodes: request.reasonCodes,
      priority: request.priority,
      category,
      summary,
      latest: request.recentMessages,
      status: { kind: "waiting", since: escalatedAt, realerts: 0 },
    });
    const ref = await this.context.api.post(this.channelFor(category), message);
    await this.context.store.recordEvent(conversation.id, {
      type: DESK_POSTED_EVENT,
      reason: "escalation posted to Slack",
      actor: "desk:slack",
      data: {
        desk: "slack",
        deskRef: encodeDeskRef(ref),
        escalationAt: escalatedAt.toISOString(),
        summary,
        reasonCodes: request.reasonCodes.slice(0, 50),
        priority: request.priority,
        ...(category ? { category } : {}),
        uptoSeq: newestSeq(request.recentMessages),
      },
    });
    this.context.logger.info({ conversationId: conversation.id, channel: ref.channel, ts: ref.ts }, "escalation posted to Slack");
    return ref;
  }

  async mirrorCustomerMessage(conversation: Conversation, message: Message): Promise<void> {
    const ref = await currentPostOf(this.context, conversation);
    if (!ref) {
      if (conversation.escalation && humanOwned(conversation.state)) {
        // The escalation post is still on its way (its task runs alongside): try again shortly.
        throw new DeliveryFailedError("slack_post_pending", "the escalation post is not there yet", { permanent: false, retryAfterMs: POST_PENDING_RETRY_MS });
      }
      return;
    }
    for (const part of renderMirror(message)) await this.context.api.post(ref.channel, part, { threadTs: ref.ts });
    await queueCustomerMedia(this.context, ref, message);
    if (conversation.state === "human" && conversation.assignee) {
      await this.context.sla.scheduleNoReply({ conversationId: conversation.id, deskRef: encodeDeskRef(ref), assignee: conversation.assignee, since: message.createdAt });
    }
  }

  async reportDeliveryProblem(conversation: Conversation, message: Message, error: DeliveryError): Promise<void> {
    const ref = await threadOf(this.context, conversation);
    if (!ref) {
      this.context.logger.info({ conversationId: conversation.id, messageId: message.id, code: error.code }, "delivery problem on a conversation never posted to Slack; not shown");
      return;
    }
    const author = message.author === "agent" ? slackUserOf(message.authorRef) : undefined;
    await this.context.api.post(ref.channel, renderDeliveryProblem(message, error, author), { threadTs: ref.ts });
  }

  async note(conversation: Conversation, text: string): Promise<void> {
    const ref = await threadOf(this.context, conversation);
    if (!ref) {
      this.context.logger.info({ conversationId: conversation.id }, "desk note for a conversation never posted to Slack; not shown");
      return;
    }
    for (const part of renderNote(text)) await this.context.api.post(ref.channel, part, { threadTs: ref.ts });
  }

  async realertUnclaimed(input: Parameters<SlaAlerts["realertUnclaimed"]>[0]): Promise<void> {
    const ref = this.refOf(input.deskRef);
    // Redraw first (idempotent), then the alert: a retry after a failed alert never loses the redraw.
    await redraw(this.context, ref, input.conversation.id);
    const mention = this.context.config.mentionGroup ? `<!subteam^${this.context.config.mentionGroup}>` : undefined;
    // Broadcast: the alert shows in the channel (where the group is looking) and stays in the thread.
    await this.context.api.post(ref.channel, renderRealert({ mention, waitedMs: input.waitedMs, priority: input.priority, raised: input.raised }), {
      threadTs: ref.ts,
      broadcast: true,
    });
  }

  async remindClaimer(input: Parameters<SlaAlerts["remindClaimer"]>[0]): Promise<void> {
    const ref = this.refOf(input.deskRef);
    const user = slackUserOf(input.assignee);
    if (!user) return;
    await this.context.api.post(ref.channel, renderReminder({ agentUserId: user, waitingMs: input.waitingMs }), { threadTs: ref.ts });
  }

  private refOf(deskRef: string): SlackPostRef {
    const ref = decodeDeskRef(deskRef);
    if (!ref) throw new DeliveryFailedError("slack_bad_desk_ref", `not a Slack post reference: ${deskRef}`, { permanent: true });
    return ref;
  }
}

function newestSeq(messages: readonly Message[]): number {
  return messages.reduce((newest, message) => Math.max(newest, message.seq), 0);
}
