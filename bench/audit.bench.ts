/**
 * The ticket audit's cost on synthetic tickets (bench/synthetic-tickets.ts, seeded): the whole audit as
 * `switchboard audit` runs it without --kb (build an in-sample kb, then every message through the brain),
 * and the audit pass alone against a kb built beforehand (as with --kb).
 *
 *   npx tsx bench/audit.bench.ts [--sizes 10000,100000] [--unlabelled]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { renderAuditHtml } from "../src/audit/render-html.js";
import { auditTickets, type AuditBrain } from "../src/audit/run.js";
import { buildKnowledgeBase } from "../src/kb/build.js";
import { composeLocalBrain } from "../src/main.js";
import { writeSyntheticTickets } from "./synthetic-tickets.js";

const { values } = parseArgs({
  options: { sizes: { type: "string", default: "10000" }, unlabelled: { type: "boolean", default: false } },
});

async function composeBrain(kbDir: string): Promise<AuditBrain> {
  const composed = await composeLocalBrain({ kbDir });
  return { brain: composed.brain, kb: composed.kb, ruleLabels: composed.routing.codeLabels };
}

const dir = await mkdtemp(join(tmpdir(), "audit-bench-"));
try {
  for (const size of values.sizes.split(",").map(Number)) {
    const tickets = join(dir, `tickets-${size}.jsonl`);
    await writeSyntheticTickets(tickets, size, { labelled: !values.unlabelled });

    const started = performance.now();
    const inSample = await auditTickets({ tickets, composeBrain });
    const html = renderAuditHtml(inSample);
    const whole = performance.now() - started;
    console.log(
      `audit ${size} ${values.unlabelled ? "unlabelled" : "labelled"} tickets, no --kb: ${(whole / 1000).toFixed(1)} s ` +
        `(kb build ${((inSample.run.kbBuildMs ?? 0) / 1000).toFixed(1)} s, ${inSample.projection.decisionsPerSecond} decisions/s, page ${Math.round(html.length / 1024)} KB), ` +
        `containment ${inSample.projection.containment}, rss ${Math.round(process.memoryUsage().rss / 1024 / 1024)} MB`,
    );

    const kbDir = join(dir, `kb-${size}`);
    await buildKnowledgeBase({ tickets, out: kbDir });
    const passStarted = performance.now();
    const withKb = await auditTickets({ tickets, kbDir, composeBrain });
    const pass = performance.now() - passStarted;
    console.log(`audit ${size} tickets with --kb (audit pass only): ${(pass / 1000).toFixed(1)} s, ${withKb.projection.decisionsPerSecond} decisions/s`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
