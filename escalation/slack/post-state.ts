/**
 * What an escalation post shows, derived from the store alone: the facts recorded when it was posted
 * (its `desk_posted` event) and where the conversation stands now (state, owner, state-change events).
 * Every redraw computes the same picture, so concurrent updates (a claim and a hand back a moment apart,
 * an SLA re-alert) converge on the latest state instead of whichever `chat.update` landed last.
 */
import type { Conversation, ConversationEvent, Priority } from "../../src/domain/model.js";
import { Priority as PrioritySchema } from "../../src/domain/model.js";
import { SLA_REALERT_EVENT } from "../sla.js";
import type { DeskContext } from "./desk-context.js";
import { encodeDeskRef, type SlackPostRef } from "./desk-ref.js";
import { LATEST_IN_POST, renderEscalationPost, summaryFrom, type PostFacts, type PostStatus } from "./post-layout.js";

/** Recorded on the conversation when its escalation is posted. */
export const DESK_POSTED_EVENT = "desk_posted";

export interface PostedFacts {
  deskRef: string;
  escalationAt: string;
  reasonCodes: string[];
  priority: Priority;
  category?: string | undefined;
  summary: string;
  /** The newest message when it was posted: the post's "latest messages" end there. */
  uptoSeq: number;
}

export function postedFactsOf(event: ConversationEvent): PostedFacts | undefined {
  const data = event.data;
  if (event.type !== DESK_POSTED_EVENT || typeof data.deskRef !== "string" || typeof data.escalationAt !== "string") return undefined;
  const priority = PrioritySchema.safeParse(data.priority);
  return {
    deskRef: data.deskRef,
    escalationAt: data.escalationAt,
    reasonCodes: Array.isArray(data.reasonCodes) ? data.reasonCodes.filter((code): code is string => typeof code === "string") : [],
    priority: priority.success ? priority.data : "normal",
    category: typeof data.category === "string" ? data.category : undefined,
    summary: typeof data.summary === "string" ? data.summary : "",
    uptoSeq: typeof data.uptoSeq === "number" ? data.uptoSeq : Number.MAX_SAFE_INTEGER,
  };
}

const slackUser = (actor: string | undefined) => (actor?.startsWith("slack:") ? actor.slice("slack:".length) : undefined);
const stateChanges = (events: readonly ConversationEvent[], to: Conversation["state"], after: Date) =>
  events.filter((event) => event.type === "state_changed" && event.to === to && event.at.getTime() >= after.getTime());

/** Where the escalation behind this post stands. */
function statusOf(conversation: Conversation, events: readonly ConversationEvent[], posted: PostedFacts, postedAt: Date): PostStatus {
  const escalation = conversation.escalation;
  const current = escalation !== undefined && escalation.at.toISOString() === posted.escalationAt;
  if (current && conversation.state === "awaiting_human") {
    const realerts = events.filter((event) => event.type === SLA_REALERT_EVENT && event.data.deskRef === posted.deskRef).length;
    return { kind: "waiting", since: escalation.at, realerts };
  }
  if (current && conversation.state === "human") {
    const claim = stateChanges(events, "human", postedAt).at(-1);
    const agentUserId = slackUser(conversation.assignee) ?? slackUser(claim?.actor);
    if (agentUserId) {
      const waitedMs = Math.max(0, (claim?.at ?? conversation.updatedAt).getTime() - escalation.at.getTime());
      return { kind: "claimed", agentUserId, waitedMs, viaReply: claim?.reason === "an agent replied" };
    }
    return { kind: "closed", reason: "Claimed from another desk." };
  }
  // Over: the first change after the post that ended it says how.
  const ended = events.find(
    (event) => event.type === "state_changed" && event.at.getTime() >= postedAt.getTime() && (event.to === "resolved" || event.to === "ai"),
  );
  const by = slackUser(ended?.actor);
  if (ended?.to === "resolved" && by) return { kind: "resolved", agentUserId: by };
  if (ended?.to === "ai" && by) return { kind: "handed_back", agentUserId: by };
  if (ended?.to === "resolved") return { kind: "closed", reason: "Resolved." };
  return { kind: "closed", reason: "This escalation is over; the conversation moved on." };
}

/** A fingerprint of what the post depends on: when it changed during a redraw, draw again. */
function fingerprint(conversation: Conversation | null): string {
  if (!conversation) return "gone";
  const escalation = conversation.escalation;
  return [conversation.state, conversation.assignee ?? "", escalation?.priority ?? "", escalation?.at.toISOString() ?? ""].join("|");
}

/** The post as it should look now, or undefined when it is not one of this conversation's posts. */
export async function postFactsNow(
  context: Pick<DeskContext, "store" | "channelKinds">,
  ref: SlackPostRef,
  conversation: Conversation,
  channelLabel: string,
): Promise<PostFacts | undefined> {
  const deskRef = encodeDeskRef(ref);
  const events = await context.store.listEvents(conversation.id);
  const postedEvent = events.filter((event) => event.type === DESK_POSTED_EVENT && event.data.deskRef === deskRef).at(-1);
  const posted = postedEvent ? postedFactsOf(postedEvent) : undefined;
  if (!postedEvent || !posted) return undefined;
  const current = conversation.escalation?.at.toISOString() === posted.escalationAt;
  const recent = await context.store.listMessages(conversation.id, { limit: LATEST_IN_POST + 20, newest: true });
  const latest = recent.filter((message) => message.seq <= posted.uptoSeq).slice(-LATEST_IN_POST);
  return {
    conversation,
    channelLabel,
    reasonCodes: posted.reasonCodes,
    priority: current ? (conversation.escalation?.priority ?? posted.priority) : posted.priority,
    category: posted.category,
    summary: posted.summary || summaryFrom(latest),
    latest,
    status: statusOf(conversation, events, posted, postedEvent.at),
  };
}

/**
 * Redraw a post from the store. After writing, look again: if the conversation changed meanwhile (another
 * worker's action), draw again, so the last state always ends up on the post.
 */
export async function redrawPost(
  context: Pick<DeskContext, "api" | "store" | "channelKinds">,
  ref: SlackPostRef,
  conversationId: string,
  channelLabelOf: (channelId: string) => string,
): Promise<void> {
  for (let round = 0; round < 3; round += 1) {
    let drawn: Conversation | null = null;
    const sent = await context.api.updateRendered(ref.channel, ref.ts, async () => {
      drawn = await context.store.getConversation(conversationId);
      if (!drawn) return undefined;
      const facts = await postFactsNow(context, ref, drawn, channelLabelOf(drawn.channelId));
      return facts ? renderEscalationPost(facts) : undefined;
    });
    if (!sent || fingerprint(await context.store.getConversation(conversationId)) === fingerprint(drawn)) return;
  }
}
