/**
 * A new customer's path on a domain the demo never saw: `kb build` on resolved tickets of 77 intents
 * with an invented vocabulary (so no rule or template of ours can help), then `eval` on held-out
 * messages whose route follows the escalated intents. Measures the learner and the learned routing.
 *
 *   npx tsx bench/unseen-domain.bench.ts [--tickets 10000] [--cases 500] [--intents 77]
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { evaluateBrain, readEvalCases } from "../src/agent/evaluate.js";
import { buildKnowledgeBase } from "../src/kb/build.js";
import { seededRandom } from "../src/kb/softmax.js";
import { composeLocalBrain } from "../src/main.js";

const { values } = parseArgs({ options: { tickets: { type: "string", default: "10000" }, cases: { type: "string", default: "500" }, intents: { type: "string", default: "77" } } });
const random = seededRandom(3);
const intents = Number(values.intents);
const vocabulary = Array.from({ length: 6_000 }, (_, index) => Math.floor(random() * 1e9).toString(36).slice(0, 3 + (index % 6)));
const topicWords = Array.from({ length: intents }, () => Array.from({ length: 40 }, () => vocabulary[Math.floor(random() * vocabulary.length)] as string));

function message(): { text: string; intent: number } {
  const intent = Math.floor(random() * intents);
  const length = 6 + Math.floor(random() * 12);
  const words = Array.from({ length }, () =>
    random() < 0.5 ? (topicWords[intent] as string[])[Math.floor(random() * 40)] : vocabulary[Math.floor(random() * vocabulary.length)],
  );
  return { text: words.join(" "), intent };
}

const dir = await mkdtemp(join(tmpdir(), "unseen-"));
try {
  const tickets = Array.from({ length: Number(values.tickets) }, () => message()).map(({ text, intent }) =>
    JSON.stringify({ customer_message: text, category: `intent_${intent}`, escalated: intent % 10 === 0 }),
  );
  const cases = Array.from({ length: Number(values.cases) }, () => message()).map(({ text, intent }) =>
    JSON.stringify({ text, expect_route: intent % 10 === 0 ? "human" : "ai", expect_category: `intent_${intent}` }),
  );
  await writeFile(join(dir, "tickets.jsonl"), `${tickets.join("\n")}\n`);
  await writeFile(join(dir, "cases.jsonl"), `${cases.join("\n")}\n`);
  const started = performance.now();
  await buildKnowledgeBase({ tickets: join(dir, "tickets.jsonl"), out: join(dir, "kb") });
  const buildSeconds = (performance.now() - started) / 1000;
  const { brain } = await composeLocalBrain({ kbDir: join(dir, "kb") });
  const report = await evaluateBrain(brain, await readEvalCases(join(dir, "cases.jsonl")));
  const { failures: _failures, ...figures } = report;
  console.log(`build ${buildSeconds.toFixed(1)} s; eval: ${JSON.stringify(figures)}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
