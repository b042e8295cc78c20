/**
 * What the desk writes in an escalation's thread: the transcript (split across messages when long), the
 * customer's new messages, delivery problems, notes, SLA re-alerts and reminders. All customer text is
 * masked and escaped; every message fits Slack's limits.
 */
import type { DeliveryError, Message, Priority } from "../../src/domain/model.js";
import { maskSensitiveText } from "../../src/privacy/mask.js";
import { SLACK_LIMITS, context, packMessages, section, splitText, type SlackBlock, type SlackMessage } from "./block-kit.js";
import { formatDuration, messageBody, messageHeading } from "./message-lines.js";
import { priorityWords } from "./post-layout.js";
import { escapeForSlack, truncate } from "./slack-text.js";

/** A message's heading and its text as sections, the text split at the section limit. */
function messageBlocks(message: Message): SlackBlock[] {
  const body = messageBody(message);
  const pieces = splitText(body, SLACK_LIMITS.sectionText - 10);
  return [context(messageHeading(message)), ...pieces.map((piece) => section(piece))];
}

/** The conversation so far, oldest first, in as many thread messages as Slack's limits need. */
export function renderTranscript(messages: readonly Message[]): SlackMessage[] {
  const blocks: SlackBlock[] = [context(`:scroll: *Transcript*: the last ${messages.length} message${messages.length === 1 ? "" : "s"}, oldest first`)];
  for (const message of messages) blocks.push(...messageBlocks(message));
  return packMessages(blocks, (part, parts) => (parts > 1 ? `Transcript (part ${part} of ${parts})` : "Transcript"));
}

/** A customer message that arrived while a person owns the conversation. */
export function renderMirror(message: Message): SlackMessage[] {
  const preview = truncate(escapeForSlack(maskSensitiveText(message.text.replace(/\s+/g, " ").trim())), 150);
  return packMessages(messageBlocks(message), () => `Customer: ${preview || "(attachment)"}`);
}

/** `mentionUser`: the agent who wrote the message, so Slack notifies them. */
export function renderDeliveryProblem(message: Message, error: DeliveryError, mentionUser?: string): SlackMessage {
  const reason = truncate(escapeForSlack(maskSensitiveText(error.message)), 1_000);
  const code = truncate(escapeForSlack(error.code), 100);
  const what = error.permanent ? "did not reach the customer" : "has not reached the customer yet (it will be retried)";
  const excerpt = truncate(escapeForSlack(maskSensitiveText(message.text.replace(/\s+/g, " ").trim())), 1_200);
  const blocks: SlackBlock[] = [
    section(`${mentionUser ? `<@${mentionUser}> ` : ""}:warning: This message ${what}: ${reason} (\`${code}\`)`),
    context(`>${excerpt || "(no text)"}`),
  ];
  return { text: `Delivery problem: ${reason}`.slice(0, 300), blocks };
}

/** A note from the core (CSAT score, opt-out...): our own words, masked in case they quote a customer. */
export function renderNote(text: string): SlackMessage[] {
  const safe = escapeForSlack(maskSensitiveText(text));
  return packMessages(
    splitText(`:memo: ${safe}`, SLACK_LIMITS.sectionText - 10).map((piece) => section(piece)),
    () => truncate(safe, 300),
  );
}

export function renderRealert(input: { mention?: string | undefined; waitedMs: number; priority: Priority; raised: boolean }): SlackMessage {
  const who = input.mention ? `${input.mention} ` : "";
  const raised = input.raised ? `; priority raised to ${priorityWords(input.priority)}` : "";
  const text = `${who}:rotating_light: Still unclaimed after ${formatDuration(input.waitedMs)}${raised}. Can someone take it?`;
  return { text, blocks: [section(text)] };
}

export function renderReminder(input: { agentUserId: string; waitingMs: number }): SlackMessage {
  const text = `<@${input.agentUserId}> :bell: The customer has been waiting ${formatDuration(input.waitingMs)} for a reply from you. Reply in this thread, or hand the conversation back to the AI.`;
  return { text, blocks: [section(text)] };
}
