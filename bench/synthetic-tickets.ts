/**
 * Synthetic resolved tickets for benchmarks and scale tests: 30 categories of varied wording, agent
 * responses, escalation flags and CSAT, generated from a seed (the same seed gives the same file).
 */
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import { seededRandom } from "../src/kb/softmax.js";

const SUBJECTS = [
  "payment", "refund", "order", "card", "account", "password", "delivery", "statement", "limit", "fee",
  "installment", "autopay", "dispute", "merchant", "return", "app", "email", "phone", "address", "plan",
  "interest", "balance", "receipt", "coupon", "subscription", "transfer", "login", "verification", "invoice", "warranty",
];
const ACTIONS = ["change", "check", "cancel", "update", "find", "fix", "understand", "stop", "start", "move"];
const OPENERS = ["hi", "hello", "hey there", "good morning", "", "", "", "excuse me"];
const FRAMES = [
  "how do i {a} my {s}", "i need to {a} the {s}", "can you help me {a} my {s}", "why can't i {a} my {s}",
  "what happens when i {a} my {s}", "is it possible to {a} the {s} today", "my {s} is wrong, how do i {a} it",
  "i tried to {a} my {s} but it failed", "where can i {a} my {s}", "question about my {s}: can i {a} it?",
];

export function syntheticTicket(random: () => number, index: number): Record<string, unknown> {
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const category = Math.floor(random() * SUBJECTS.length);
  const subject = SUBJECTS[category] as string;
  const secondary = random() < 0.3 ? ` and also my ${pick(SUBJECTS)}` : "";
  const text = `${pick(OPENERS)} ${pick(FRAMES).replace("{a}", pick(ACTIONS)).replace("{s}", subject)}${secondary}`.trim();
  const escalated = category % 6 === 0 ? random() < 0.85 : random() < 0.05;
  return {
    id: `T-${index}`,
    customer_message: text,
    agent_response: `Thanks for reaching out. To manage your ${subject}, open the app, go to Settings and choose ${subject}. Let us know if anything else comes up.`,
    category: `cat_${subject}`,
    escalated,
    resolution_minutes: Math.round(5 + random() * 120),
    csat: 1 + Math.floor(random() * 5),
    channel: pick(["sms", "whatsapp", "webchat"]),
  };
}

/** Writes `count` tickets as JSONL; `labelled: false` drops the categories. */
export async function writeSyntheticTickets(path: string, count: number, options: { seed?: number; labelled?: boolean } = {}): Promise<void> {
  const random = seededRandom(options.seed ?? 42);
  const out = createWriteStream(path, { encoding: "utf8" });
  for (let index = 0; index < count; index += 1) {
    const ticket = syntheticTicket(random, index);
    if (options.labelled === false) delete ticket.category;
    if (!out.write(`${JSON.stringify(ticket)}\n`)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}
