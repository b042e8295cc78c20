/**
 * One stored outbound message -> the Bot Framework `message` activity that carries it: plain text
 * (an agent's reply starts with the agent's name), offered quick replies (`meta.actions`, such as the
 * 1-5 satisfaction survey) as `suggestedActions` buttons that post their value back as the customer's
 * text (imBack), and files by URL.
 */
import type { Activity, CardAction } from "botbuilder";
import { z } from "zod";
import type { Message } from "../../../src/domain/model.js";
import { DeliveryFailedError } from "../../../src/errors.js";
import type { BotFrameworkChannelSettings } from "../config.js";
import type { StoredReference } from "../reference.js";

/** Quick replies as the core offers them (src/pipeline/handoff.ts: `CSAT_ACTIONS`). */
const QuickReplies = z
  .array(z.object({ label: z.string().min(1).max(100), value: z.string().min(1).max(100), kind: z.string().max(40).optional() }))
  .min(1)
  .max(10);

export function outboundActivity(
  message: Message,
  reference: StoredReference,
  settings: Pick<BotFrameworkChannelSettings, "agentNames">,
): Partial<Activity> {
  const text = textOf(message, settings);
  const attachments = message.attachments
    .filter((attachment) => attachment.url !== undefined && /^https?:\/\//i.test(attachment.url))
    .map((attachment) => ({ contentType: attachment.contentType, contentUrl: attachment.url, ...(attachment.name ? { name: attachment.name } : {}) }));
  if (text.trim() === "" && attachments.length === 0) {
    throw new DeliveryFailedError("empty_message", "The message has no text and no attachment; there is nothing to send.", { permanent: true });
  }
  const activity: Partial<Activity> = { type: "message", text, textFormat: "plain" };
  if (attachments.length > 0) activity.attachments = attachments;
  const actions = QuickReplies.safeParse(message.meta.actions);
  if (actions.success) {
    activity.suggestedActions = {
      to: [reference.user.id],
      actions: actions.data.map((action): CardAction => ({ type: "imBack", title: action.label, value: action.value })),
    };
  }
  return activity;
}

function textOf(message: Message, settings: Pick<BotFrameworkChannelSettings, "agentNames">): string {
  const name = message.authorName?.trim();
  if (message.author === "agent" && settings.agentNames === "prefix" && name) return `${name}: ${message.text}`;
  return message.text;
}
