/**
 * What every part of the Slack desk shares: the Slack API, the store, the core's handoff actions, the
 * SLA timers, the config. Plus the few facts every part derives the same way: which post belongs to a
 * conversation, who an agent is, how a post is redrawn.
 */
import type { ChannelKind, Conversation } from "../../src/domain/model.js";
import type { Logger } from "../../src/logging/logger.js";
import type { ConversationStore } from "../../src/ports/conversation-store.js";
import type { AgentRef, HandoffActions } from "../../src/ports/desk.js";
import type { DeskMedia } from "../../src/ports/media.js";
import type { OnceGuard, WorkQueue } from "../../src/ports/work-queue.js";
import type { SlaTimers } from "../sla.js";
import type { SlackDeskConfig } from "./config.js";
import { decodeDeskRef, encodeDeskRef, type SlackPostRef } from "./desk-ref.js";
import { DESK_POSTED_EVENT, redrawPost } from "./post-state.js";
import type { SlackApi } from "./slack-api.js";

/** The store with the lookup the desk needs to go from a thread to its conversation. */
export type DeskStore = ConversationStore & Required<Pick<ConversationStore, "findConversationByDeskRef">>;

export interface DeskContext {
  api: SlackApi;
  store: DeskStore;
  handoff: HandoffActions;
  queue: WorkQueue;
  once: OnceGuard;
  sla: SlaTimers;
  config: SlackDeskConfig;
  channelKinds: ReadonlyMap<string, ChannelKind>;
  /** Customers' attachments into threads, agents' files to customers; absent: files are only listed. */
  media?: DeskMedia | undefined;
  logger: Logger;
  now: () => Date;
}

const KIND_WORDS: Record<ChannelKind, string> = {
  webchat: "Web chat",
  twilio_sms: "SMS",
  twilio_whatsapp: "WhatsApp",
  whatsapp_web: "WhatsApp",
  botframework: "Teams / Bot Framework",
};

export function channelLabel(context: Pick<DeskContext, "channelKinds">, channelId: string): string {
  const kind = context.channelKinds.get(channelId);
  return kind ? `${KIND_WORDS[kind]} (${channelId})` : channelId;
}

/** `slack:U123` -> `U123`; assignees from other desks have no Slack user. */
export function slackUserOf(assignee: string | undefined): string | undefined {
  return assignee?.startsWith("slack:") ? assignee.slice("slack:".length) : undefined;
}

export function mentionOf(assignee: string | undefined): string {
  const user = slackUserOf(assignee);
  return user ? `<@${user}>` : "another agent";
}

/** The agent as the core knows them; `displayName`'s first word is what customers see. */
export async function agentFor(context: Pick<DeskContext, "api" | "config">, userId: string): Promise<AgentRef> {
  const style = context.config.agentName;
  let displayName: string;
  if (typeof style === "object") displayName = style.alias;
  else {
    const names = await context.api.userNames(userId);
    const firstOfReal = names.realName?.split(/\s+/)[0];
    displayName =
      style === "display_name"
        ? (names.displayName ?? names.firstName ?? firstOfReal ?? "Support")
        : (names.firstName ?? firstOfReal ?? names.displayName ?? "Support");
  }
  return { id: `slack:${userId}`, displayName };
}

/**
 * The post of the conversation's current escalation: the reference on the escalation record, or (in the
 * moment between posting and the core storing it) the matching `desk_posted` event.
 */
export async function currentPostOf(context: Pick<DeskContext, "store">, conversation: Conversation): Promise<SlackPostRef | undefined> {
  const escalation = conversation.escalation;
  if (!escalation) return undefined;
  const stored = decodeDeskRef(escalation.deskRef);
  if (stored) return stored;
  return postedFor(context, conversation.id, escalation.at);
}

/** The post made for the escalation that started at `escalationAt`, from the conversation's events. */
export async function postedFor(context: Pick<DeskContext, "store">, conversationId: string, escalationAt: Date): Promise<SlackPostRef | undefined> {
  const events = await context.store.listEvents(conversationId);
  const posted = events.filter((event) => event.type === DESK_POSTED_EVENT && event.data.escalationAt === escalationAt.toISOString()).at(-1);
  return decodeDeskRef(typeof posted?.data.deskRef === "string" ? posted.data.deskRef : undefined);
}

/**
 * Where notes for a conversation go: its current post, else the latest post it ever had (a CSAT answer
 * arrives after the conversation was resolved and reopened, when the escalation record is gone).
 */
export async function threadOf(context: Pick<DeskContext, "store">, conversation: Conversation): Promise<SlackPostRef | undefined> {
  const current = await currentPostOf(context, conversation);
  if (current) return current;
  const events = await context.store.listEvents(conversation.id);
  const latest = events.filter((event) => event.type === DESK_POSTED_EVENT).at(-1);
  return decodeDeskRef(typeof latest?.data.deskRef === "string" ? latest.data.deskRef : undefined);
}

/** Redraw a post from the store (see post-state.ts): always the conversation's latest state. */
export async function redraw(context: Pick<DeskContext, "api" | "store" | "channelKinds">, ref: SlackPostRef, conversationId: string): Promise<void> {
  await redrawPost(context, ref, conversationId, (channelId) => channelLabel(context, channelId));
}

export { DESK_POSTED_EVENT, encodeDeskRef };
