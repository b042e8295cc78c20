/**
 * The escalation post: who the customer is, where they wrote from, why a person is needed, how urgent,
 * a short summary, the latest messages, where the escalation stands, and the buttons. Rendered from
 * facts (the conversation, the reasons, the summary) so that every update redraws it the same way.
 * Every part fits Slack's limits by construction; the full transcript goes to the thread.
 */
import type { Conversation, Message, Priority } from "../../src/domain/model.js";
import { maskSensitiveText } from "../../src/privacy/mask.js";
import { SLACK_LIMITS, context, mrkdwn, plain, section, type ButtonElement, type SlackBlock, type SlackMessage } from "./block-kit.js";
import { customerLabel, formatDuration, messagePreview, slackTime } from "./message-lines.js";
import { reasonsInWords } from "./reason-words.js";
import { escapeForSlack, truncate } from "./slack-text.js";

/** Namespaced so no other app's buttons (or a forged payload) can be mistaken for ours. */
export const ACTION_IDS = {
  claim: "switchboard.claim",
  resolve: "switchboard.resolve",
  handBack: "switchboard.hand_back",
} as const;
export type DeskAction = keyof typeof ACTION_IDS;

export const BLOCK_IDS = { summary: "switchboard.summary", status: "switchboard.status", actions: "switchboard.actions" } as const;

/** How many of the latest messages the post itself shows; the thread carries the transcript. */
export const LATEST_IN_POST = 3;
const LATEST_MESSAGE_CHARS = 600;
export const SUMMARY_CHARS = 1_500;

export type PostStatus =
  | { kind: "waiting"; since: Date; realerts: number }
  | { kind: "claimed"; agentUserId: string; waitedMs: number; viaReply: boolean }
  | { kind: "resolved"; agentUserId: string }
  | { kind: "handed_back"; agentUserId: string }
  | { kind: "closed"; reason: string };

export interface PostFacts {
  conversation: Conversation;
  channelLabel: string;
  reasonCodes: readonly string[];
  priority: Priority;
  category?: string | undefined;
  summary: string;
  latest: readonly Message[];
  status: PostStatus;
}

const PRIORITY_LOOK: Record<Priority, { emoji: string; word: string }> = {
  urgent: { emoji: ":red_circle:", word: "Urgent" },
  high: { emoji: ":large_orange_circle:", word: "High" },
  normal: { emoji: ":large_blue_circle:", word: "Normal" },
  low: { emoji: ":white_circle:", word: "Low" },
};

export function priorityWords(priority: Priority): string {
  const look = PRIORITY_LOOK[priority];
  return `${look.emoji} ${look.word}`;
}

/** Without a summary from the brain: the customer's own latest words. */
export function summaryFrom(messages: readonly Message[]): string {
  const fromCustomer = messages.filter((message) => message.author === "customer" && message.text.trim() !== "");
  const latest = fromCustomer.at(-1);
  if (!latest) return "No summary: the customer has not written anything yet.";
  const count = fromCustomer.length;
  const quote = truncate(maskSensitiveText(latest.text.replace(/\s+/g, " ").trim()), 280);
  return `${count} message${count === 1 ? "" : "s"} from the customer; the latest: “${quote}”`;
}

function statusLine(status: PostStatus): string {
  switch (status.kind) {
    case "waiting":
      return status.realerts > 0
        ? `:hourglass_flowing_sand: Waiting for an agent since ${slackTime(status.since)} (re-alerted ${status.realerts}×)`
        : `:hourglass_flowing_sand: Waiting for an agent since ${slackTime(status.since)}`;
    case "claimed":
      return `:raising_hand: Claimed by <@${status.agentUserId}>${status.viaReply ? " (by replying)" : ""} after ${formatDuration(status.waitedMs)}. Replies in this thread go to the customer; start with \`note:\` to keep one internal.`;
    case "resolved":
      return `:white_check_mark: Resolved by <@${status.agentUserId}>; the customer was asked to rate the conversation.`;
    case "handed_back":
      return `:robot_face: Handed back to the AI by <@${status.agentUserId}>; the customer was told.`;
    case "closed":
      return `:lock: ${escapeForSlack(status.reason)}`;
  }
}

function button(action: DeskAction, label: string, conversationId: string, style?: "primary" | "danger"): ButtonElement {
  return { type: "button", action_id: ACTION_IDS[action], text: plain(label), value: conversationId, ...(style ? { style } : {}) };
}

function buttonsFor(status: PostStatus, conversationId: string): ButtonElement[] {
  if (status.kind === "waiting") {
    return [button("claim", "Claim", conversationId, "primary"), button("resolve", "Resolve", conversationId), button("handBack", "Hand back to AI", conversationId)];
  }
  if (status.kind === "claimed") return [button("resolve", "Resolve", conversationId, "primary"), button("handBack", "Hand back to AI", conversationId)];
  return [];
}

export function renderEscalationPost(facts: PostFacts): SlackMessage {
  const { conversation } = facts;
  const reasons = reasonsInWords(facts.reasonCodes);
  const customer = customerLabel(conversation);
  const header = truncate(`${PRIORITY_LOOK[facts.priority].word} escalation: ${reasons[0] ?? "Escalated"}`, SLACK_LIMITS.headerText);
  const category = facts.category ? truncate(escapeForSlack(facts.category), 300) : "—";
  const fields = [
    mrkdwn(`*Customer*\n${customer}`),
    mrkdwn(`*Channel*\n${truncate(escapeForSlack(facts.channelLabel), 300)}`),
    mrkdwn(`*Priority*\n${priorityWords(facts.priority)}`),
    mrkdwn(`*Category*\n${category}`),
  ];
  const reasonList = reasons.map((reason) => `• ${escapeForSlack(reason)}`).join("\n");
  // Escape before cutting: escaping can multiply the length, the cut keeps the section within limits.
  const summary = truncate(escapeForSlack(maskSensitiveText(facts.summary.trim() || summaryFrom(facts.latest))), SUMMARY_CHARS);

  const blocks: SlackBlock[] = [
    { type: "header", text: plain(header) },
    { type: "section", fields },
    section(truncate(`*Why a person is needed*\n${reasonList}`, SLACK_LIMITS.sectionText)),
    section(`*Summary*\n${summary}`, BLOCK_IDS.summary),
  ];
  const latest = facts.latest.slice(-LATEST_IN_POST);
  if (latest.length > 0) {
    const lines = latest.map((message) => messagePreview(message, LATEST_MESSAGE_CHARS));
    blocks.push(section(truncate(`*Latest messages*\n${lines.join("\n")}`, SLACK_LIMITS.sectionText)));
  }
  blocks.push(context(statusLine(facts.status), BLOCK_IDS.status));
  const buttons = buttonsFor(facts.status, conversation.id);
  if (buttons.length > 0) blocks.push({ type: "actions", block_id: BLOCK_IDS.actions, elements: buttons });

  const text = truncate(`${PRIORITY_LOOK[facts.priority].word} escalation from ${customer}: ${reasons.join(", ")}`, 300);
  return { text, blocks };
}
