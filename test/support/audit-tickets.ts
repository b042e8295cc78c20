/**
 * A small synthetic ticket file for the audit's tests: four categories (two simple, one people always
 * handled with low CSAT and long resolutions, one without agent responses), one escalated ticket that
 * reads exactly like a simple one (the AI will answer it: a risk), hostile HTML, a card number, an e-mail
 * and a phone number in messages, bad rows, an exact duplicate and an id used twice.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const HOSTILE = `<script>alert("x")</script><img src=x onerror=alert(1)>`;
export const CARD = "4111 1111 1111 1111";
export const EMAIL = "jane.doe@example.com";
export const PHONE = "+1 415 555 0134";

const HOURS = [
  "what are your opening hours", "when is support open", "are you open on sundays", "what time does support close",
  "opening hours of customer service", "can I call support at night", "what hours can I reach you", "is support open today",
];
const PAYMENT_DATE = [
  "when is my next payment due", "what date is my next installment", "when do you take the next payment",
  "which day is my payment due", "when will the next installment be charged", "what is the due date of my payment",
  "when is the installment due", "due date for my next payment",
];
const DISPUTE = [
  "I want to dispute a charge from the merchant", "the merchant never delivered, dispute it", "open a dispute for my order please",
  "I was charged twice, I want to dispute it", "dispute the payment, the item was broken", "please start a dispute with the store",
  "the shop refuses to refund me, I want to dispute", "raise a dispute on my last purchase",
];
const GIFT = ["can I pay with a gift card", "do you accept gift cards", "use a gift card for my plan", "gift card as payment method"];

export interface AuditFixture {
  dir: string;
  tickets: string;
  /** Line of each deliberate problem, for assertions. */
  lines: { invalidJson: number; emptyMessage: number; badCsat: number; missingMessage: number; duplicate: number; risk: number; hostile: number; card: number };
}

function day(offset: number): string {
  return new Date(Date.UTC(2026, 0, 5 + offset, 9, 0, 0)).toISOString();
}

/** Writes the fixture as JSONL (`labelled: false` drops every category). */
export async function writeAuditFixture(options: { labelled?: boolean } = {}): Promise<AuditFixture> {
  const labelled = options.labelled ?? true;
  const lines: string[] = [];
  const at: Partial<AuditFixture["lines"]> = {};
  const push = (row: Record<string, unknown> | string, mark?: keyof AuditFixture["lines"]) => {
    if (typeof row !== "string" && !labelled) delete row.category;
    lines.push(typeof row === "string" ? row : JSON.stringify(row));
    if (mark) at[mark] = lines.length;
  };
  let id = 0;
  const next = () => `T-${(id += 1)}`;

  // The card number opens the payment-date category, so it is one of the category's sample messages.
  push({ id: next(), customer_message: `when is my next payment due? my card is ${CARD}`, category: "payment_date", escalated: false, csat: 5, resolution_minutes: 4, channel: "sms", agent_response: "Your next payment date is in the app under Plans.", created_at: day(0) }, "card");
  for (const [index, message] of PAYMENT_DATE.entries()) {
    push({ id: next(), customer_message: message, category: "payment_date", escalated: false, csat: 5, resolution_minutes: 5 + index, channel: "sms", agent_response: "Your next payment date is in the app under Plans.", created_at: day(index) });
  }
  for (const [index, message] of HOURS.entries()) {
    push({ id: next(), customer_message: message, category: "opening_hours", escalated: false, csat: 5 - (index % 2), channel: "webchat", agent_response: "Support is open every day from 8am to 8pm.", created_at: day(index), resolved_at: day(index).replace("09:00", "09:10") });
  }
  for (const [index, message] of DISPUTE.entries()) {
    push({ id: next(), customer_message: message, category: "dispute", escalated: true, csat: 1 + (index % 2), resolution_minutes: 300 + index * 20, channel: "whatsapp", agent_response: "Our disputes team has opened a case and paused your payments." });
  }
  for (const message of GIFT) push({ id: next(), customer_message: message, category: "gift_cards", escalated: false, csat: 4, resolution_minutes: 6, channel: "webchat" });

  // A person handled this one although it reads like every simple opening-hours question.
  push({ id: next(), customer_message: "what are your opening hours", category: "opening_hours", escalated: true, csat: 3, resolution_minutes: 45, channel: "webchat", agent_response: "Support is open every day from 8am to 8pm." }, "risk");
  push({ id: next(), customer_message: `when is support open ${HOSTILE} mail ${EMAIL} or call ${PHONE}`, category: "opening_hours", escalated: false, csat: 4, channel: `<b>chat</b>`, agent_response: "Support is open every day from 8am to 8pm." }, "hostile");

  push("{ this is not json", "invalidJson");
  push({ id: next(), customer_message: "   ", category: "opening_hours" }, "emptyMessage");
  push({ id: next(), customer_message: "when is support open", category: "opening_hours", csat: CARD.replace(/ /g, "") }, "badCsat");
  push({ id: next(), category: "opening_hours", agent_response: "no message here" }, "missingMessage");
  // An exact copy of the second row, and a different ticket under the first row's id.
  lines.push(lines[1] as string);
  at.duplicate = lines.length;
  push({ id: "T-1", customer_message: "is support open on holidays", category: "opening_hours", escalated: false, csat: 5, agent_response: "Support is open every day from 8am to 8pm." });

  const dir = await mkdtemp(join(tmpdir(), "audit-fixture-"));
  const tickets = join(dir, labelled ? "tickets.jsonl" : "unlabelled.jsonl");
  await writeFile(tickets, `${lines.join("\n")}\n`, "utf8");
  return { dir, tickets, lines: at as AuditFixture["lines"] };
}
