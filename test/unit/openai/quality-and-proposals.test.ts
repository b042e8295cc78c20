import { mkdtempSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { QUALITY_MUST_HUMAN, qualityFileSource, withQualityRouting } from "../../../escalation/rules/quality-routing.js";
import { toDecisionTree } from "../../../src/kb/model-assist/propose.js";
import { keepDecisions, type Proposals } from "../../../src/kb/model-assist/proposals.js";
import { DEFAULT_QUALITY_THRESHOLDS, belowThreshold, nextMustHumanList, type QualityFile } from "../../../src/qa/quality-file.js";
import { parseSince } from "../../../src/cli/qa-review.js";
import { makeDraft, makeTurn } from "../../support/turn.js";

const now = new Date("2026-03-10T12:00:00Z");
const quality = (category: string, score: number | null, csat: number | null, conversations = 5) => ({ category, conversations, score, csat, csatResponses: csat === null ? 0 : conversations, flagged: 0 });

describe("quality thresholds", () => {
  it("judge a category only with enough conversations, on score or CSAT", () => {
    expect(belowThreshold(quality("a", 2.5, null, 2), DEFAULT_QUALITY_THRESHOLDS)).toBeNull();
    expect(belowThreshold(quality("a", 2.5, null), DEFAULT_QUALITY_THRESHOLDS)).toBe("QA score 2.5 < 3 over 5 conversations");
    expect(belowThreshold(quality("a", 4, 2), DEFAULT_QUALITY_THRESHOLDS)).toBe("CSAT 2 < 3 over 5 conversations");
    expect(belowThreshold(quality("a", 4, 4), DEFAULT_QUALITY_THRESHOLDS)).toBeNull();
  });

  it("renew low categories, drop recovered ones, keep unjudged ones until they expire", () => {
    const previous: QualityFile = {
      format: "switchboard-quality",
      version: 1,
      generatedAt: "2026-03-05T00:00:00Z",
      thresholds: DEFAULT_QUALITY_THRESHOLDS,
      categories: [],
      mustHuman: [
        { category: "late_fees", reason: "old", since: "2026-03-01T00:00:00.000Z", expiresAt: "2026-03-08T00:00:00.000Z" },
        { category: "refund_status", reason: "old", since: "2026-03-05T00:00:00.000Z", expiresAt: "2026-03-12T00:00:00.000Z" },
        { category: "dispute", reason: "old", since: "2026-03-05T00:00:00.000Z", expiresAt: "2026-03-12T00:00:00.000Z" },
        { category: "autopay", reason: "old", since: "2026-03-04T00:00:00.000Z", expiresAt: "2026-03-11T00:00:00.000Z" },
      ],
    };
    const next = nextMustHumanList(previous, [quality("dispute", 4.5, 4.5), quality("autopay", 2, null), quality("order_status", 1.5, null)], DEFAULT_QUALITY_THRESHOLDS, now);
    expect(next.map((entry) => entry.category)).toEqual(["autopay", "order_status", "refund_status"]);
    expect(next.find((entry) => entry.category === "autopay")).toMatchObject({ since: "2026-03-04T00:00:00.000Z", expiresAt: "2026-03-17T12:00:00.000Z" });
  });
});

describe("quality routing", () => {
  const inner = { beforeAnswer: () => [], afterAnswer: () => [] };
  const file = (mustHuman: QualityFile["mustHuman"]): QualityFile => ({ format: "switchboard-quality", version: 1, generatedAt: now.toISOString(), thresholds: DEFAULT_QUALITY_THRESHOLDS, categories: [], mustHuman });

  it("re-reads the file when it changes; a broken file keeps the last good list; no file, no rule", () => {
    const dir = mkdtempSync(join(tmpdir(), "quality-routing-"));
    const path = join(dir, "quality.json");
    const routing = withQualityRouting(inner, qualityFileSource(path, { recheckMs: 0 }));
    const turn = makeTurn({ text: "late fee?", now: new Date() });
    const draft = makeDraft("A late fee may apply.", [], { category: "late_fees" });
    expect(routing.afterAnswer(turn, draft)).toEqual([]);

    writeFileSync(path, JSON.stringify(file([{ category: "late_fees", reason: "QA score 2 < 3", since: now.toISOString(), expiresAt: "2999-01-01T00:00:00.000Z" }])));
    expect(routing.afterAnswer(turn, draft)).toEqual([expect.objectContaining({ code: QUALITY_MUST_HUMAN, category: "late_fees" })]);

    writeFileSync(path, "{ not json");
    utimesSync(path, new Date(), new Date(Date.now() + 5_000));
    expect(routing.afterAnswer(turn, draft)).toHaveLength(1);

    writeFileSync(path, JSON.stringify(file([{ category: "late_fees", reason: "old", since: now.toISOString(), expiresAt: "2000-01-01T00:00:00.000Z" }])));
    utimesSync(path, new Date(), new Date(Date.now() + 10_000));
    expect(routing.afterAnswer(turn, draft)).toEqual([]);
  });

  it("an escalating draft is left to the other rules", () => {
    const source = { mustHuman: () => [{ category: "late_fees", reason: "r", since: "", expiresAt: "" }] };
    const routing = withQualityRouting(inner, source);
    expect(routing.afterAnswer(makeTurn({ text: "x" }), makeDraft("x", [], { category: "late_fees", kind: "escalate" }))).toEqual([]);
  });
});

describe("kb proposals", () => {
  it("drafted trees convert to the kb's tree format, or say what is wrong", () => {
    const node = { text: null, next: null, options: null, check: null, if_true: null, if_false: null, facts: null, reason: null, priority: null };
    const ok = toDecisionTree({ id: "t", title: "T", categories: ["late_fees"], start: "a", nodes: [{ ...node, id: "a", kind: "say", text: "Hi", next: "b" }, { ...node, id: "b", kind: "handoff", reason: "needs_person", text: "A colleague will help." }] });
    expect(ok).toMatchObject({ success: true, tree: { start: "a", nodes: { b: { kind: "handoff", priority: "normal" } } } });
    expect(toDecisionTree({ id: "t", title: "T", categories: ["x"], start: "a", nodes: [{ ...node, id: "a", kind: "ask", text: "?" }] })).toEqual({ success: false, error: "node a: an ask node without options" });
  });

  it("a regenerated proposal keeps the reviewer's accept decisions by item id", () => {
    const base: Proposals = {
      format: "switchboard-kb-proposals", version: 1, generatedAt: "", model: "m", ticketsFile: "t", ticketsSha256: "s",
      categoryNames: [], ticketLabels: null, templates: [], mustHumanCategories: [], trees: [], notes: [],
      humanTriggers: [{ id: "trigger:1", accept: true, phrase: "chargeback" }, { id: "trigger:2", accept: true, phrase: "lawyer" }],
      frustrationPhrases: [],
      usage: { requests: 0, cached: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 },
    };
    const previous = { ...base, humanTriggers: [{ id: "trigger:1", accept: false, phrase: "chargeback" }] };
    expect(keepDecisions(base, previous).humanTriggers.map((item) => item.accept)).toEqual([false, true]);
  });
});

describe("qa review --since", () => {
  it("takes dates, date-times and spans", () => {
    expect(parseSince("2026-03-01", now).toISOString()).toBe("2026-03-01T00:00:00.000Z");
    expect(parseSince("7d", now).toISOString()).toBe("2026-03-03T12:00:00.000Z");
    expect(parseSince("36h", now).toISOString()).toBe("2026-03-09T00:00:00.000Z");
    expect(() => parseSince("yesterday", now)).toThrow(/--since must be/);
    expect(() => parseSince("2026-13-45", now)).toThrow(/--since must be/);
  });
});

describe("rule scoring re-checks answered messages against today's routing rules", () => {
  it("an AI answer to a hardship message is a missed trigger", async () => {
    const { assessByRules } = await import("../../../src/qa/rule-scoring.js");
    const { shippedKb } = await import("../../support/openai-kit.js");
    const { createRoutingPolicy } = await import("../../../escalation/rules/index.js");
    const { learnedRoutingSignals } = await import("../../../src/kb/load.js");
    const routing = createRoutingPolicy({ signals: learnedRoutingSignals(await shippedKb()) });
    const turn = makeTurn({ text: "I lost my job and can't pay this month", history: [] });
    const inbound = { ...turn.message, decision: { route: "ai" as const, reasonCodes: [], guardrails: [], engine: "openai:m" } };
    const reply = { ...turn.message, id: crypto.randomUUID(), seq: 2, direction: "outbound" as const, author: "ai" as const, text: "You can pay later in the app." };
    const assessment = assessByRules({ conversation: turn.conversation, messages: [inbound, reply], events: [] }, { routing });
    expect(assessment.flags).toContain("missed_trigger:hardship");
    expect(assessment.scores.escalation_judgement).toBe(1);
    expect(assessByRules({ conversation: turn.conversation, messages: [inbound, reply], events: [] }).flags).not.toContain("missed_trigger:hardship");
  });
});
