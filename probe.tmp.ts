import { createRoutingPolicy } from "./escalation/rules/index.js";
import { singleTurn } from "./src/agent/evaluate.js";
const policy = createRoutingPolicy({ signals: { frustrationPhrases: [], humanTriggers: [], mustHumanCategories: [], aiSafeCategories: [] } });
const d = { kind: "answer" as const, text: "x", confidence: 0.9, facts: [], reasonCodes: [], engine: "t", category: "faq" };
for (const t of process.argv.slice(2)) { const turn = singleTurn(t); console.log(JSON.stringify(t), "=>", [...policy.evaluate("before", turn), ...policy.evaluate("after", turn, d)].map(e => e.rule + e.detail).join(" | ")); }
