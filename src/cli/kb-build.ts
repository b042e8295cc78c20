/** `switchboard kb build --tickets FILE [--docs DIR] --out DIR`: build a knowledge base. */
import { parseArgs } from "node:util";
import { ValidationError } from "../errors.js";
import { buildKnowledgeBase } from "../kb/build.js";
import type { CliCommand } from "./cli-command.js";
import { terminalProgress } from "./progress.js";

export const kbBuildCommand: CliCommand = {
  path: ["kb", "build"],
  usage: "kb build --tickets FILE [--docs DIR] --out DIR [--with-model [--apply]]",
  summary: "build a knowledge base from resolved tickets and documents",
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        tickets: { type: "string" },
        docs: { type: "string" },
        out: { type: "string" },
        quiet: { type: "boolean" },
        "with-model": { type: "boolean" },
        "no-model": { type: "boolean" },
        apply: { type: "boolean" },
      },
      strict: true,
    });
    if (!values.tickets || !values.out) {
      throw new ValidationError("kb build needs --tickets FILE (JSONL or CSV) and --out DIR");
    }
    // With a model (AI_ENGINE=openai or --with-model): proposals to review, applied only with --apply.
    const withModel = values["with-model"] === true || (process.env.AI_ENGINE === "openai" && values["no-model"] !== true);
    if (values.apply && !withModel) throw new ValidationError("--apply applies model proposals: add --with-model (or use switchboard kb apply)");
    const progress = values.quiet ? undefined : terminalProgress();
    const result = await buildKnowledgeBase({
      tickets: values.tickets,
      out: values.out,
      ...(values.docs ? { docs: values.docs } : {}),
      ...(progress ? { progress } : {}),
    });
    progress?.done();
    const { counts, model, problems } = result.manifest;
    const lines = [
      `Built ${result.outDir} in ${(result.manifest.durationMs / 1000).toFixed(1)} s`,
      `  tickets: ${counts.ticketRows} rows, ${counts.ticketsUsed} used, ${counts.rowsSkipped} skipped`,
      `  categories: ${counts.categories} (${result.manifest.labelled ? "from labels" : "discovered by clustering"}), ` +
        `${counts.mustHumanCategories} must go to a person, ${counts.templates} with an answer template`,
      `  documents: ${counts.documents} (${counts.passages} passages), decision trees: ${counts.trees}`,
      `  intent model: ${counts.features} features, held-out accuracy ${model.heldOutAccuracy ?? "n/a"} on ${model.heldOut}, ` +
        `answers at confidence >= ${model.answerAt}${model.humanModel ? ", with a needs-a-human model" : ""}`,
    ];
    for (const problem of problems.slice(0, 10)) lines.push(`  skipped line ${problem.line}: ${problem.problem}`);
    if (counts.rowsSkipped > 10) lines.push(`  ... ${counts.rowsSkipped - 10} more skipped rows (see manifest.json)`);
    if (counts.ticketsWithDroppedFields > 0) {
      lines.push(`  warning: ${counts.ticketsWithDroppedFields} tickets kept without an optional field that did not validate (a bad date, an unknown channel...)`);
    }
    process.stdout.write(`${lines.join("\n")}\n`);
    if (withModel) {
      const { modelAssistedBuild } = await import("./kb-model.js");
      await modelAssistedBuild({ kbDir: values.out, tickets: values.tickets, apply: values.apply === true });
    }
    return 0;
  },
};
