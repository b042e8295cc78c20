/**
 * The brain's fixed order for every engine: route (hard rules) -> answer (engine) -> guard (every
 * guardrail on the draft) -> route again (rules that need the draft). Whatever an engine writes, a
 * customer only sees it when every guardrail passed and no rule asked for a human. A handoff carries
 * every reason that applied (guardrail failures and rules together), so the desk sees the whole why.
 */
import type { Decision, GuardrailVerdict, Priority } from "../domain/model.js";
import { errorMessage } from "../errors.js";
import type {
  AgentEngine,
  Brain,
  Draft,
  ReplyGuard,
  RoutingPolicy,
  RuleHit,
  TurnContext,
  TurnDecision,
} from "../ports/agent-engine.js";

export interface BrainParts {
  routing: RoutingPolicy;
  engine: AgentEngine;
  guards: readonly ReplyGuard[];
  /** Measures decision latency; injected for tests and benchmarks. */
  clock?: () => number;
}

const PRIORITY_ORDER: readonly Priority[] = ["low", "normal", "high", "urgent"];

export function highestPriority(priorities: readonly Priority[], fallback: Priority = "normal"): Priority {
  return priorities.reduce<Priority>(
    (best, next) => (PRIORITY_ORDER.indexOf(next) > PRIORITY_ORDER.indexOf(best) ? next : best),
    priorities.length > 0 ? "low" : fallback,
  );
}

function handoff(
  hits: readonly RuleHit[],
  engineName: string,
  started: number,
  clock: () => number,
  extra: { draft?: Draft; guardrails?: GuardrailVerdict[] } = {},
): TurnDecision {
  const notes = hits.map((hit) => hit.customerNote).filter((note): note is string => Boolean(note));
  const category = hits.find((hit) => hit.category)?.category ?? extra.draft?.category;
  const decision: Decision = {
    route: "human",
    reasonCodes: [...new Set(hits.map((hit) => hit.code))],
    guardrails: extra.guardrails ?? [],
    priority: highestPriority(hits.map((hit) => hit.priority)),
    engine: engineName,
    latencyMs: clock() - started,
    ...(category ? { category } : {}),
    ...(extra.draft ? { confidence: extra.draft.confidence } : {}),
  };
  return {
    decision,
    ...(notes.length > 0 ? { reply: notes[0] } : {}),
    ...(extra.draft?.summary ? { summary: extra.draft.summary } : {}),
    ...(extra.draft?.contextPatch ? { contextPatch: extra.draft.contextPatch } : {}),
    ...(extra.draft?.verifiedCustomerId ? { verifiedCustomerId: extra.draft.verifiedCustomerId } : {}),
  };
}

export function createBrain(parts: BrainParts): Brain {
  const clock = parts.clock ?? (() => performance.now());
  return {
    async decide(turn: TurnContext): Promise<TurnDecision> {
      const started = clock();
      const before = parts.routing.beforeAnswer(turn);
      if (before.length > 0) {
        // Label the handoff with the engine's category when a rule did not name one (desk and evaluation).
        const guessed = before.some((hit) => hit.category) ? undefined : safeClassify(parts.engine, turn);
        const hits = guessed ? before.map((hit, index) => (index === 0 ? { ...hit, category: guessed } : hit)) : before;
        return handoff(hits, parts.engine.name, started, clock);
      }

      let draft: Draft;
      try {
        draft = await parts.engine.answer(turn);
      } catch (error) {
        // An engine failure never leaves the customer in silence: a person takes over.
        return handoff(
          [{ code: "engine_error", label: `The AI engine failed: ${errorMessage(error)}`, priority: "normal" }],
          parts.engine.name,
          started,
          clock,
        );
      }

      // Every text an engine wrote is checked, even a handoff note; rules that need the draft run on every draft.
      const hasText = draft.text !== undefined && draft.text.trim() !== "";
      const guardrails = hasText ? parts.guards.map((guard) => guard.check(draft, turn)) : [];
      const failed = guardrails.filter((verdict) => !verdict.passed);
      const after = parts.routing.afterAnswer(turn, draft);

      if (draft.kind === "escalate") {
        const own = draft.reasonCodes.map<RuleHit>((code) => ({
          code,
          label: code,
          priority: draft.priority ?? "normal",
          ...(hasText && failed.length === 0 ? { customerNote: draft.text } : {}),
        }));
        const hits = [...after, ...own];
        return handoff(
          hits.length > 0 ? hits : [{ code: "engine_escalated", label: "The AI asked for a person", priority: "normal" }],
          parts.engine.name,
          started,
          clock,
          { draft, guardrails },
        );
      }

      if (failed.length > 0 || !hasText) {
        const hits = failed.map<RuleHit>((verdict) => ({
          code: verdict.code ?? verdict.guardrail,
          label: verdict.detail ?? verdict.guardrail,
          priority: "normal",
        }));
        if (hits.length === 0) hits.push({ code: "empty_draft", label: "The AI produced no reply", priority: "normal" });
        return handoff([...hits, ...after], parts.engine.name, started, clock, { draft, guardrails });
      }

      if (after.length > 0) return handoff(after, parts.engine.name, started, clock, { draft, guardrails });

      return {
        decision: {
          route: "ai",
          reasonCodes: draft.reasonCodes,
          guardrails,
          confidence: draft.confidence,
          engine: parts.engine.name,
          latencyMs: clock() - started,
          ...(draft.category ? { category: draft.category } : {}),
        },
        reply: draft.text,
        ...(draft.summary ? { summary: draft.summary } : {}),
        ...(draft.contextPatch ? { contextPatch: draft.contextPatch } : {}),
        ...(draft.verifiedCustomerId ? { verifiedCustomerId: draft.verifiedCustomerId } : {}),
      };
    },
  };
}

function safeClassify(engine: AgentEngine, turn: TurnContext): string | undefined {
  try {
    return engine.classify?.(turn).category;
  } catch {
    return undefined;
  }
}
