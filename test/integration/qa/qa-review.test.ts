/**
 * QA review on a real PostgreSQL store seeded through the store API: rule scores and flags without a
 * model, rubric scores with the fake model (capped by the recorded hard facts), the per-category quality
 * file, the routing that sends a low-scoring category to a person, and the CLI end to end.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOpenAIChatModel } from "../../../adapters/llm/index.js";
import { openConversationStore } from "../../../adapters/store/index.js";
import { QUALITY_MUST_HUMAN, qualityFileSource, withQualityRouting } from "../../../escalation/rules/quality-routing.js";
import { CircuitBreaker } from "../../../src/agent/openai/circuit-breaker.js";
import { ResilientChatModel } from "../../../src/agent/openai/resilient-model.js";
import { DailyBudget, InMemorySpendLedger } from "../../../src/agent/openai/spend.js";
import { maskForModel } from "../../../src/guardrails/mask-for-model.js";
import { silentLogger } from "../../../src/logging/logger.js";
import { LlmMetrics } from "../../../src/observability/llm-metrics.js";
import type { ConversationStore } from "../../../src/ports/conversation-store.js";
import { DEFAULT_QUALITY_THRESHOLDS, readQualityFile, writeQualityFile } from "../../../src/qa/quality-file.js";
import { renderHtml, renderMarkdown } from "../../../src/qa/report-render.js";
import { qualityFileOf, runQaReview, type QaReport } from "../../../src/qa/review.js";
import { startFakeOpenAI, type FakeOpenAIServer } from "../../fakes/openai-server.js";
import { createScratchDatabase, type ScratchDatabase } from "../../support/postgres.js";
import { failed, passed, seedConversation } from "../../support/qa-seed.js";
import { testRouting } from "../../support/test-brain.js";
import { makeDraft, makeTurn } from "../../support/turn.js";

const run = promisify(execFile);
const BIN = new URL("../../../bin/switchboard.js", import.meta.url).pathname;

let database: ScratchDatabase;
let store: ConversationStore;
let fake: FakeOpenAIServer;
const ids: Record<string, string> = {};

beforeAll(async () => {
  database = await createScratchDatabase();
  store = await openConversationStore({ databaseUrl: database.url, pgliteDataDir: "", poolSize: 2, logger: silentLogger() });
  await store.migrate();
  fake = await startFakeOpenAI();

  ids.good = await seedConversation(store, {
    address: "good",
    category: "payment_schedule",
    csat: 5,
    turns: [{ customer: "When is my next payment?", decision: { route: "ai", category: "payment_schedule", guardrails: [passed("grounded_figures")] }, reply: "Your next payment is $37.50 on December 6, 2026." }],
  });
  ids.ungrounded = await seedConversation(store, {
    address: "ungrounded",
    category: "refund_status",
    turns: [
      { customer: "My card 4111111111111111 was refunded?", decision: { route: "ai", category: "refund_status" }, reply: "Let me check that for you." },
      { customer: "How much is my refund?", decision: { route: "human", reasonCodes: ["ungrounded_figure"], guardrails: [failed("grounded_figures", "ungrounded_figure")] } },
    ],
  });
  ids.frustrated = await seedConversation(store, {
    address: "frustrated",
    category: "late_fee",
    csat: 1,
    turns: [
      { customer: "Why was I charged a late fee?", decision: { route: "ai", category: "late_fee" }, reply: "A late fee may apply when a payment is missed." },
      { customer: "This is useless, you are not helping!!!", decision: { route: "human", reasonCodes: ["frustration"] } },
    ],
  });
  ids.loop = await seedConversation(store, {
    address: "loop",
    category: "late_fee",
    csat: 2,
    turns: [
      { customer: "question about the late fee", decision: { route: "ai" }, reply: "A late fee may apply when a payment is missed." },
      { customer: "but why me", decision: { route: "ai" }, reply: "A late fee may apply when a payment is missed." },
      { customer: "I want to talk to a person", decision: { route: "human", reasonCodes: ["human_requested"] } },
    ],
  });
  ids.unhelpful = await seedConversation(store, {
    address: "unhelpful",
    category: "late_fee",
    csat: 2,
    turns: [
      { customer: "what is this fee", decision: { route: "ai" }, reply: "It is a late fee." },
      { customer: "that did not answer my question", decision: { route: "human", reasonCodes: ["answer_not_helpful"] } },
    ],
  });
  // A conversation the AI never handled is not reviewed.
  await seedConversation(store, { address: "human-only", turns: [{ customer: "hello", decision: { route: "human", reasonCodes: ["human_owned"], engine: undefined } }] });
}, 60_000);

afterAll(async () => {
  await store?.close();
  await fake?.close();
  await database?.drop();
});

function item(report: QaReport, key: string) {
  const found = report.items.find((candidate) => candidate.conversationId === ids[key]);
  expect(found, key).toBeDefined();
  return found!;
}

const thresholds = DEFAULT_QUALITY_THRESHOLDS;
const mask = (text: string) => maskForModel(text, { personal: true });

describe("qa review without a model (rules and CSAT)", () => {
  let report: QaReport;
  beforeAll(async () => {
    report = await runQaReview({ store, now: new Date(), thresholds, previousQuality: null, mask });
  });

  it("reviews only the conversations the AI took part in", () => {
    expect(report.scoring).toBe("rules");
    expect(report.conversations).toBe(5);
  });

  it("flags errors: a blocked ungrounded figure, frustration after an AI answer, a loop", () => {
    expect(item(report, "good")).toMatchObject({ flags: [], overall: 5, dissatisfied: false });
    expect(item(report, "ungrounded").flags).toEqual(expect.arrayContaining(["guardrail:ungrounded_figure", "ungrounded_figure"]));
    expect(item(report, "ungrounded").scores.accuracy).toBe(1);
    expect(item(report, "frustrated").flags).toEqual(expect.arrayContaining(["frustration_after_ai", "low_csat"]));
    expect(item(report, "loop").flags).toEqual(expect.arrayContaining(["loop", "human_requested_after_ai", "low_csat"]));
    expect(item(report, "loop").scores.escalation_judgement).toBe(2);
  });

  it("flags dissatisfied customers (CSAT <= 2 or frustration after an AI answer)", () => {
    expect(report.dissatisfied).toBe(3);
    expect(report.csat).toEqual({ responses: 4, mean: 2.5, dissatisfied: 3 });
  });

  it("a category whose CSAT fell below the threshold must go to people", () => {
    const lateFee = report.categories.find((category) => category.category === "late_fee");
    expect(lateFee).toMatchObject({ conversations: 3, csatResponses: 3 });
    expect(lateFee?.csat).toBeCloseTo(1.67, 2);
    expect(report.mustHuman.map((entry) => entry.category)).toEqual(["late_fee"]);
    expect(report.mustHuman[0]?.reason).toMatch(/CSAT 1\.67 < 3 over 3 conversations/);
  });

  it("renders Markdown and HTML (escaped) reports", () => {
    const markdown = renderMarkdown(report);
    expect(markdown).toContain("# QA review");
    expect(markdown).toContain("| late_fee | 3 |");
    expect(markdown).toContain(ids.ungrounded);
    const html = renderHtml(report);
    expect(html).toContain("<h1>QA review</h1>");
    expect(html).not.toContain("<script");
  });

  it("the quality file routes a low-scoring category to a person (and only that one)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "quality-"));
    const path = join(dir, "quality.json");
    await writeQualityFile(path, qualityFileOf(report, thresholds));
    const routing = withQualityRouting(testRouting, qualityFileSource(path, { recheckMs: 0 }));
    const turn = makeTurn({ text: "why do I have a late fee", customerId: "C-1002" });
    const hits = routing.afterAnswer(turn, makeDraft("A late fee may apply.", [], { category: "late_fee" }));
    expect(hits).toEqual([expect.objectContaining({ code: QUALITY_MUST_HUMAN, category: "late_fee" })]);
    expect(routing.afterAnswer(turn, makeDraft("Your next payment is due soon.", [], { category: "payment_schedule" }))).toEqual([]);

    // Recovery: a later review with enough good late_fee conversations drops it.
    const recovered = { ...report, categories: report.categories.map((category) => (category.category === "late_fee" ? { ...category, score: 4.5, csat: 4.5 } : category)) };
    const { nextMustHumanList } = await import("../../../src/qa/quality-file.js");
    expect(nextMustHumanList(await readQualityFile(path), recovered.categories, thresholds, new Date())).toEqual([]);
  });
});

describe("qa review with a model (structured-output rubric)", () => {
  it("scores with the rubric, never above the recorded hard facts, and counts usage", async () => {
    fake.requests.length = 0;
    fake.setScript(() => ({
      kind: "json",
      json: { accuracy: 5, completeness: 4, tone: 4, escalation_judgement: 4, policy_compliance: 5, customer_dissatisfied: false, issues: ["fine"], summary: "The assistant answered." },
      usage: { prompt_tokens: 400, completion_tokens: 80 },
    }));
    const model = new ResilientChatModel({
      model: createOpenAIChatModel({ apiKey: fake.apiKey, baseURL: fake.baseURL, model: "gpt-test" }),
      breaker: new CircuitBreaker({ failureThreshold: 5, cooldownMs: 1_000 }),
      budget: new DailyBudget(new InMemorySpendLedger(), undefined),
      prices: { inputPer1k: 0.001, outputPer1k: 0.002 },
      metrics: new LlmMetrics(new Registry()),
    });
    const report = await runQaReview({ store, now: new Date(), thresholds, previousQuality: null, mask, model });
    expect(report.scoring).toBe("model");
    expect(report.model).toBe("gpt-test");
    expect(fake.requests).toHaveLength(5);
    expect(report.usage).toEqual({ promptTokens: 2_000, completionTokens: 400, costUsd: 0.0028 });
    expect(item(report, "good")).toMatchObject({ scoredBy: "model", issues: ["fine"], summary: "The assistant answered." });
    // The model said accuracy 5; the blocked ungrounded figure caps it at 1.
    expect(item(report, "ungrounded").scores.accuracy).toBe(1);
    expect(item(report, "ungrounded").flags).toContain("ungrounded_figure");

    const request = fake.requests.find((candidate) => (candidate.body.messages[1]?.content ?? "").includes("was refunded"))!;
    expect(request.body.response_format).toMatchObject({ json_schema: { name: "qa_review", strict: true } });
    const shown = request.body.messages[1]!.content ?? "";
    expect(shown).toMatch(/<<<DATA [0-9a-f]{18} conversation>>>/);
    expect(shown).toContain("[card ending 1111]");
    expect(shown).not.toContain("4111111111111111");
    expect(shown).toContain("blocked draft: ungrounded_figure");
    expect(request.body.messages[0]!.content).not.toContain("was refunded");
  });

  it("a model failure on a conversation falls back to its rule scores", async () => {
    fake.requests.length = 0;
    fake.setScript(() => ({ kind: "error", status: 400, message: "unsupported" }));
    const model = new ResilientChatModel({
      model: createOpenAIChatModel({ apiKey: fake.apiKey, baseURL: fake.baseURL, model: "gpt-test" }),
      breaker: new CircuitBreaker({ failureThreshold: 100, cooldownMs: 1_000 }),
      budget: new DailyBudget(new InMemorySpendLedger(), undefined),
      prices: { inputPer1k: 0, outputPer1k: 0 },
    });
    const report = await runQaReview({ store, now: new Date(), thresholds, previousQuality: null, mask, model });
    expect(report.modelFailures).toBe(5);
    expect(report.items.every((entry) => entry.scoredBy === "rules")).toBe(true);
  });
});

describe("switchboard qa review (the CLI)", () => {
  it("writes the Markdown and JSON reports and the quality file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "qa-cli-"));
    const out = join(dir, "report.md");
    const { stdout } = await run(process.execPath, [BIN, "qa", "review", "--since", "1d", "--out", out], {
      env: { ...process.env, DATABASE_URL: database.url, DATA_DIR: dir, AI_ENGINE: "local", LOG_LEVEL: "silent" },
      timeout: 60_000,
    });
    expect(stdout).toContain("Reviewed 5 AI-handled conversations");
    expect(stdout).toContain("routed to people until they recover: late_fee");
    expect(readFileSync(out, "utf8")).toContain("## By category");
    const json = JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as QaReport;
    expect(json.conversations).toBe(5);
    const quality = await readQualityFile(join(dir, "quality.json"));
    expect(quality?.mustHuman.map((entry) => entry.category)).toEqual(["late_fee"]);
  }, 90_000);

  it("rejects a bad --since with a clear message", async () => {
    const failure = await run(process.execPath, [BIN, "qa", "review", "--since", "last tuesday"], { env: { ...process.env, DATABASE_URL: database.url, LOG_LEVEL: "silent" } }).catch((error: { stderr: string; code: number }) => error);
    expect((failure as { code: number }).code).toBe(1);
    expect((failure as { stderr: string }).stderr).toContain("--since must be a date");
  }, 60_000);
});
