/**
 * The two messages that open a turn: the instructions (the versioned template, filled with nothing the
 * customer wrote) as the system message, and everything else as fenced data in one user message: the
 * conversation so far, knowledge-base passages, and the customer's new message. All data is masked
 * before it is placed here.
 */
import { calendarDateIn } from "../../domain/calendar-date.js";
import type { ChannelKind, Message } from "../../domain/model.js";
import type { ChatMessage } from "../../ports/chat-model.js";
import { formatCustomerDate } from "../customer-format.js";
import { fence } from "./data-fence.js";
import { transcript } from "./history-window.js";
import type { PromptTemplate } from "./prompt-template.js";

const CHANNEL_NAMES: Record<ChannelKind, string> = {
  webchat: "web chat",
  twilio_sms: "SMS",
  twilio_whatsapp: "WhatsApp",
  whatsapp_web: "WhatsApp",
  botframework: "chat",
};

export interface TurnPromptInput {
  template: PromptTemplate;
  boundary: string;
  companyName: string;
  channelKind: ChannelKind;
  now: Date;
  timeZone?: string;
  maxReplyChars: number;
  verified: boolean;
  summary?: string;
  recent: readonly Message[];
  passages: ReadonlyArray<{ id: string; title: string; text: string }>;
  /** The text to answer (the new message, or the question asked before verification). */
  customerText: string;
  mask: (text: string) => string;
}

export function instructionsFor(input: Pick<TurnPromptInput, "template" | "boundary" | "companyName" | "channelKind" | "now" | "timeZone" | "maxReplyChars" | "verified">): string {
  const today = calendarDateIn(input.now, input.timeZone);
  return input.template.render({
    company_name: input.companyName,
    today: `${formatCustomerDate(today)} (${today})`,
    channel: CHANNEL_NAMES[input.channelKind],
    customer_status: input.verified
      ? "The customer's identity is verified: the account tools return their records."
      : "The customer is not verified yet: an account tool will ask them to verify before any record is shown.",
    boundary: input.boundary,
    max_reply_chars: String(input.maxReplyChars),
  });
}

export function turnMessages(input: TurnPromptInput): ChatMessage[] {
  const parts: string[] = [];
  const history = [input.summary ? `Earlier in the conversation (summary):\n${input.summary}` : "", input.recent.length > 0 ? transcript(input.recent, input.mask) : ""].filter(Boolean).join("\n\n");
  if (history) parts.push(`The conversation so far:\n${fence(input.boundary, "conversation_history", input.mask(history))}`);
  if (input.passages.length > 0) {
    const text = input.passages.map((passage) => `[${passage.id}] ${passage.title}\n${passage.text}`).join("\n\n");
    parts.push(`Knowledge-base passages that may help:\n${fence(input.boundary, "knowledge_base", input.mask(text))}`);
  }
  parts.push(`The customer's new message:\n${fence(input.boundary, "customer_message", input.mask(input.customerText))}`);
  parts.push("Answer the customer's new message. Use the tools for anything about their account.");
  return [
    { role: "system", content: instructionsFor(input) },
    { role: "user", content: parts.join("\n\n") },
  ];
}
