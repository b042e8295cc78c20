/**
 * WhatsApp's customer-service window: free-form messages are allowed for 24 hours after the customer's
 * last message; after that only a pre-approved template may be sent. A template fits a message when it
 * may be used for the message's author and every one of its variables has a value. A template that
 * carries the message text (`messageText`) delivers the message itself; one that does not is a
 * re-engagement template ("we have an update, reply to see it"): it is sent once per silence and the
 * message stays held until the customer writes again.
 */
import type { Conversation, Message } from "../../src/domain/model.js";
import type { TemplateVariableSource, WhatsAppTemplate } from "./config.js";

export function insideWindow(conversation: Conversation, now: Date, windowHours: number): boolean {
  if (conversation.lastInboundAt === undefined) return false;
  return now.getTime() - conversation.lastInboundAt.getTime() < windowHours * 3_600_000;
}

export interface TemplateChoice {
  template: WhatsAppTemplate;
  /** Serialised as Twilio's `ContentVariables` JSON. */
  contentVariables: Record<string, string>;
  /** True when the template carries the message text; false for a re-engagement template. */
  carriesText: boolean;
}

/**
 * WhatsApp refuses template parameters with new lines, tabs or more than four spaces in a row
 * (error 132018), so whitespace runs become one space.
 */
export function templateParameter(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

function valueFor(
  source: TemplateVariableSource,
  template: WhatsAppTemplate,
  message: Message,
  conversation: Conversation,
): string | undefined {
  if (typeof source === "object") return source.literal;
  switch (source) {
    case "messageText": {
      const text = templateParameter(message.text);
      return text !== "" && text.length <= template.maxTextLength ? text : undefined;
    }
    case "customerName":
      return conversation.customerName?.trim() || template.nameFallback;
    case "agentName":
      return message.authorName?.trim() || template.nameFallback;
  }
}

/** The first configured template that fits, preferring one that carries the message text. */
export function chooseTemplate(
  templates: readonly WhatsAppTemplate[],
  message: Message,
  conversation: Conversation,
): TemplateChoice | undefined {
  const fitting: TemplateChoice[] = [];
  for (const template of templates) {
    if (message.author === "customer" || !template.authors.includes(message.author)) continue;
    const contentVariables: Record<string, string> = {};
    let complete = true;
    for (const [placeholder, source] of Object.entries(template.variables)) {
      const value = valueFor(source, template, message, conversation);
      if (value === undefined) {
        complete = false;
        break;
      }
      contentVariables[placeholder] = templateParameter(value).slice(0, 1024);
    }
    if (!complete) continue;
    const carriesText = Object.values(template.variables).includes("messageText");
    // A text template cannot carry attachments: delivering the words alone would silently drop them.
    if (carriesText && message.attachments.length > 0) continue;
    fitting.push({ template, contentVariables, carriesText });
  }
  return fitting.find((choice) => choice.carriesText) ?? fitting[0];
}
