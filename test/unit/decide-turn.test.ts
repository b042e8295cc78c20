import { describe, expect, it } from "vitest";
import { createBrain, highestPriority } from "../../src/agent/decide-turn.js";
import type { Conversation, Message } from "../../src/domain/model.js";
import type { AgentEngine, Draft, ReplyGuard, RoutingPolicy, TurnContext } from "../../src/ports/agent-engine.js";

const now = new Date("2026-11-25T12:00:00Z");
const conversation: Conversation = {
  id: "00000000-0000-4000-8000-000000000001", channelId: "webchat", customerAddress: "visitor-1", state: "ai",
  context: {}, processedSeq: 0, lastSeq: 1, createdAt: now, updatedAt: now,
};
const message: Message = {
  id: "00000000-0000-4000-8000-000000000002", conversationId: conversation.id, seq: 1, direction: "inbound", author: "customer",
  text: "when is my next payment", attachments: [], status: "received", meta: {}, createdAt: now, updatedAt: now,
};
const turn: TurnContext = { conversation, message, history: [], channelKind: "webchat", now };

const draft = (overrides: Partial<Draft> = {}): Draft => ({
  kind: "answer", text: "Your next payment is $10.00 on December 1.", confidence: 0.9, facts: [], reasonCodes: [], engine: "fixed", category: "schedule", ...overrides,
});
const engine = (result: Draft | Error, calls: string[] = []): AgentEngine => ({
  name: "fixed",
  async answer() {
    calls.push("engine");
    if (result instanceof Error) throw result;
    return result;
  },
});
const noRules: RoutingPolicy = { beforeAnswer: () => [], afterAnswer: () => [] };
const failing = (code: string): ReplyGuard => ({ name: code, check: () => ({ guardrail: code, passed: false, code, detail: `${code} failed` }) });
const passing: ReplyGuard = { name: "ok", check: () => ({ guardrail: "ok", passed: true }) };

describe("createBrain: route -> answer -> guard -> route", () => {
  it("answers when every guardrail passes, recording the verdicts", async () => {
    const decided = await createBrain({ routing: noRules, engine: engine(draft()), guards: [passing] }).decide(turn);
    expect(decided.decision.route).toBe("ai");
    expect(decided.reply).toContain("$10.00");
    expect(decided.decision.guardrails).toEqual([{ guardrail: "ok", passed: true }]);
    expect(decided.decision.category).toBe("schedule");
  });

  it("never calls the engine when a hard rule fires first", async () => {
    const calls: string[] = [];
    const routing: RoutingPolicy = {
      beforeAnswer: () => [{ code: "hardship", label: "Financial hardship", priority: "high", customerNote: "I'm sorry to hear that." }],
      afterAnswer: () => [],
    };
    const decided = await createBrain({ routing, engine: engine(draft(), calls), guards: [] }).decide(turn);
    expect(calls).toEqual([]);
    expect(decided.decision).toMatchObject({ route: "human", reasonCodes: ["hardship"], priority: "high" });
    expect(decided.reply).toBe("I'm sorry to hear that.");
  });

  it("blocks a draft that fails a guardrail and escalates with its code", async () => {
    const decided = await createBrain({ routing: noRules, engine: engine(draft()), guards: [passing, failing("ungrounded_figure")] }).decide(turn);
    expect(decided.decision.route).toBe("human");
    expect(decided.decision.reasonCodes).toEqual(["ungrounded_figure"]);
    expect(decided.reply).toBeUndefined();
    expect(decided.decision.guardrails.map((verdict) => verdict.passed)).toEqual([true, false]);
  });

  it("escalates when the engine throws, so nobody waits in silence", async () => {
    const decided = await createBrain({ routing: noRules, engine: engine(new Error("boom")), guards: [] }).decide(turn);
    expect(decided.decision).toMatchObject({ route: "human", reasonCodes: ["engine_error"] });
  });

  it("escalates an empty draft and one the engine itself escalates", async () => {
    const empty = await createBrain({ routing: noRules, engine: engine(draft({ text: "  " })), guards: [] }).decide(turn);
    expect(empty.decision.reasonCodes).toEqual(["empty_draft"]);
    const asked = await createBrain({ routing: noRules, engine: engine(draft({ kind: "escalate", reasonCodes: ["low_confidence"] })), guards: [] }).decide(turn);
    expect(asked.decision).toMatchObject({ route: "human", reasonCodes: ["low_confidence"] });
  });

  it("applies rules that need the draft after the guardrails", async () => {
    const routing: RoutingPolicy = { beforeAnswer: () => [], afterAnswer: () => [{ code: "loop", label: "Repeated question", priority: "normal" }] };
    const decided = await createBrain({ routing, engine: engine(draft()), guards: [passing] }).decide(turn);
    expect(decided.decision).toMatchObject({ route: "human", reasonCodes: ["loop"] });
  });

  it("measures latency with the injected clock", async () => {
    let tick = 0;
    const decided = await createBrain({ routing: noRules, engine: engine(draft()), guards: [], clock: () => (tick += 5) }).decide(turn);
    expect(decided.decision.latencyMs).toBe(5);
  });

  it("picks the highest priority", () => {
    expect(highestPriority(["normal", "urgent", "high"])).toBe("urgent");
    expect(highestPriority([])).toBe("normal");
  });
});

describe("createBrain: what the brain adds for the desk and the audit", () => {
  it("labels a rule's handoff with the engine's category when the rule named none", async () => {
    const routing: RoutingPolicy = { beforeAnswer: () => [{ code: "human_requested", label: "asked", priority: "high" }], afterAnswer: () => [] };
    const classifying: AgentEngine = { ...engine(draft()), classify: () => ({ category: "billing", confidence: 0.8 }) };
    const decided = await createBrain({ routing, engine: classifying, guards: [] }).decide(turn);
    expect(decided.decision).toMatchObject({ route: "human", category: "billing", reasonCodes: ["human_requested"] });
  });

  it("runs the draft rules on an engine's own escalation and keeps its note when the guards pass", async () => {
    const routing: RoutingPolicy = { beforeAnswer: () => [], afterAnswer: () => [{ code: "must_human_category", label: "category", priority: "high" }] };
    const escalating = engine(draft({ kind: "escalate", text: "A specialist will reply.", reasonCodes: ["payment_plan_request"], priority: "urgent" }));
    const decided = await createBrain({ routing, engine: escalating, guards: [passing] }).decide(turn);
    expect(decided.decision).toMatchObject({ route: "human", priority: "urgent", reasonCodes: ["must_human_category", "payment_plan_request"] });
    expect(decided.reply).toBe("A specialist will reply.");
  });

  it("records guardrail failures and draft rules together", async () => {
    const routing: RoutingPolicy = { beforeAnswer: () => [], afterAnswer: () => [{ code: "loop", label: "loop", priority: "normal" }] };
    const decided = await createBrain({ routing, engine: engine(draft()), guards: [failing("ungrounded_figure")] }).decide(turn);
    expect(decided.decision.reasonCodes).toEqual(["ungrounded_figure", "loop"]);
  });
});
