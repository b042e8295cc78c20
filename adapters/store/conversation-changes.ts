/**
 * Pure decisions about a locked conversation row: what a transition or a patch turns it into, and the
 * event a transition records. The SQL layer locks, calls these, and writes the result; keeping them pure
 * makes the rules testable without a database and identical on both engines.
 */
import { assertTransition } from "../../src/domain/conversation-state.js";
import type { Conversation } from "../../src/domain/model.js";
import { ConflictError } from "../../src/errors.js";
import type { ConversationPatch, TransitionRequest } from "../../src/ports/conversation-store.js";

/** An event about to be written (the id and time are added by the writer). */
export interface PlannedEvent {
  type: string;
  from?: Conversation["state"];
  to?: Conversation["state"];
  reason: string;
  actor: string;
  data: Record<string, unknown>;
}

export const STATE_CHANGED = "state_changed";

/**
 * Apply a transition request to the current row: `expectedState` first (ConflictError: someone else
 * changed it; first claim wins), then the state machine (InvalidTransitionError), then the owner and
 * escalation exactly as the request says (undefined keeps, null clears, a value sets).
 */
export function planTransition(
  current: Conversation,
  request: TransitionRequest,
  now: Date,
): { conversation: Conversation; event: PlannedEvent } {
  if (request.expectedState !== undefined && current.state !== request.expectedState) {
    throw new ConflictError(
      `conversation ${current.id} is ${current.state}, not ${request.expectedState}: someone else changed it first`,
    );
  }
  assertTransition(current.state, request.to, request.by);
  const next: Conversation = { ...current, state: request.to, updatedAt: now };
  if (request.assignee !== undefined) setOptional(next, "assignee", request.assignee);
  if (request.escalation !== undefined) setOptional(next, "escalation", request.escalation);
  return {
    conversation: next,
    event: {
      type: STATE_CHANGED,
      from: current.state,
      to: request.to,
      reason: request.reason,
      actor: request.actor,
      data: request.data ?? {},
    },
  };
}

/**
 * Apply a patch. `escalationDeskRef` and `escalationPriority` merge into the escalation record; when the conversation has none
 * any more (handed back before the desk finished posting) there is nothing to attach it to and it is
 * dropped rather than inventing an escalation.
 */
export function applyPatch(current: Conversation, patch: ConversationPatch, now: Date): Conversation {
  const next: Conversation = { ...current, updatedAt: now };
  if (patch.customerId !== undefined) setOptional(next, "customerId", patch.customerId);
  if (patch.customerName !== undefined) next.customerName = patch.customerName;
  if (patch.category !== undefined) setOptional(next, "category", patch.category);
  if (patch.csat !== undefined) next.csat = patch.csat;
  if (patch.context !== undefined) next.context = patch.context;
  if (patch.escalationDeskRef !== undefined && next.escalation) {
    next.escalation = { ...next.escalation, deskRef: patch.escalationDeskRef };
  }
  if (patch.escalationPriority !== undefined && next.escalation) {
    next.escalation = { ...next.escalation, priority: patch.escalationPriority };
  }
  return next;
}

/** The re-open of a resolved conversation by a new customer message: back to the AI, no owner. */
export function reopenRequest(): TransitionRequest {
  return {
    to: "ai",
    by: "customer",
    actor: "customer",
    reason: "customer_message_after_resolved",
    assignee: null,
    escalation: null,
  };
}

function setOptional<K extends "assignee" | "escalation" | "customerId" | "category">(
  target: Conversation,
  key: K,
  value: Conversation[K] | null,
): void {
  if (value === null) delete target[key];
  else target[key] = value;
}
