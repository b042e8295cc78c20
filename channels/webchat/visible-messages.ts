/**
 * What of a conversation the customer may see, and how it is shown: internal notes, held and failed
 * messages never leave the server; agents appear by first name (configurable), the AI by its label.
 */
import { z } from "zod";
import type { Message } from "../../src/domain/model.js";
import type { WebchatChannelSettings } from "./config.js";
import type { VisibleMessage } from "./frames.js";

/** `kind` says what a choice means to the core (`csat` for the 1-5 survey); the widget only shows labels. */
const QuickReplies = z
  .array(z.object({ label: z.string().min(1).max(100), value: z.string().min(1).max(100), kind: z.string().max(40).optional() }))
  .min(1)
  .max(10);

export function isCustomerVisible(message: Message): boolean {
  if (message.meta.internal === true) return false;
  if (message.direction === "inbound") return message.author === "customer";
  // Outbound messages the channel did not (or may not) deliver are not part of the customer's transcript.
  return message.status !== "failed" && message.status !== "held";
}

export function firstName(fullName: string): string {
  return fullName.trim().split(/\s+/)[0] ?? fullName;
}

type Display = Pick<WebchatChannelSettings, "assistantName" | "agentName">;

export function toVisibleMessage(message: Message, display: Display): VisibleMessage {
  const visible: VisibleMessage = {
    id: message.id,
    seq: message.seq,
    author: message.author,
    text: message.text,
    createdAt: message.createdAt.toISOString(),
  };
  if (message.author === "ai") visible.authorName = display.assistantName;
  if (message.author === "agent" && message.authorName !== undefined && message.authorName.trim() !== "") {
    visible.authorName = display.agentName === "first" ? firstName(message.authorName) : message.authorName.trim();
  }
  if (message.direction === "inbound" && message.channelMessageId !== undefined) visible.clientId = clientIdOf(message.channelMessageId);
  const actions = QuickReplies.safeParse(message.meta.actions);
  if (message.direction === "outbound" && actions.success) visible.actions = actions.data.map(({ label, value }) => ({ label, value }));
  return visible;
}

/** The quick reply `value` offered by `message`, or undefined when it offered no such choice. */
export function offeredAction(message: Message, value: string): { label: string; value: string; kind?: string } | undefined {
  if (message.direction !== "outbound") return undefined;
  const actions = QuickReplies.safeParse(message.meta.actions);
  return actions.success ? actions.data.find((action) => action.value === value) : undefined;
}

/** The widget's own id of a customer message: `channelMessageId` is `<visitor id>.<client id>`. */
export function clientIdOf(channelMessageId: string): string {
  return channelMessageId.slice(channelMessageId.indexOf(".") + 1);
}
