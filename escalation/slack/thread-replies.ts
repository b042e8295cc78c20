/**
 * Agents' messages in an escalation thread. The claimer's replies go to the customer (through the core,
 * which queues them on the conversation's own channel, signed with the agent's first name); a reply to an
 * unclaimed escalation claims it (a message from a person makes them the owner); `note:` messages and
 * everyone else's messages stay internal, and the author is told so privately.
 */
import type { Attachment, ChannelKind } from "../../src/domain/model.js";
import { ConflictError, InvalidTransitionError } from "../../src/errors.js";
import type { JobResult, TaskJob } from "../../src/ports/work-queue.js";
import type { TaskHandler } from "../../src/pipeline/job-handlers.js";
import { HINTS } from "./agent-hints.js";
import { prepareAgentFiles } from "./agent-files.js";
import { agentFor, mentionOf, redraw, type DeskContext } from "./desk-context.js";
import { encodeDeskRef } from "./desk-ref.js";
import { slackTextToPlain } from "./slack-text.js";
import { SLACK_TASKS, ThreadReplyPayload, parseTask } from "./tasks.js";

interface Outgoing {
  text: string;
  attachments: Attachment[];
  refused: string[];
}

/** `note:` (any case, leading spaces allowed) keeps a message internal. */
export const NOTE_PREFIX = /^\s*note\s*:/i;
const REPLY_MEMORY_MS = 7 * 24 * 3_600_000;

export class SlackThreadReplies implements TaskHandler {
  constructor(private readonly context: DeskContext) {}

  handles(name: string): boolean {
    return name === SLACK_TASKS.threadReply;
  }

  async run(task: TaskJob): Promise<JobResult> {
    const reply = parseTask(ThreadReplyPayload, task);
    const { api, store, logger } = this.context;
    const tell = (text: string) => api.ephemeral(reply.channel, reply.userId, text, { threadTs: reply.threadTs });
    const deskRef = encodeDeskRef({ channel: reply.channel, ts: reply.threadTs });
    const conversation = await store.findConversationByDeskRef(deskRef);
    if (!conversation) {
      // Our own post whose escalation is over: say so. Anybody else's thread: not our business.
      const { botUserId } = await api.identity();
      if (reply.parentUserId === botUserId && !NOTE_PREFIX.test(reply.text)) await tell(HINTS.replyGone);
      return done();
    }
    if (!(await api.isMember(reply.channel, reply.userId))) {
      await tell(HINTS.replyNotMember(reply.channel));
      return done();
    }
    if (NOTE_PREFIX.test(reply.text)) return done();

    const agent = await agentFor(this.context, reply.userId);
    if (conversation.state === "resolved" || conversation.state === "ai") {
      await tell(HINTS.replyClosed(conversation.state));
      return done();
    }
    if (conversation.state === "human" && conversation.assignee !== agent.id) {
      await tell(HINTS.replyNotClaimer(mentionOf(conversation.assignee)));
      return done();
    }
    const text = slackTextToPlain(reply.text);
    if (text === "" && reply.files.length === 0) {
      await tell(HINTS.replyEmpty);
      return done();
    }
    const post = { channel: reply.channel, ts: reply.threadTs };
    // One Slack message, one customer message: a replayed or retried task never sends it twice (a retry
    // only finishes the redraw the first run may not have reached).
    if (!(await this.context.once.firstTime(`slack:reply:${reply.channel}:${reply.ts}`, REPLY_MEMORY_MS))) {
      await redraw(this.context, post, conversation.id);
      return done();
    }
    let refused: string[];
    try {
      const outgoing = await this.outgoing(reply, text, conversation.channelId);
      refused = outgoing.refused;
      if (outgoing.text === "" && outgoing.attachments.length === 0) {
        await tell(HINTS.attachmentsNotSent(refused, false));
        return done();
      }
      const sent = await this.context.handoff.replyAsAgent(conversation.id, agent, outgoing.text, outgoing.attachments);
      logger.info({ conversationId: conversation.id, messageId: sent.id, agent: agent.id, attachments: outgoing.attachments.length }, "agent reply queued for the customer");
    } catch (error) {
      if (error instanceof ConflictError) {
        const now = await store.getConversation(conversation.id);
        await tell(HINTS.replyNotClaimer(mentionOf(now?.assignee)));
      } else if (error instanceof InvalidTransitionError) {
        await tell(HINTS.replyClosed((await store.getConversation(conversation.id))?.state ?? "resolved"));
      } else {
        // The once-guard already holds this message: a queue retry would drop it silently, so the agent
        // hears it now and sends again.
        logger.error({ err: error, conversationId: conversation.id }, "agent reply could not be queued");
        await tell(HINTS.replyFailed);
      }
      return done();
    }
    if (refused.length > 0) await tell(HINTS.attachmentsNotSent(refused, true));
    // Replying claimed it: show that on the post.
    if (conversation.state === "awaiting_human") await redraw(this.context, post, conversation.id);
    return done();
  }

  /** The reply as the customer gets it: its files published (or refused, with the reason), links on text-only channels. */
  private async outgoing(reply: ThreadReplyPayload, text: string, channelId: string): Promise<Outgoing> {
    if (reply.files.length === 0) return { text, attachments: [], refused: [] };
    const { media, config } = this.context;
    if (!media) return { text, attachments: [], refused: reply.files.map((file) => `${file.name ?? file.id}: this desk does not forward files`) };
    const prepared = await prepareAgentFiles(reply.files, { botToken: config.botToken, apiUrl: config.apiUrl, publisher: media.publisher });
    const kind = this.context.channelKinds.get(channelId);
    if (kind === undefined || !LINK_ONLY_KINDS.has(kind) || prepared.attachments.length === 0) return { text, ...prepared };
    const links = prepared.attachments.map((attachment) => `${attachment.name ?? "File"}: ${attachment.url}`).join("\n");
    return { text: text === "" ? links : `${text}\n\n${links}`, attachments: [], refused: prepared.refused };
  }
}

/** Channels that show a link instead of carrying the file (the web chat widget renders text only). */
const LINK_ONLY_KINDS = new Set<ChannelKind>(["webchat"]);

function done(): JobResult {
  return { kind: "done" };
}
