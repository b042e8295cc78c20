import { describe, expect, it } from "vitest";
import { createBrain } from "../../../src/agent/decide-turn.js";
import { evaluateBrain, EvalCase } from "../../../src/agent/evaluate.js";
import type { AgentEngine, RoutingPolicy } from "../../../src/ports/agent-engine.js";

/** A brain that sends anything mentioning "human" to a person and answers the rest "ok $5". */
const routing: RoutingPolicy = {
  beforeAnswer: (turn) => (/human/.test(turn.message.text) ? [{ code: "human_requested", label: "asked", priority: "high" }] : []),
  afterAnswer: () => [],
};
const engine: AgentEngine = {
  name: "fixed",
  async answer(turn) {
    return { kind: "answer", text: "ok $5", confidence: 0.9, facts: [], reasonCodes: [], engine: "fixed", category: turn.message.text.includes("fee") ? "fees" : "other" };
  },
  classify: () => ({ category: "escalations", confidence: 0.5 }),
};
const brain = createBrain({
  routing,
  engine,
  guards: [{ name: "no_five", check: (draft) => ({ guardrail: "no_five", passed: !(draft.text ?? "").includes("$5") || draft.category !== "other", code: "ungrounded_figure" }) }],
});

describe("evaluateBrain", () => {
  it("computes every figure of the report", async () => {
    const cases = [
      { id: "a", text: "late fee?", expect_route: "ai", expect_category: "fees", must_include: ["$5"] },
      { id: "b", text: "human please", expect_route: "human", expect_category: "escalations" },
      { id: "c", text: "something else", expect_route: "ai", must_not_include: ["$5"] },
      { id: "d", text: "human too", expect_route: "ai" },
    ].map((item) => EvalCase.parse(item));
    let tick = 0;
    const report = await evaluateBrain(brain, cases, { clock: () => (tick += 2) });
    expect(report).toMatchObject({
      cases: 4,
      route_accuracy: 0.5,
      human_recall: 1,
      human_precision: 0.3333,
      containment: 0.3333,
      category_accuracy: 1,
      content_pass_rate: 1,
      guardrail_violations: 1,
      latency_ms: { p50: 2, p99: 2 },
    });
    expect(report.failures.map((failure) => [failure.id, failure.problems])).toEqual([["c", ["route"]], ["d", ["route"]]]);
    expect(report.failures[0]?.reason_codes).toEqual(["ungrounded_figure"]);
  });

  it("reports null for figures no case measures", async () => {
    const report = await evaluateBrain(brain, [EvalCase.parse({ text: "hello", expect_route: "ai", id: 7 })]);
    // The guard blocked the answer, so one case went to a person: precision is 0, recall has nothing to measure.
    expect(report).toMatchObject({ human_recall: null, human_precision: 0, category_accuracy: null, content_pass_rate: null });
  });

  it("counts a clarifying question as contained (the AI kept the case) and reports how often the brain asked one", async () => {
    const asking = createBrain({
      routing,
      guards: [],
      engine: {
        name: "asking",
        async answer(turn) {
          const unsure = turn.message.text.includes("thing");
          return { kind: unsure ? "clarify" : "answer", text: unsure ? "Is it A or B?" : "Here it is.", confidence: 0.5, facts: [], reasonCodes: unsure ? ["clarification"] : [], engine: "asking" };
        },
      },
    });
    const cases = ["the thing", "my thing", "opening hours", "human please"].map((text) => EvalCase.parse({ text, expect_route: text.includes("human") ? "human" : "ai" }));
    const report = await evaluateBrain(asking, cases);
    expect(report).toMatchObject({ route_accuracy: 1, containment: 1, clarification_rate: 0.5 });
  });
});
