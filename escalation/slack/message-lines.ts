/**
 * One conversation message as agents see it in Slack: who wrote it, when (Slack renders the time in each
 * agent's own timezone), and the text masked and escaped. Shared by the post, the transcript and mirrors.
 */
import type { Conversation, Message } from "../../src/domain/model.js";
import { maskEmail, maskPhoneNumber, maskSensitiveText } from "../../src/privacy/mask.js";
import { customerTextForSlack, escapeForSlack, truncate } from "./slack-text.js";

/** `<!date^...>`: Slack shows it in the reader's timezone; the fallback is UTC. */
export function slackTime(at: Date): string {
  const unix = Math.floor(at.getTime() / 1000);
  const fallback = `${at.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  return `<!date^${unix}^{date_short_pretty} {time}|${fallback}>`;
}

export function authorLabel(message: Message): string {
  switch (message.author) {
    case "customer":
      return "Customer";
    case "ai":
      return "AI";
    case "agent":
      return escapeForSlack(message.authorName ? `${message.authorName} (agent)` : "Agent");
    default:
      return "Switchboard";
  }
}

function attachmentNote(message: Message): string {
  const count = message.attachments.length;
  if (count === 0) return "";
  const kinds = [...new Set(message.attachments.map((attachment) => attachment.contentType.split(";")[0]))].join(", ");
  return `\n:paperclip: ${count} attachment${count === 1 ? "" : "s"} (${escapeForSlack(kinds)})`;
}

/**
 * The masked, escaped body of a message; `max` bounds the text part (the header line is extra) and is
 * applied after escaping, so the result never exceeds it whatever the customer typed.
 */
export function messageBody(message: Message, max?: number, oneLine = false): string {
  const raw = message.text.trim() === "" ? "(no text)" : message.text;
  const text = customerTextForSlack(oneLine ? raw.replace(/\s+/g, " ").trim() : raw);
  const note = attachmentNote(message);
  return `${max === undefined ? text : truncate(text, max)}${oneLine ? note.replace("\n", " ") : note}`;
}

export function messageHeading(message: Message): string {
  return `*${authorLabel(message)}* · ${slackTime(message.createdAt)}`;
}

/** A one-line preview: `*Customer* · 10:42: text`, whitespace collapsed. */
export function messagePreview(message: Message, max: number): string {
  return `${messageHeading(message)}: ${messageBody(message, max, true)}`;
}

/** `*Customer* · 10:42` then the text, quoted so it reads as the customer's words. */
export function messageLine(message: Message, max?: number): string {
  const body = messageBody(message, max)
    .split("\n")
    .map((line) => `>${line}`)
    .join("\n");
  return `${messageHeading(message)}\n${body}`;
}

/**
 * The customer's address, masked: phones keep country, area and last digits, e-mails their first letter
 * and domain, opaque ids (web chat visitors) their first characters.
 */
export function maskedAddress(address: string): string {
  const [scheme, rest] = address.includes(":") && !address.includes("@") ? (address.split(/:(.*)/s, 2) as [string, string]) : ["", address];
  const prefix = scheme ? `${scheme}:` : "";
  if (rest.includes("@")) return escapeForSlack(prefix + maskEmail(rest));
  const digits = rest.replace(/\D/g, "");
  if (/^\+?[\d\s().-]+$/.test(rest) && digits.length >= 7) return escapeForSlack(prefix + maskPhoneNumber(rest));
  return escapeForSlack(prefix + truncate(maskSensitiveText(rest), 12));
}

export function customerLabel(conversation: Conversation): string {
  const name = conversation.customerName?.trim();
  const address = maskedAddress(conversation.customerAddress);
  return name ? `${truncate(escapeForSlack(maskSensitiveText(name)), 120)} (${address})` : address;
}

/** "4 min", "1 h 5 min", "2 d 3 h". */
export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 1) return "under a minute";
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}
