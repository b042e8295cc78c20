/**
 * Live events about one conversation on the `MessageBus`, shared by the core (state changes, typing) and
 * the channels that hold live connections (web chat pushes them to the customer's sockets, whichever web
 * process holds them). One topic per conversation; payloads are validated on receipt, they crossed Redis.
 */
import { z } from "zod";
import { ConversationState, Message, MessageAuthor } from "../domain/model.js";

/** The bus topic of one conversation's live events. */
export function conversationTopic(conversationId: string): string {
  return `conversation.${conversationId}`;
}

/** A stored message as it travels on the bus (dates as ISO strings, revived on receipt). */
const BusMessage = Message.extend({ createdAt: z.coerce.date(), updatedAt: z.coerce.date() });

export const ConversationBusEvent = z.discriminatedUnion("type", [
  /** The conversation's owner changed (published by the core after every transition). */
  z.object({ type: z.literal("state"), state: ConversationState, agentName: z.string().max(255).optional() }),
  /** Someone is writing (the AI while it thinks, an agent, the customer). */
  z.object({ type: z.literal("typing"), on: z.boolean(), author: MessageAuthor, name: z.string().max(255).optional() }),
  /** A message to show: published by a channel's `send` (outbound) or by the channel itself (inbound). */
  z.object({ type: z.literal("message"), message: BusMessage }),
]);
export type ConversationBusEvent = z.infer<typeof ConversationBusEvent>;

/** The payload to publish for a stored message (JSON-safe: dates become ISO strings). */
export function messageEventPayload(message: Message): Record<string, unknown> {
  return { type: "message", message: JSON.parse(JSON.stringify(message)) as Record<string, unknown> };
}
