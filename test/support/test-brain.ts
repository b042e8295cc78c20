/**
 * A deliberately simple brain for pipeline tests (the real one is tested on its own): it echoes the
 * customer, routes "human"/"agent" to a person, and can be slowed down or made to fail on demand.
 * It runs through the real `createBrain` order, so guards and routing behave as in production.
 */
import { createBrain } from "../../src/agent/decide-turn.js";
import type { AgentEngine, Brain, ReplyGuard, RoutingPolicy, TurnContext } from "../../src/ports/agent-engine.js";

export interface TestBrainOptions {
  /** Wait this long inside the engine (to widen race windows). */
  delayMs?: number;
  /** Record every turn the engine saw. */
  seen?: TurnContext[];
  guards?: ReplyGuard[];
}

export const testRouting: RoutingPolicy = {
  beforeAnswer(turn) {
    if (/\bagente\b/i.test(turn.message.text)) {
      return [{ code: "human_requested", label: "The customer asked for a person", priority: "normal", customerNote: "Of course. I'm connecting you with a member of our team." }];
    }
    if (turn.message.meta.intent === "human" || /\b(human|agent|person)\b/i.test(turn.message.text)) {
      return [{ code: "human_requested", label: "The customer asked for a person", priority: "normal" }];
    }
    return [];
  },
  afterAnswer: () => [],
};

export function createTestEngine(options: TestBrainOptions = {}): AgentEngine {
  return {
    name: "test-echo",
    async answer(turn) {
      options.seen?.push(turn);
      if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
      return { kind: "answer", text: `Echo: ${turn.message.text}`, confidence: 1, facts: [], reasonCodes: [], engine: "test-echo", category: "echo" };
    },
  };
}

export function createTestBrain(options: TestBrainOptions = {}): Brain {
  return createBrain({ routing: testRouting, engine: createTestEngine(options), guards: options.guards ?? [] });
}
