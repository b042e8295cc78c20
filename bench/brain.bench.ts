/**
 * The brain's costs: decision latency of the local brain on the demo knowledge base, and `kb build`
 * time on synthetic ticket files of several sizes.
 *
 *   npx tsx bench/brain.bench.ts [--rounds 20] [--sizes 1000,10000,100000] [--runs 3] [--skip-build]
 *
 * Latency: every message of the dev and held-out cases, `rounds` times after one warm-up round,
 * through `Brain.decide` (rules, engine, guards); p50/p99 over all decisions.
 * Build: each size generated once (seeded), built `runs` times into a temporary folder; the median.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { singleTurn } from "../src/agent/evaluate.js";
import { buildKnowledgeBase } from "../src/kb/build.js";
import { composeLocalBrain } from "../src/main.js";
import { writeSyntheticTickets } from "./synthetic-tickets.js";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "20" },
    sizes: { type: "string", default: "1000,10000,100000" },
    runs: { type: "string", default: "3" },
    "skip-build": { type: "boolean", default: false },
  },
});

function percentile(sorted: number[], share: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1))] ?? 0;
}

async function caseTexts(): Promise<string[]> {
  const files = ["/work/shared/data/dev-cases.jsonl", "../shared/data/dev-cases.jsonl", "test/fixtures/heldout-cases.jsonl"].filter((path) => existsSync(path));
  const texts: string[] = [];
  for (const file of files) {
    for (const line of (await readFile(file, "utf8")).split("\n")) if (line.trim()) texts.push((JSON.parse(line) as { text: string }).text);
  }
  return texts;
}

async function latency(): Promise<void> {
  const { brain } = await composeLocalBrain({ kbDir: "kb" });
  const texts = await caseTexts();
  const rounds = Number(values.rounds);
  const samples: number[] = [];
  for (let round = 0; round <= rounds; round += 1) {
    for (const text of texts) {
      const started = performance.now();
      await brain.decide(singleTurn(text));
      if (round > 0) samples.push(performance.now() - started);
    }
  }
  samples.sort((a, b) => a - b);
  console.log(`decision latency (local brain, demo kb): ${samples.length} decisions, p50 ${percentile(samples, 0.5).toFixed(3)} ms, p99 ${percentile(samples, 0.99).toFixed(3)} ms, max ${(samples[samples.length - 1] ?? 0).toFixed(3)} ms`);
}

async function buildTimes(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "kb-bench-"));
  try {
    for (const size of values.sizes.split(",").map(Number)) {
      const tickets = join(dir, `tickets-${size}.jsonl`);
      await writeSyntheticTickets(tickets, size);
      const times: number[] = [];
      let features = 0;
      for (let run = 0; run < Number(values.runs); run += 1) {
        const started = performance.now();
        const result = await buildKnowledgeBase({ tickets, out: join(dir, `kb-${size}`) });
        times.push(performance.now() - started);
        features = result.manifest.counts.features;
      }
      times.sort((a, b) => a - b);
      const median = times[Math.floor(times.length / 2)] ?? 0;
      const rss = Math.round(process.memoryUsage().rss / 1024 / 1024);
      console.log(`kb build ${size} tickets: median ${(median / 1000).toFixed(2)} s over ${times.length} runs (${times.map((time) => (time / 1000).toFixed(2)).join(", ")} s), ${features} features, rss ${rss} MB`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await latency();
if (!values["skip-build"]) await buildTimes();
