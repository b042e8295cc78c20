/**
 * Data goes to the model inside fenced blocks whose markers carry a random boundary token chosen per
 * turn: `<<<DATA 9f3c... customer_message>>>` ... `<<<END 9f3c...>>>`. The instructions say that only
 * text outside such blocks instructs the model. A customer cannot close the block early: they do not
 * know the token, and anything in the data that looks like a marker is defanged.
 */
import { randomBytes } from "node:crypto";

export function newBoundary(): string {
  return randomBytes(9).toString("hex");
}

/** `<<<` and `>>>` cannot appear inside data, so no data line can pass for a marker. */
function defang(text: string): string {
  return text.replace(/<{3,}/g, "‹‹‹").replace(/>{3,}/g, "›››");
}

function safeLabel(label: string): string {
  return label.replace(/[^A-Za-z0-9_:.#-]/g, "_").slice(0, 80) || "data";
}

export function fence(boundary: string, label: string, text: string): string {
  const body = defang(text).split(boundary).join("[boundary]");
  return `<<<DATA ${boundary} ${safeLabel(label)}>>>\n${body}\n<<<END ${boundary}>>>`;
}
