/** What the desk tells one agent privately (ephemeral messages): the outcome of a click or a reply. */
import type { ConversationState } from "../../src/domain/model.js";

const STATE_WORDS: Record<ConversationState, string> = {
  ai: "back with the AI",
  awaiting_human: "waiting for an agent",
  human: "with an agent",
  resolved: "resolved",
};

export const HINTS = {
  unknownAction: (actionId: string) => `That button (\`${actionId.slice(0, 80)}\`) is not one this desk knows; nothing was done.`,
  badValue: "That button does not point at a conversation; nothing was done.",
  notMember: (channel: string) => `Only members of <#${channel}> can work on escalations. Join the channel, then try again.`,
  missing: "This conversation no longer exists; nothing was done.",
  stalePost: (state: ConversationState) =>
    `This post is out of date: the conversation is ${STATE_WORDS[state]} and has moved on from this escalation. Nothing was done.`,
  alreadyClaimedByYou: "You have already claimed this conversation: reply in the thread to write to the customer.",
  alreadyClaimedBy: (mention: string) => `Already claimed by ${mention}.`,
  notClaimable: (state: ConversationState) => `This conversation is ${STATE_WORDS[state]}: there is nothing to claim.`,
  alreadyResolved: "This conversation is already resolved.",
  notYours: (mention: string) => `Claimed by ${mention}: only they can resolve it or hand it back.`,
  withAi: "This conversation is already back with the AI.",
  changedMeanwhile: "The conversation changed while you clicked; nothing was done. Look at the post again.",
  failed: "Something went wrong and nothing was done; please try again in a moment.",

  replyNotMember: (channel: string) => `Only members of <#${channel}> can write to customers; your message was not sent.`,
  replyClosed: (state: ConversationState) => `This conversation is ${STATE_WORDS[state]}; your message was not sent to the customer.`,
  replyGone: "This escalation is closed (handed back to the AI, or the customer started over); your message was not sent to the customer.",
  replyNotClaimer: (mention: string) =>
    `Only ${mention}, who claimed this conversation, writes to the customer; your message stays here as an internal note. Start a message with \`note:\` to write notes on purpose.`,
  replyFailed: "Your reply could not be queued for the customer (a temporary problem). Please send it again.",
  replyEmpty: "That message had no text and no file, so nothing was sent to the customer.",
  /** Files that did not go to the customer, each `name: reason`; the rest of the message did. */
  attachmentsNotSent: (refused: readonly string[], sentSomething: boolean) =>
    `${refused.length === 1 ? "This file was" : "These files were"} not sent to the customer${sentSomething ? " (the rest of your message was)" : ", so nothing was sent"}:\n${refused.map((line) => `• ${line}`).join("\n")}`,
} as const;
