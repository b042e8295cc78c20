/** Routing rules: when a person must take a conversation (DESIGN.md: guardrails and routing). */
export { createRoutingPolicy, loadRuleSpecs, RuleBasedRoutingPolicy, SHIPPED_RULES_URL } from "./policy.js";
export type { RoutingPolicyOptions, RuleEvaluation } from "./policy.js";
export { DETECTORS, RuleSpec, RulesFile } from "./schema.js";
