/**
 * `switchboard audit --tickets FILE --out FILE.html [--kb DIR] [--docs DIR] [--json FILE]`: the report a
 * support lead reads before turning the AI on. The brain is always the local engine (in-process, no
 * network, thousands of decisions a second) with the routing rules and guardrails of the kb folder.
 */
import { mkdir, stat, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { errorMessage, ValidationError } from "../errors.js";
import { renderAuditHtml } from "../audit/render-html.js";
import type { AuditReport } from "../audit/report-types.js";
import { auditTickets } from "../audit/run.js";
import { composeLocalBrain } from "../main/brain.js";
import type { CliCommand } from "./cli-command.js";
import { terminalProgress } from "./progress.js";

function percent(value: number | null): string {
  return value === null ? "n/a" : `${(value * 100).toFixed(1)}%`;
}

export function auditSummary(report: AuditReport, outputs: string[]): string {
  const { projection, agreement, volume } = report;
  const lines = [
    `Audited ${volume.usable} tickets (${volume.rows} rows, ${volume.badRows} bad) in ${(report.run.durationMs / 1000).toFixed(1)} s` +
      `${report.knowledgeBase.inSample ? " with a knowledge base built from the same tickets (in-sample: optimistic)" : ` with ${report.knowledgeBase.dir ?? ""}`}`,
    `  the AI answers ${percent(projection.containment)}, asks first ${percent(projection.clarifyShare)}, people ${percent(projection.humanShare)}; safe take ${percent(projection.safeTake.share)}`,
    `  agreement with history ${percent(agreement.agreementRate)}; risk ${agreement.risk.tickets} tickets people handled; missed automation ${agreement.missedAutomation.tickets}`,
    `  categories: ${volume.categories} (${volume.categorySource}); for people or review first: ${report.mustHuman.map((entry) => entry.id).slice(0, 8).join(", ") || "none"}${report.mustHuman.length > 8 ? ", ..." : ""}`,
    `Report: ${outputs.join(" and ")}`,
  ];
  return lines.join("\n");
}

/**
 * Creates the folder a report goes in, level by level: a recursive mkdir never returns under some paths
 * (a folder below /proc), and a report that cannot be written should fail before a long audit, not after.
 */
async function prepareFolder(file: string): Promise<void> {
  const missing: string[] = [];
  for (let folder = dirname(file); ; folder = dirname(folder)) {
    const found = await stat(folder).then((info) => info, () => undefined);
    if (found) {
      if (!found.isDirectory()) throw new ValidationError(`cannot write the report to ${file}: ${folder} is not a folder`);
      break;
    }
    missing.unshift(folder);
    if (dirname(folder) === folder) break;
  }
  try {
    for (const folder of missing) await mkdir(folder);
  } catch (error) {
    throw new ValidationError(`cannot write the report to ${file}: ${errorMessage(error)}`);
  }
}

async function writeOutput(path: string, content: string): Promise<void> {
  try {
    await writeFile(path, content, "utf8");
  } catch (error) {
    throw new ValidationError(`cannot write the report to ${path}: ${errorMessage(error)}`);
  }
}

export const auditCommand: CliCommand = {
  path: ["audit"],
  usage: "audit --tickets FILE --out FILE.html [--kb DIR] [--docs DIR] [--json FILE]",
  summary: "ticket audit: what share the AI could take safely, and where it would hurt",
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        tickets: { type: "string" },
        out: { type: "string" },
        kb: { type: "string" },
        docs: { type: "string" },
        json: { type: "string" },
        quiet: { type: "boolean" },
      },
      strict: true,
    });
    if (!values.tickets || !values.out) throw new ValidationError("audit needs --tickets FILE (JSONL or CSV of resolved tickets) and --out FILE.html");
    const out = resolve(values.out);
    const jsonOut = values.json ? resolve(values.json) : undefined;
    if (jsonOut === out) throw new ValidationError("--json and --out must name different files");
    await prepareFolder(out);
    if (jsonOut) await prepareFolder(jsonOut);
    const progress = values.quiet ? undefined : terminalProgress();
    let report: AuditReport;
    try {
      report = await auditTickets({
        tickets: values.tickets,
        ...(values.kb !== undefined ? { kbDir: values.kb } : {}),
        ...(values.docs !== undefined ? { docs: values.docs } : {}),
        ...(progress ? { progress } : {}),
        composeBrain: async (kbDir) => {
          // Live quality routing (DATA_DIR/quality.json) is left out: the audit judges history, not today's state.
          const composed = await composeLocalBrain({ kbDir });
          for (const warning of composed.kb.warnings) process.stderr.write(`warning: ${warning}\n`);
          return { brain: composed.brain, kb: composed.kb, ruleLabels: composed.routing.codeLabels };
        },
      });
    } finally {
      progress?.done();
    }
    await writeOutput(out, renderAuditHtml(report));
    if (jsonOut) await writeOutput(jsonOut, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`${auditSummary(report, jsonOut ? [out, jsonOut] : [out])}\n`);
    return 0;
  },
};
