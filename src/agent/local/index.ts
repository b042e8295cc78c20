/**
 * The local brain: the embedded engine over a knowledge base, inside the brain's fixed order
 * (route -> answer -> guard -> route again). The composition root passes the routing policy (from
 * escalation/rules), the guardrails and the account tools.
 */
import type { KnowledgeBase } from "../../kb/load.js";
import type { Brain, ReplyGuard, RoutingPolicy } from "../../ports/agent-engine.js";
import { createBrain } from "../decide-turn.js";
import type { AccountTools } from "./account-tools.js";
import { LocalEngine } from "./engine.js";

export interface LocalBrainOptions {
  kb: KnowledgeBase;
  routing: RoutingPolicy;
  guards: readonly ReplyGuard[];
  accounts?: AccountTools;
  clock?: () => number;
}

export function createLocalEngine(kb: KnowledgeBase, accounts?: AccountTools): LocalEngine {
  return new LocalEngine(kb, accounts ? { accounts } : {});
}

export function createLocalBrain(options: LocalBrainOptions): Brain {
  return createBrain({
    routing: options.routing,
    engine: createLocalEngine(options.kb, options.accounts),
    guards: options.guards,
    ...(options.clock ? { clock: options.clock } : {}),
  });
}

export { LocalEngine, ENGINE_CONTEXT_KEY } from "./engine.js";
export { NO_ACCOUNT_TOOLS, VERIFY_FIRST, type AccountTools, type IdentityState, type AccountStatement } from "./account-tools.js";
