/**
 * Customer satisfaction answers: after a resolve, the customer is asked for a 1-5 score (web chat shows
 * buttons that send it as an action; SMS and WhatsApp reply with a digit). Only a pending survey turns a
 * bare digit into a score.
 */
import type { Conversation, Message } from "../domain/model.js";

/** How long after the question an answer still counts. */
export const CSAT_ANSWER_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;
export const CSAT_CONTEXT_KEY = "csatRequestedAt";

export function csatPending(conversation: Conversation, now: Date): boolean {
  const requestedAt = conversation.context[CSAT_CONTEXT_KEY];
  if (typeof requestedAt !== "string") return false;
  const at = Date.parse(requestedAt);
  return Number.isFinite(at) && now.getTime() - at <= CSAT_ANSWER_WINDOW_MS;
}

/** The score in a survey answer: an action `{kind: "csat", value}` or a text like "5", "4/5", "3 stars". */
export function parseCsatAnswer(message: Message): number | undefined {
  const action = message.meta.action as { kind?: unknown; value?: unknown } | undefined;
  const raw = action && action.kind === "csat" ? String(action.value) : message.text;
  const match = /^\s*([1-5])\s*(?:\/\s*5|stars?|out of 5)?\s*[.!]?\s*$/i.exec(raw);
  return match ? Number(match[1]) : undefined;
}

export function withoutCsatRequest(context: Record<string, unknown>): Record<string, unknown> {
  const rest = { ...context };
  delete rest[CSAT_CONTEXT_KEY];
  return rest;
}
