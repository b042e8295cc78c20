/**
 * k-fold check of the learner on a labelled public intent set (e.g. BANKING77's `text,category` CSV),
 * through the same path a new customer takes: `kb build` on the training folds, `eval` on the held-out
 * fold (every message expected to be answered by the AI, with its category).
 *
 *   npx tsx bench/intent-cv.bench.ts --csv /work/data-ext/b77-part.csv [--folds 5] [--text text] [--label category]
 *
 * Keep such data sets outside the repository.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { evaluateBrain, EvalCase } from "../src/agent/evaluate.js";
import { buildKnowledgeBase } from "../src/kb/build.js";
import { parseCsv } from "../src/kb/csv.js";
import { seededRandom, shuffleInPlace } from "../src/kb/softmax.js";
import { composeLocalBrain } from "../src/main.js";

const { values } = parseArgs({
  options: { csv: { type: "string" }, folds: { type: "string", default: "5" }, text: { type: "string", default: "text" }, label: { type: "string", default: "category" } },
});
if (!values.csv) throw new Error("--csv FILE is required (columns text,category)");
const records = parseCsv(await readFile(values.csv, "utf8"));
const header = records[0]?.fields ?? [];
const textAt = header.indexOf(values.text);
const labelAt = header.indexOf(values.label);
if (textAt < 0 || labelAt < 0) throw new Error(`columns ${values.text} and ${values.label} not found in ${header.join(",")}`);
const rows = shuffleInPlace(
  records.slice(1).map((record) => ({ text: record.fields[textAt] ?? "", label: record.fields[labelAt] ?? "" })).filter((row) => row.text && row.label),
  seededRandom(1),
);
const folds = Number(values.folds);
const dir = await mkdtemp(join(tmpdir(), "intent-cv-"));
try {
  const accuracies: number[] = [];
  const containments: number[] = [];
  const builds: number[] = [];
  for (let fold = 0; fold < folds; fold += 1) {
    const train = rows.filter((_, index) => index % folds !== fold);
    const test = rows.filter((_, index) => index % folds === fold);
    const tickets = join(dir, `train-${fold}.jsonl`);
    await writeFile(tickets, train.map((row) => JSON.stringify({ customer_message: row.text, category: row.label })).join("\n"));
    const started = performance.now();
    await buildKnowledgeBase({ tickets, out: join(dir, `kb-${fold}`) });
    builds.push((performance.now() - started) / 1000);
    const { brain } = await composeLocalBrain({ kbDir: join(dir, `kb-${fold}`) });
    const report = await evaluateBrain(brain, test.map((row) => EvalCase.parse({ text: row.text, expect_route: "ai", expect_category: row.label })));
    accuracies.push(report.category_accuracy ?? 0);
    containments.push(report.containment ?? 0);
    console.log(`fold ${fold}: category accuracy ${report.category_accuracy}, containment ${report.containment}, route accuracy ${report.route_accuracy}`);
  }
  const mean = (list: number[]) => (list.reduce((sum, value) => sum + value, 0) / list.length).toFixed(4);
  console.log(`${rows.length} messages, ${new Set(rows.map((row) => row.label)).size} intents, ${folds} folds: mean category accuracy ${mean(accuracies)}, mean containment ${mean(containments)}, mean build ${mean(builds)} s`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
