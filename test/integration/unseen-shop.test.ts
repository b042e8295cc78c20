/**
 * Generalisation: a knowledge base built from a small shop and mobile-phone ticket set (no rule or
 * template of ours names its topics), then 40 hand-labelled messages of that domain: escape hatch in
 * several wordings, refund amounts without a currency sign, hardship, acknowledgements, policy questions.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateBrain, readEvalCases, type EvalReport } from "../../src/agent/evaluate.js";
import { buildKnowledgeBase } from "../../src/kb/build.js";
import { composeLocalBrain } from "../../src/main.js";

const FIXTURES = "test/fixtures/unseen-shop";
let dir: string;
let report: EvalReport;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "unseen-shop-"));
  await buildKnowledgeBase({ tickets: join(FIXTURES, "tickets.jsonl"), out: join(dir, "kb") });
  const { brain } = await composeLocalBrain({ kbDir: join(dir, "kb") });
  report = await evaluateBrain(brain, await readEvalCases(join(FIXTURES, "cases.jsonl")));
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("routing on a domain the demo never saw", () => {
  it("sends every case that needs a person to one and keeps the others with the AI", () => {
    expect(report.failures.map((failure) => `${failure.id}: ${failure.route} (${failure.reason_codes.join(", ")})`)).toEqual([]);
    expect(report).toMatchObject({ cases: 40, route_accuracy: 1, human_recall: 1 });
  });

  it("answers the shipping questions with the amount the agents state as policy instead of asking what they mean", () => {
    // The shipping answers repeat "free over $50" and no document states it: without it, no template and a clarifying question.
    expect(report.clarification_rate).toBe(0);
  });
});
