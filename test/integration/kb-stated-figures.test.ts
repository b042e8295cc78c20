/**
 * A customer's own tickets and no documents (`kb build --tickets` then `eval --cases`): an amount the
 * shipping agents state again and again is policy, so the shipping template keeps it and the reply that
 * uses that template is grounded; one-off refund amounts are never templated, and a figure learned in one
 * category grounds nothing in another category's reply.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EvalCase, evaluateBrain } from "../../src/agent/evaluate.js";
import { composeAnswer } from "../../src/agent/local/compose.js";
import { createGroundedFiguresGuard, createPolicyExceptionGuard } from "../../src/guardrails/index.js";
import { buildKnowledgeBase } from "../../src/kb/build.js";
import type { Category } from "../../src/kb/format.js";
import { loadKnowledgeBase, type KnowledgeBase } from "../../src/kb/load.js";
import { composeLocalBrain } from "../../src/main.js";
import { makeDraft, makeTurn } from "../support/turn.js";

const NAMES = ["Sam", "Ada", "Lee", "Kim", "Noor", "Omar", "Rita", "Tom", "Yuki", "Zoe"];
const SHIPPING_QUESTIONS = [
  "how much does shipping cost", "is shipping free", "what is the delivery fee", "do you charge for shipping",
  "how long does delivery take", "shipping price for my order", "when is delivery free", "how much is postage",
  "what does standard shipping cost", "delivery cost please",
];
const REFUND_QUESTIONS = [
  "where is my refund", "I returned the shoes, when do I get my money back", "refund for my returned jacket",
  "has my refund been processed", "I sent the parcel back, refund please", "money back for my return",
  "refund status for my return", "did you get my returned item, refund?", "returned item refund not received",
  "when will the refund for my return arrive",
];
const LOGIN_QUESTIONS = ["reset my password", "forgot my password", "cannot log in", "password reset link", "change my password"];

function tickets(): object[] {
  const shipping = SHIPPING_QUESTIONS.map((question, index) => ({
    customer_message: question,
    category: "shipping",
    escalated: false,
    csat: 5,
    agent_response:
      index % 3 === 0
        ? `Hi ${NAMES[index]}, standard delivery takes 3-5 business days. Shipping is free on orders over $50. Your basket today came to $${31 + index}.17.`
        : `Hi ${NAMES[index]}, shipping is free on orders over $50. Standard delivery takes 3-5 business days.`,
  }));
  const refunds = REFUND_QUESTIONS.map((question, index) => ({
    customer_message: question,
    category: "refunds",
    escalated: false,
    csat: 5,
    agent_response: `Hi ${NAMES[index]}, I've refunded $${12 + index * 7}.${10 + index} to your card. Refunds show on your statement within 5-10 business days.${index < 5 ? " We've also refunded the $5 return label." : ""}`,
  }));
  const login = LOGIN_QUESTIONS.map((question) => ({ customer_message: question, category: "login", escalated: false, csat: 5, agent_response: "Tap Forgot password on the login screen and follow the link we e-mail you." }));
  return [...shipping, ...refunds, ...login];
}

let dir: string;
let kb: KnowledgeBase;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "kb-stated-figures-"));
  await writeFile(join(dir, "tickets.jsonl"), `${tickets().map((row) => JSON.stringify(row)).join("\n")}\n`);
  await buildKnowledgeBase({ tickets: join(dir, "tickets.jsonl"), out: join(dir, "kb") });
  kb = await loadKnowledgeBase(join(dir, "kb"));
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function category(id: string): Category {
  return kb.categoryById.get(id) as Category;
}

describe("amounts the agents state as policy, in a knowledge base built from tickets alone", () => {
  it("keeps the repeated shipping amount in the template and records where it came from", () => {
    expect(category("shipping").statedFigures).toEqual([{ amount: "$50", tickets: 10, share: 1 }]);
    expect(category("shipping").template?.text).toContain("free on orders over $50");
    expect(category("shipping").template?.text).not.toMatch(/\.17|basket/);
  });

  it("templates no one-off refund amount and no amount from a repeated refund sentence", () => {
    expect(category("refunds").statedFigures).toEqual([]);
    expect(category("refunds").template?.text).toMatch(/5-10 business days/);
    expect(category("refunds").template?.text).not.toMatch(/\$/);
  });

  it("answers the shipping question with the amount, guardrails passing, and keeps refund replies free of amounts", async () => {
    const { brain } = await composeLocalBrain({ kbDir: join(dir, "kb") });
    const cases = [
      { id: "free", text: "is shipping free on my order?", expect_route: "ai", expect_category: "shipping", must_include: ["$50"] },
      { id: "cost", text: "how much does delivery cost", expect_route: "ai", expect_category: "shipping", must_include: ["$50"] },
      { id: "refund", text: "where is the refund for my return", expect_route: "ai", expect_category: "refunds", must_not_include: ["$"] },
    ].map((item) => EvalCase.parse(item));
    const report = await evaluateBrain(brain, cases);
    expect(report.failures).toEqual([]);
    expect(report).toMatchObject({ containment: 1, content_pass_rate: 1, guardrail_violations: 0 });
  });

  it("grounds the figure only in a reply built on that category's template, and never a refund of it", () => {
    const turn = makeTurn({ text: "is shipping free?" });
    const grounded = createGroundedFiguresGuard();
    const shipping = composeAnswer(category("shipping"), undefined);
    const refunds = composeAnswer(category("refunds"), undefined);
    expect(shipping?.text).toContain("$50");
    expect(grounded.check(makeDraft(shipping?.text ?? "", shipping?.facts ?? []), turn).passed).toBe(true);
    const borrowed = `${refunds?.text} Orders over $50 ship free.`;
    expect(grounded.check(makeDraft(borrowed, refunds?.facts ?? []), turn)).toMatchObject({ passed: false, code: "ungrounded_figure" });
    const refunded = `${shipping?.text} I've refunded $50 to your card.`;
    expect(grounded.check(makeDraft(refunded, shipping?.facts ?? []), turn).passed).toBe(true);
    expect(createPolicyExceptionGuard().check(makeDraft(refunded, shipping?.facts ?? []), turn).passed).toBe(false);
  });

  it("still loads a knowledge base built before stated figures were recorded", async () => {
    const path = join(dir, "kb", "categories.json");
    const categories = JSON.parse(await readFile(path, "utf8")) as Array<Record<string, unknown>>;
    await writeFile(path, JSON.stringify(categories.map(({ statedFigures: _dropped, ...rest }) => rest)));
    const older = await loadKnowledgeBase(join(dir, "kb"));
    expect(older.categoryById.get("shipping")?.statedFigures).toEqual([]);
    expect(older.categoryById.get("shipping")?.template?.text).toContain("$50");
  });
});
