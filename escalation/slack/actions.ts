/**
 * The buttons of an escalation post: Claim, Resolve, Hand back to AI. Each click arrives as a task (the
 * receiver acknowledged it at once). A click acts only on the conversation its post belongs to, only for
 * members of the desk channel, and only as the state allows; anything else gets a short private answer,
 * never an error and never a message to a customer.
 */
import type { Conversation } from "../../src/domain/model.js";
import { ConflictError, InvalidTransitionError, NotFoundError } from "../../src/errors.js";
import type { AgentRef } from "../../src/ports/desk.js";
import type { JobResult, TaskJob } from "../../src/ports/work-queue.js";
import type { TaskHandler } from "../../src/pipeline/job-handlers.js";
import { HINTS } from "./agent-hints.js";
import { agentFor, currentPostOf, mentionOf, redraw, type DeskContext } from "./desk-context.js";
import { encodeDeskRef, type SlackPostRef } from "./desk-ref.js";
import { ACTION_IDS, type DeskAction } from "./post-layout.js";
import { ActionTaskPayload, SLACK_TASKS, parseTask } from "./tasks.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function actionOf(actionId: string): DeskAction | undefined {
  return (Object.keys(ACTION_IDS) as DeskAction[]).find((action) => ACTION_IDS[action] === actionId);
}

interface Click {
  payload: ActionTaskPayload;
  ref: SlackPostRef;
  agent: AgentRef;
  conversation: Conversation;
}

export class SlackActionTasks implements TaskHandler {
  constructor(private readonly context: DeskContext) {}

  handles(name: string): boolean {
    return name === SLACK_TASKS.action;
  }

  async run(task: TaskJob): Promise<JobResult> {
    const payload = parseTask(ActionTaskPayload, task);
    const tell = (text: string) => this.context.api.ephemeral(payload.channel, payload.userId, text, { responseUrl: payload.responseUrl });
    const action = actionOf(payload.actionId);
    if (!action) return tell(HINTS.unknownAction(payload.actionId)).then(done);
    if (!UUID.test(payload.value)) return tell(HINTS.badValue).then(done);
    if (!(await this.context.api.isMember(payload.channel, payload.userId))) return tell(HINTS.notMember(payload.channel)).then(done);
    const conversation = await this.context.store.getConversation(payload.value);
    if (!conversation) return tell(HINTS.missing).then(done);

    const ref = { channel: payload.channel, ts: payload.messageTs };
    // A button acts only on its conversation's current post: an old post (the conversation was handed back
    // and escalated again, or resolved and reopened) does nothing.
    const current = await currentPostOf(this.context, conversation);
    if (!current || encodeDeskRef(current) !== encodeDeskRef(ref)) {
      await tell(conversation.state === "resolved" ? HINTS.alreadyResolved : HINTS.stalePost(conversation.state));
      // If it is one of this conversation's posts (a retried hand back, say), it shows how it ended;
      // any other post is left alone (redraw draws only posts recorded for this conversation).
      await redraw(this.context, ref, conversation.id);
      return done();
    }
    const agent = await agentFor(this.context, payload.userId);
    const click: Click = { payload, ref, agent, conversation };
    try {
      if (action === "claim") await this.claim(click, tell);
      else await this.finish(action, click, tell);
    } catch (error) {
      if (!(error instanceof ConflictError || error instanceof InvalidTransitionError || error instanceof NotFoundError)) throw error;
      this.context.logger.info({ conversationId: conversation.id, action, code: error.code }, "desk action lost a race; agent told");
      await tell(HINTS.changedMeanwhile);
    }
    // Whatever happened, the post shows where the conversation stands now. This also completes a retried
    // task whose first run changed the state but failed before its redraw (a Slack rate limit, say).
    await redraw(this.context, ref, conversation.id);
    return done();
  }

  private async claim(click: Click, tell: (text: string) => Promise<void>): Promise<void> {
    const { conversation, agent, ref } = click;
    const result = await this.context.handoff.claim(conversation.id, agent);
    if (result.kind === "claimed") {
      this.context.logger.info({ conversationId: conversation.id, agent: agent.id, waitedMs: result.waitedMs }, "escalation claimed");
      await this.context.sla.scheduleNoReply({ conversationId: conversation.id, deskRef: encodeDeskRef(ref), assignee: agent.id, since: this.context.now() });
      return;
    }
    if (result.kind === "already_claimed") {
      await tell(result.by === agent.id ? HINTS.alreadyClaimedByYou : HINTS.alreadyClaimedBy(mentionOf(result.by)));
      return;
    }
    await tell(HINTS.notClaimable(result.state));
  }

  /** Resolve or hand back: whoever claimed it, or any desk member while nobody has. */
  private async finish(action: "resolve" | "handBack", click: Click, tell: (text: string) => Promise<void>): Promise<void> {
    const { conversation, agent } = click;
    if (conversation.state === "resolved") return tell(HINTS.alreadyResolved);
    if (conversation.state === "ai") return tell(HINTS.withAi);
    if (conversation.state === "human" && conversation.assignee && conversation.assignee !== agent.id) {
      return tell(HINTS.notYours(mentionOf(conversation.assignee)));
    }
    if (action === "resolve") await this.context.handoff.resolve(conversation.id, agent);
    else await this.context.handoff.handBack(conversation.id, agent);
    this.context.logger.info({ conversationId: conversation.id, agent: agent.id, action }, action === "resolve" ? "escalation resolved" : "conversation handed back to the AI");
  }
}

function done(): JobResult {
  return { kind: "done" };
}
