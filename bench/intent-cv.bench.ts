/**
 * k-fold check of the brain on any labelled support data set (e.g. BANKING77's `text,category` CSV, or a
 * retail set with agent responses), through the path a new customer takes and through the real CLI:
 * `switchboard kb build` on the training folds (as resolved tickets), `switchboard eval --json` on the
 * held-out fold. A message's expected route is `human` when its label is in `--escalate` (the written rule
 * of which intents a careful support lead hands to a person), otherwise `ai`; training tickets carry the
 * same `escalated` flag so the brain can learn it. A reference computed in the same run (majority class and
 * a nearest-centroid TF-IDF classifier) puts the category accuracy in context.
 *
 *   npx tsx bench/intent-cv.bench.ts --csv FILE [--folds 5] [--text text] [--label category]
 *       [--response agent_response] [--escalate label1,label2] [--seed 1] [--json]
 *
 * Keep such data sets outside the repository.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import { parseCsv } from "../src/kb/csv.js";
import { seededRandom, shuffleInPlace } from "../src/kb/softmax.js";
import { majorityAccuracy, nearestCentroidAccuracy } from "./support/reference-classifiers.js";

const run = promisify(execFile);
const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(repo, "bin", "switchboard.js");

const { values } = parseArgs({
  options: {
    csv: { type: "string" },
    folds: { type: "string", default: "5" },
    text: { type: "string", default: "text" },
    label: { type: "string", default: "category" },
    response: { type: "string" },
    escalate: { type: "string", default: "" },
    seed: { type: "string", default: "1" },
    json: { type: "boolean", default: false },
  },
});
if (!values.csv) throw new Error("--csv FILE is required (columns text,category; optional response column)");
const records = parseCsv(await readFile(values.csv, "utf8"));
const header = records[0]?.fields ?? [];
const column = (name: string | undefined) => (name ? header.indexOf(name) : -1);
const textAt = column(values.text);
const labelAt = column(values.label);
const responseAt = column(values.response);
if (textAt < 0 || labelAt < 0) throw new Error(`columns ${values.text} and ${values.label} not found in ${header.join(",")}`);
if (values.response && responseAt < 0) throw new Error(`column ${values.response} not found in ${header.join(",")}`);
const escalate = new Set(values.escalate.split(",").map((label) => label.trim()).filter(Boolean));

interface Row {
  text: string;
  label: string;
  response?: string;
}
const rows: Row[] = shuffleInPlace(
  records
    .slice(1)
    .map((record) => {
      const response = responseAt >= 0 ? record.fields[responseAt] : undefined;
      return { text: record.fields[textAt] ?? "", label: record.fields[labelAt] ?? "", ...(response ? { response } : {}) };
    })
    .filter((row) => row.text.trim() && row.label.trim()),
  seededRandom(Number(values.seed)),
);
const unknown = [...escalate].filter((label) => !rows.some((row) => row.label === label));
if (unknown.length > 0) throw new Error(`--escalate names labels absent from the data: ${unknown.join(", ")}`);

interface FoldFigures {
  category_accuracy: number;
  route_accuracy: number;
  human_recall: number | null;
  containment: number | null;
  latency_p50: number;
  latency_p99: number;
  build_seconds: number;
  centroid_accuracy: number;
  majority_accuracy: number;
}

const folds = Number(values.folds);
const dir = await mkdtemp(join(tmpdir(), "intent-cv-"));
const results: FoldFigures[] = [];
try {
  for (let fold = 0; fold < folds; fold += 1) {
    const train = rows.filter((_, index) => index % folds !== fold);
    const test = rows.filter((_, index) => index % folds === fold);
    const tickets = join(dir, `train-${fold}.jsonl`);
    const cases = join(dir, `test-${fold}.jsonl`);
    const kb = join(dir, `kb-${fold}`);
    await writeFile(
      tickets,
      train
        .map((row) => JSON.stringify({ customer_message: row.text, category: row.label, escalated: escalate.has(row.label), ...(row.response ? { agent_response: row.response } : {}) }))
        .join("\n"),
    );
    await writeFile(
      cases,
      test.map((row) => JSON.stringify({ text: row.text, expect_route: escalate.has(row.label) ? "human" : "ai", expect_category: row.label })).join("\n"),
    );
    const started = performance.now();
    await run(process.execPath, [cli, "kb", "build", "--tickets", tickets, "--out", kb], { cwd: repo, maxBuffer: 64 << 20 });
    const buildSeconds = (performance.now() - started) / 1000;
    const { stdout } = await run(process.execPath, [cli, "eval", "--cases", cases, "--kb", kb, "--json"], { cwd: repo, maxBuffer: 64 << 20 });
    const report = JSON.parse(stdout) as {
      category_accuracy: number;
      route_accuracy: number;
      human_recall: number | null;
      containment: number | null;
      latency_ms: { p50: number; p99: number };
    };
    const figures: FoldFigures = {
      category_accuracy: report.category_accuracy,
      route_accuracy: report.route_accuracy,
      human_recall: report.human_recall,
      containment: report.containment,
      latency_p50: report.latency_ms.p50,
      latency_p99: report.latency_ms.p99,
      build_seconds: Math.round(buildSeconds * 100) / 100,
      centroid_accuracy: nearestCentroidAccuracy(train, test),
      majority_accuracy: majorityAccuracy(train, test),
    };
    results.push(figures);
    if (!values.json) console.log(`fold ${fold}: ${JSON.stringify(figures)}`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

const summarize = (pick: (figures: FoldFigures) => number | null) => {
  const list = results.map(pick).filter((value): value is number => value !== null).sort((a, b) => a - b);
  if (list.length === 0) return null;
  const mean = list.reduce((sum, value) => sum + value, 0) / list.length;
  const middle = Math.floor(list.length / 2);
  const median = list.length % 2 ? (list[middle] as number) : ((list[middle - 1] as number) + (list[middle] as number)) / 2;
  return { mean: Math.round(mean * 1e4) / 1e4, median: Math.round(median * 1e4) / 1e4 };
};
const summary = {
  data: values.csv,
  messages: rows.length,
  labels: new Set(rows.map((row) => row.label)).size,
  escalated_labels: escalate.size,
  with_responses: rows.filter((row) => row.response).length,
  folds,
  category_accuracy: summarize((figures) => figures.category_accuracy),
  route_accuracy: summarize((figures) => figures.route_accuracy),
  human_recall: summarize((figures) => figures.human_recall),
  containment: summarize((figures) => figures.containment),
  latency_p50_ms: summarize((figures) => figures.latency_p50),
  latency_p99_ms: summarize((figures) => figures.latency_p99),
  build_seconds: summarize((figures) => figures.build_seconds),
  reference_nearest_centroid_accuracy: summarize((figures) => figures.centroid_accuracy),
  reference_majority_accuracy: summarize((figures) => figures.majority_accuracy),
};
console.log(JSON.stringify(summary, null, values.json ? 0 : 2));
