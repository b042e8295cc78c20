/**
 * The handoff state machine: the one place that says which owner changes are allowed and by whom.
 * Stores call `assertTransition` inside the transaction that writes the change and its event.
 */
import { InvalidTransitionError } from "../errors.js";
import type { ConversationState } from "./model.js";

/** Who asks for a transition; part of every recorded event. */
export type ActorKind = "customer" | "ai" | "agent" | "system";

interface TransitionRule {
  readonly from: ConversationState;
  readonly to: ConversationState;
  readonly by: readonly ActorKind[];
}

const TRANSITIONS: readonly TransitionRule[] = [
  // The brain, a routing rule or the customer ("talk to a human") escalates.
  { from: "ai", to: "awaiting_human", by: ["ai", "customer", "system"] },
  // An agent claims, or simply writes to the customer: a message from a human makes the human the owner.
  { from: "awaiting_human", to: "human", by: ["agent"] },
  { from: "ai", to: "human", by: ["agent"] },
  { from: "human", to: "resolved", by: ["agent"] },
  { from: "awaiting_human", to: "resolved", by: ["agent"] },
  // Hand back to AI, and giving an unclaimed escalation back: only by an agent's action.
  { from: "human", to: "ai", by: ["agent"] },
  { from: "awaiting_human", to: "ai", by: ["agent"] },
  // The AI (or an inactivity sweep) closes a conversation it fully handled.
  { from: "ai", to: "resolved", by: ["ai", "system", "agent"] },
  // A new customer message re-opens a resolved conversation.
  { from: "resolved", to: "ai", by: ["customer", "system"] },
];

export function canTransition(from: ConversationState, to: ConversationState, by: ActorKind): boolean {
  return TRANSITIONS.some((rule) => rule.from === from && rule.to === to && rule.by.includes(by));
}

export function assertTransition(from: ConversationState, to: ConversationState, by: ActorKind): void {
  if (!canTransition(from, to, by)) {
    throw new InvalidTransitionError(from, to, by);
  }
}

/** The states in which the AI may write to the customer. */
export function aiMayReply(state: ConversationState): boolean {
  return state === "ai";
}

/**
 * The states in which an AI message may be stored at all: never once a person owns the conversation or it
 * is resolved. (`awaiting_human` allows the answers the AI gives while an escalation waits outside hours.)
 */
export function aiMayWrite(state: ConversationState): boolean {
  return state === "ai" || state === "awaiting_human";
}

/** The states in which a human owns (or is about to own) the conversation. */
export function humanOwned(state: ConversationState): boolean {
  return state === "awaiting_human" || state === "human";
}
