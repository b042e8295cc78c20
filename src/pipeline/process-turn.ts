/**
 * The turn worker: for one conversation, every inbound message after the processing cursor, in `seq`
 * order: channel rules -> survey answers -> (AI owner) brain -> commit -> queue sends and desk work;
 * (human owner) mirror to the desk and stay silent. The queue guarantees one worker per conversation;
 * the store's `commitTurn` guarantees each message is processed exactly once.
 */
import { detectLanguage } from "../kb/language.js";
import { humanOwned } from "../domain/conversation-state.js";
import type { Conversation, Decision, Message } from "../domain/model.js";
import type { Logger } from "../logging/logger.js";
import type { SwitchboardMetrics } from "../observability/metrics.js";
import type { Brain, TurnDecision } from "../ports/agent-engine.js";
import type { ChannelAdapter } from "../ports/channel-adapter.js";
import type { ConversationStore, NewOutboundMessage, TurnCommit } from "../ports/conversation-store.js";
import type { HumanAvailability } from "../ports/desk.js";
import type { JobResult, TurnJob, WorkQueue } from "../ports/work-queue.js";
import type { ConversationEvents } from "./conversation-events.js";
import { csatPending, parseCsatAnswer, withoutCsatRequest } from "./csat.js";
import { handoffNotices, NOTICES } from "./customer-notices.js";
import { DESK_TASKS } from "./desk-tasks.js";
import { WHILE_WAITING } from "./message-meta.js";

export interface TurnProcessorDependencies {
  store: ConversationStore;
  queue: WorkQueue;
  brain: Brain;
  channels: ReadonlyMap<string, ChannelAdapter>;
  events: ConversationEvents;
  availability: HumanAvailability;
  metrics: SwitchboardMetrics;
  logger: Logger;
  now: () => Date;
  /** How many earlier messages the brain sees. */
  historyWindow?: number;
}

/** How far back held messages are looked for (a held reply is recent by nature). */
const HELD_SCAN = 50;

const systemReply = (conversationId: string, text: string): NewOutboundMessage => ({ conversationId, author: "system", text });

export class TurnProcessor {
  constructor(private readonly deps: TurnProcessorDependencies) {}

  async handle(job: TurnJob): Promise<JobResult> {
    // Process until nothing is pending: messages that arrived while we worked are ours too (we hold the lock).
    for (let round = 0; round < 1_000; round += 1) {
      const pending = await this.deps.store.listPendingInbound(job.conversationId);
      if (pending.length === 0) return { kind: "done" };
      for (const message of pending) await this.processMessage(job.conversationId, message);
    }
    return { kind: "done" };
  }

  private async processMessage(conversationId: string, message: Message): Promise<void> {
    const conversation = await this.deps.store.getConversation(conversationId);
    if (!conversation) return;
    const log = this.deps.logger.child({ conversationId, messageId: message.id, seq: message.seq });
    const channel = this.deps.channels.get(conversation.channelId);
    if (!channel) {
      log.error({ channelId: conversation.channelId }, "message from a channel that is no longer configured");
      await this.commit({ conversationId, inboundSeq: message.seq, decision: humanDecision(["unknown_channel"]), replies: [] }, conversation);
      return;
    }

    await this.releaseHeld(conversation, message);
    const directive = channel.preRoute ? await channel.preRoute(message, conversation) : { kind: "route" as const };
    if (directive.kind === "handled") {
      const replies = (directive.replies ?? []).map((text) => systemReply(conversationId, text));
      const decision: Decision = { route: humanOwned(conversation.state) ? "human" : "ai", reasonCodes: [`channel_rule:${directive.reason}`], guardrails: [] };
      await this.commit({ conversationId, inboundSeq: message.seq, decision, replies }, conversation);
      if (directive.deskNote) await this.deskTask(DESK_TASKS.note, { conversationId, text: directive.deskNote });
      return;
    }

    const now = this.deps.now();
    const score = csatPending(conversation, now) ? parseCsatAnswer(message) : undefined;
    if (score !== undefined) {
      await this.commit(
        {
          conversationId,
          inboundSeq: message.seq,
          decision: { route: "ai", reasonCodes: ["csat_answer"], guardrails: [] },
          replies: [systemReply(conversationId, NOTICES.csatThanks)],
          patch: { csat: score, context: withoutCsatRequest(conversation.context) },
          ...(conversation.state === "ai"
            ? { transition: { to: "resolved", by: "system", actor: "csat", reason: "the customer answered the satisfaction survey" } }
            : {}),
        },
        conversation,
      );
      await this.deskTask(DESK_TASKS.note, { conversationId, text: `Customer satisfaction: ${score}/5` });
      return;
    }

    if (conversation.state !== "ai") {
      const askedAgain = message.meta.intent === "human" && conversation.state === "awaiting_human";
      const assisting = !askedAgain && conversation.state === "awaiting_human" && this.deps.availability.aiAssistsWhileWaiting?.(now) === true;
      if (assisting) {
        await this.assistWhileWaiting(conversation, message, channel, now);
      } else {
        const replies = askedAgain ? [systemReply(conversationId, NOTICES.alreadyWaiting)] : [];
        await this.commit({ conversationId, inboundSeq: message.seq, decision: humanDecision(["human_owned"]), replies }, conversation);
      }
      await this.deskTask(DESK_TASKS.mirror, { conversationId, messageId: message.id });
      return;
    }

    await this.answerWithBrain(conversation, message, channel, now);
  }

  /**
   * A message a channel held back (outside WhatsApp's 24-hour window) may go out once the customer writes
   * again: every held message before this one is queued again, in order, and the channel decides afresh.
   * The job id names the releasing message, since the first send job's id stays taken for a day.
   */
  private async releaseHeld(conversation: Conversation, message: Message): Promise<void> {
    const recent = await this.deps.store.listMessages(conversation.id, { limit: HELD_SCAN, newest: true });
    for (const held of recent.filter((candidate) => candidate.status === "held" && candidate.seq < message.seq)) {
      if (!(await this.deps.store.updateMessageStatus(held.id, "queued", { meta: { releasedBy: message.id } }))) continue;
      await this.deps.queue.enqueueSend(
        { messageId: held.id, conversationId: conversation.id, channelId: conversation.channelId },
        { jobId: `${held.id}-after-${message.seq}` },
      );
    }
  }

  /**
   * Outside business hours an escalation can wait for hours: the AI keeps answering what it may (the
   * same rules and guardrails), and stays silent on anything that needs the person who is coming.
   */
  private async assistWhileWaiting(conversation: Conversation, message: Message, channel: ChannelAdapter, now: Date): Promise<void> {
    const outcome = await this.decide(conversation, message, channel, now);
    const answer = outcome.decision.route === "ai" && outcome.reply !== undefined;
    await this.commit(
      {
        conversationId: conversation.id,
        inboundSeq: message.seq,
        decision: answer ? outcome.decision : { ...outcome.decision, route: "human", reasonCodes: ["human_owned", ...outcome.decision.reasonCodes] },
        replies: answer ? [{ conversationId: conversation.id, author: "ai", text: outcome.reply!, meta: { [WHILE_WAITING]: true } }] : [],
        requireState: "awaiting_human",
        ...(answer && outcome.contextPatch ? { patch: { context: outcome.contextPatch } } : {}),
      },
      conversation,
    );
  }

  /** One brain decision for this message, with the typing indicator on while it thinks. */
  private async decide(conversation: Conversation, message: Message, channel: ChannelAdapter, now: Date): Promise<TurnDecision> {
    await this.deps.events.typing(conversation.id, true);
    try {
      const window = this.deps.historyWindow ?? 20;
      const recent = await this.deps.store.listMessages(conversation.id, { limit: window + 1, newest: true });
      const history = recent.filter((earlier) => earlier.seq < message.seq).slice(-window);
      const outcome = await this.deps.brain.decide({ conversation, message, history, channelKind: channel.kind, now });
      const { decision } = outcome;
      this.deps.metrics.decisionLatency.observe({ engine: decision.engine ?? "unknown", route: decision.route }, (decision.latencyMs ?? 0) / 1000);
      return outcome;
    } finally {
      await this.deps.events.typing(conversation.id, false);
    }
  }

  private async answerWithBrain(conversation: Conversation, message: Message, channel: ChannelAdapter, now: Date): Promise<void> {
    const conversationId = conversation.id;
    const outcome = await this.decide(conversation, message, channel, now);
    const { decision } = outcome;
    const patch = {
      ...(outcome.contextPatch ? { context: outcome.contextPatch } : {}),
      ...(outcome.verifiedCustomerId ? { customerId: outcome.verifiedCustomerId } : {}),
      ...(decision.category ? { category: decision.category } : {}),
    };

    if (decision.route === "ai") {
      const replies: NewOutboundMessage[] = outcome.reply ? [{ conversationId, author: "ai", text: outcome.reply }] : [];
      const result = await this.commit({ conversationId, inboundSeq: message.seq, decision, replies, patch, requireState: "ai" }, conversation);
      if (result?.superseded) await this.deskTask(DESK_TASKS.mirror, { conversationId, messageId: message.id });
      return;
    }

    const priority = decision.priority ?? "normal";
    // What happens (the brain's note, or a plain lead), then when (business hours, expected wait).
    // In the customer's language: a Spanish customer reads neither an English note (a routing rule's) nor
    // an English promise; such a note gives way to the plain lead in their language.
    const language = detectLanguage(message.text);
    const notice = this.deps.availability.handoffNotice({ conversation, priority, now, language });
    const notes = handoffNotices(language);
    const noteReadable = outcome.reply !== undefined && (notes === NOTICES || detectLanguage(outcome.reply) === language);
    const text = `${noteReadable ? outcome.reply : notes.handoffLead} ${notice}`;
    const customerAsked = decision.reasonCodes.includes("human_requested") || message.meta.intent === "human";
    const result = await this.commit(
      {
        conversationId,
        inboundSeq: message.seq,
        decision,
        replies: [systemReply(conversationId, text)],
        patch,
        requireState: "ai",
        transition: {
          to: "awaiting_human",
          by: customerAsked ? "customer" : "ai",
          actor: customerAsked ? "customer" : "brain",
          reason: decision.reasonCodes.join(", ") || "escalated",
          escalation: { reason: decision.reasonCodes.join(", ") || "escalated", reasonCodes: decision.reasonCodes, priority, at: now },
        },
      },
      conversation,
    );
    if (!result) return;
    if (result.superseded) {
      await this.deskTask(DESK_TASKS.mirror, { conversationId, messageId: message.id });
      return;
    }
    this.deps.metrics.escalations.inc({ reason: decision.reasonCodes[0] ?? "escalated" });
    await this.deskTask(DESK_TASKS.escalate, {
      conversationId,
      reasonCodes: decision.reasonCodes,
      priority,
      ...(decision.category ? { category: decision.category } : {}),
      ...(outcome.summary ? { summary: outcome.summary } : {}),
    });
  }

  /** Commit, then publish a state change and queue the replies. Null when another worker got there first. */
  private async commit(turn: TurnCommit, before: Conversation) {
    const result = await this.deps.store.commitTurn(turn);
    if (!result) return null;
    if (result.conversation.state !== before.state) await this.deps.events.state(result.conversation);
    for (const reply of result.replies) {
      await this.deps.queue.enqueueSend({ messageId: reply.id, conversationId: reply.conversationId, channelId: result.conversation.channelId });
    }
    return result;
  }

  private async deskTask(name: string, payload: Record<string, unknown>): Promise<void> {
    await this.deps.queue.enqueueTask({ name, payload });
  }
}

function humanDecision(reasonCodes: string[]): Decision {
  return { route: "human", reasonCodes, guardrails: [] };
}
