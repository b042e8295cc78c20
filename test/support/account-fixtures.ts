/** Demo customers' facts at the fixed test clock, for guardrail and engine tests. */
import { DemoAccountProvider } from "../../adapters/accounts/index.js";
import { accountFacts } from "../../src/agent/account-facts.js";
import type { GroundingFact } from "../../src/ports/agent-engine.js";
import { TEST_NOW } from "./turn.js";

export const TEST_TODAY = "2026-12-01";

const provider = new DemoAccountProvider({ clock: () => TEST_NOW });
const cache = new Map<string, GroundingFact[]>();

export function demoProvider(): DemoAccountProvider {
  return provider;
}

/** Every account fact of one demo customer (synchronous: the demo provider's snapshot). */
export function factsOf(customerId: string): GroundingFact[] {
  let facts = cache.get(customerId);
  if (!facts) {
    const record = provider.snapshot(customerId);
    if (!record) throw new Error(`no demo customer ${customerId}`);
    facts = accountFacts(record, TEST_TODAY);
    cache.set(customerId, facts);
  }
  return facts;
}

export function kbFact(text: string, ref = "kb:faq"): GroundingFact {
  return { source: "knowledge_base", ref, text };
}
