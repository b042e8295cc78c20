/**
 * What the OpenAI engine adds around the model: one decision through the whole brain (routing rules,
 * prompt building, masking, the SDK over loopback HTTP, tool calls into the demo accounts, zod parsing,
 * every guardrail) against the fake provider answering instantly. The model's own latency comes on top.
 * Run: npx tsx bench/openai-engine.bench.ts [iterations]
 */
import { startFakeOpenAI } from "../test/fakes/openai-server.js";
import { createEngineKit, finalAnswer } from "../test/support/openai-kit.js";
import { makeTurn } from "../test/support/turn.js";

const iterations = Number(process.argv[2] ?? 300);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

const fake = await startFakeOpenAI();
const { brain } = await createEngineKit({ fake });

async function measure(name: string, script: Parameters<typeof fake.setScript>[0], text: string, customerId?: string): Promise<void> {
  fake.setScript(script);
  const times: number[] = [];
  for (let index = 0; index < iterations + 20; index += 1) {
    const started = performance.now();
    const outcome = await brain.decide(makeTurn({ text, ...(customerId ? { customerId } : {}) }));
    if (index >= 20) times.push(performance.now() - started);
    if (outcome.decision.route !== "ai") throw new Error(`${name}: routed to ${outcome.decision.route} (${outcome.decision.reasonCodes.join(", ")})`);
  }
  times.sort((a, b) => a - b);
  console.log(`${name.padEnd(44)} p50 ${percentile(times, 50).toFixed(2)} ms  p99 ${percentile(times, 99).toFixed(2)} ms  (${iterations} decisions)`);
}

await measure("kb answer (1 model request)", () => ({ kind: "json", json: finalAnswer("You can pay early any time in the app.", { category: "pay_early" }) }), "Can I pay off early?");
let calls = 0;
await measure(
  "schedule via a tool call (2 model requests)",
  () => (calls++ % 2 === 0 ? { kind: "tool_calls", calls: [{ name: "get_payment_schedule", arguments: { plan_id: null } }] } : { kind: "json", json: finalAnswer("Your next payment is $37.50 on December 6, 2026.") }),
  "When is my next payment?",
  "C-1001",
);
await fake.close();
