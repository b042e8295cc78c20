/**
 * What change a customer asks for, in their words: autopay on or off, a card-update link, a due date
 * moved (by N days, to the Nth, to a month and day). Only an unambiguous request counts; anything else
 * is a question and gets the usual answer.
 */
import type { AccountActionKind } from "../../kb/format.js";
import { foldText } from "../../kb/text.js";

export type DueDateTarget = { shiftDays: number } | { dayOfMonth: number } | { monthDay: { month: number; day: number } } | { isoDate: string };

export type ActionRequest =
  | { kind: "set_autopay"; enabled: boolean }
  | { kind: "send_card_update_link" }
  | { kind: "change_due_date"; target: DueDateTarget };

const OBJECT = "(?:it|autopay|auto ?pay|automatic payments?|auto ?payments?|auto ?debit)";
const TURN_OFF = new RegExp(`\\b(?:turn|switch|set|shut)\\s+(?:${OBJECT}\\s+)?off\\b|\\b(?:disable|stop|cancel|pause|deactivate|end)\\b`, "u");
const TURN_ON = new RegExp(`\\b(?:turn|switch|set)\\s+(?:${OBJECT}\\s+)?on\\b|\\b(?:enable|activate|start|resume|restart|reactivate)\\b`, "u");
const NUMBER_WORDS: Record<string, number> = { a: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, ten: 10, fourteen: 14 };
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

function dueDateTarget(text: string): DueDateTarget | null {
  const iso = /\b(\d{4}-\d{2}-\d{2})\b/.exec(text);
  if (iso) return { isoDate: iso[1] as string };
  const shift = /\b(?:by|for)\s+(\d{1,2}|a|one|two|three|four|five|six|seven|ten|fourteen)\s+(day|days|week|weeks)\b|\b(\d{1,2}|a|one|two|three|four|five|six|seven|ten|fourteen)\s+(day|days|week|weeks)\s+(?:later|after|more)\b/u.exec(text);
  if (shift) {
    const amount = shift[1] ?? shift[3] ?? "1";
    const unit = shift[2] ?? shift[4] ?? "days";
    const count = /^\d+$/.test(amount) ? Number(amount) : (NUMBER_WORDS[amount] ?? 1);
    return { shiftDays: unit.startsWith("week") ? count * 7 : count };
  }
  const monthFirst = /\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b/u.exec(text);
  const dayFirst = /\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b/u.exec(text);
  if (monthFirst) return { monthDay: { month: MONTHS.indexOf(monthFirst[1] as string) + 1, day: Number(monthFirst[2]) } };
  if (dayFirst) return { monthDay: { month: MONTHS.indexOf(dayFirst[2] as string) + 1, day: Number(dayFirst[1]) } };
  const day = /\b(?:to|on|until|for)\s+(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)\b|\b(?:to|on|until)\s+the\s+(\d{1,2})\b/u.exec(text);
  if (day) return { dayOfMonth: Number(day[1] ?? day[2]) };
  return null;
}

export function parseActionRequest(kind: AccountActionKind, message: string): ActionRequest | null {
  const text = foldText(message.slice(0, 1_000)).replace(/\s+/g, " ");
  switch (kind) {
    case "set_autopay": {
      const off = TURN_OFF.test(text);
      const on = TURN_ON.test(text);
      if (off === on) return null;
      return { kind: "set_autopay", enabled: on };
    }
    case "send_card_update_link":
      return /\bcard\b/u.test(text) ? { kind: "send_card_update_link" } : null;
    case "change_due_date": {
      const target = dueDateTarget(text);
      return target ? { kind: "change_due_date", target } : null;
    }
  }
}
