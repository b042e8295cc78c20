/**
 * Text crossing between customers and Slack. Toward Slack: everything is masked (no full card number or
 * token ever reaches Slack) and escaped, so a customer cannot ping `@channel`, mention people or forge
 * links. Toward the customer: an agent's Slack markup becomes plain text.
 */
import { maskSensitiveText } from "../../src/privacy/mask.js";

/** Slack's three control characters (https://api.slack.com/reference/surfaces/formatting#escaping). */
export function escapeForSlack(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Anything a customer (or a provider) wrote, made safe to show agents in Slack. */
export function customerTextForSlack(text: string): string {
  return escapeForSlack(maskSensitiveText(text));
}

/** Cut to `max` characters (an ellipsis included) without splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 1) return text.slice(0, Math.max(0, max));
  let cut = max - 1;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return `${text.slice(0, cut)}…`;
}

/**
 * An agent's Slack message as the customer should read it: links become `label (url)`, mentions and
 * channel references become plain words, entities are decoded.
 */
export function slackTextToPlain(text: string): string {
  const converted = text.replace(/<([^<>]+)>/g, (_whole, inner: string) => {
    const [target = "", label] = inner.split("|", 2);
    if (target.startsWith("@")) return label ? `@${label}` : "@colleague";
    if (target.startsWith("#")) return label ? `#${label}` : "#channel";
    if (target.startsWith("!")) {
      const special = target.slice(1).split("^")[0] ?? "";
      return special === "here" || special === "channel" || special === "everyone" ? `@${special}` : label ? `@${label}` : "";
    }
    if (target.startsWith("mailto:")) return label ?? target.slice("mailto:".length);
    if (!label || label === target || `http://${label}` === target || `https://${label}` === target) return target;
    return `${label} (${target})`;
  });
  return converted.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&").trim();
}
