/**
 * Outbound delivery status only moves forward, whatever order provider callbacks arrive in:
 * queued -> sent -> delivered -> read, or `failed`. A message `held` by a channel rule (outside the
 * WhatsApp window) can be queued again when the rule allows it; a late proof of delivery beats `failed`.
 */
import type { MessageStatus } from "./model.js";

const NEXT: Record<MessageStatus, readonly MessageStatus[]> = {
  received: [],
  queued: ["held", "sent", "delivered", "read", "failed"],
  held: ["queued", "failed"],
  sent: ["delivered", "read", "failed"],
  failed: ["delivered", "read"],
  delivered: ["read"],
  read: [],
};

/** True when moving from `current` to `next` is progress (never a step back, never a no-op). */
export function isStatusAdvance(current: MessageStatus, next: MessageStatus): boolean {
  return NEXT[current].includes(next);
}
