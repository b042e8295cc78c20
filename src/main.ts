/**
 * The composition root: the only module that wires concrete classes from channels/, adapters/ and
 * escalation/ into the core. This part composes the brain used by `ask`, `eval` and the pipeline.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createRoutingPolicy, type RuleBasedRoutingPolicy } from "../escalation/rules/index.js";
import { createLocalBrain } from "./agent/local/index.js";
import type { AccountTools } from "./agent/local/account-tools.js";
import { learnedRoutingSignals, loadKnowledgeBase, type KnowledgeBase } from "./kb/load.js";
import type { Brain, ReplyGuard } from "./ports/agent-engine.js";

/** An admin's routing rules, merged over the shipped ones, live next to the knowledge base. */
export const ADMIN_RULES_FILE = "routing-rules.yaml";

export interface ComposedBrain {
  brain: Brain;
  kb: KnowledgeBase;
  routing: RuleBasedRoutingPolicy;
}

export interface LocalBrainComposition {
  kbDir: string;
  guards?: readonly ReplyGuard[];
  accounts?: AccountTools;
  clock?: () => number;
}

export async function composeLocalBrain(options: LocalBrainComposition): Promise<ComposedBrain> {
  const kb = await loadKnowledgeBase(options.kbDir);
  const adminPath = join(options.kbDir, ADMIN_RULES_FILE);
  const adminRulesText = await readFile(adminPath, "utf8").catch(() => undefined);
  const routing = createRoutingPolicy({
    signals: learnedRoutingSignals(kb),
    ...(adminRulesText !== undefined ? { adminRulesText, adminRulesSource: adminPath } : {}),
  });
  const brain = createLocalBrain({
    kb,
    routing,
    guards: options.guards ?? [],
    ...(options.accounts ? { accounts: options.accounts } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return { brain, kb, routing };
}
