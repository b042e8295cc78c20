/** `switchboard eval --cases FILE [--kb DIR] [--json]`: score the brain on labelled cases, no server. */
import { parseArgs } from "node:util";
import { ValidationError } from "../errors.js";
import { evaluateBrain, readEvalCases, type EvalReport } from "../agent/evaluate.js";
import type { CliCommand } from "./cli-command.js";

function percent(value: number | null): string {
  return value === null ? "n/a" : `${(value * 100).toFixed(1)}%`;
}

export function formatEvalReport(report: EvalReport): string {
  const lines = [
    `cases:                ${report.cases}`,
    `route accuracy:       ${percent(report.route_accuracy)}`,
    `human recall:         ${percent(report.human_recall)}`,
    `human precision:      ${percent(report.human_precision)}`,
    `containment:          ${percent(report.containment)}`,
    `clarification rate:   ${percent(report.clarification_rate)}`,
    `category accuracy:    ${percent(report.category_accuracy)}`,
    `content pass rate:    ${percent(report.content_pass_rate)}`,
    `guardrail violations: ${report.guardrail_violations}`,
    `latency:              p50 ${report.latency_ms.p50} ms, p99 ${report.latency_ms.p99} ms`,
  ];
  if (report.failures.length > 0) {
    lines.push("", `failures (first ${report.failures.length}):`);
    for (const failure of report.failures) {
      lines.push(
        `  ${failure.id} [${failure.problems.join(", ")}] expected ${failure.expect_route}${failure.expect_category ? `/${failure.expect_category}` : ""}, ` +
          `got ${failure.route}${failure.category ? `/${failure.category}` : ""} (${failure.reason_codes.join(", ") || "no reason"}): ${failure.text.slice(0, 80)}`,
      );
    }
  }
  return lines.join("\n");
}

export const evalCommand: CliCommand = {
  path: ["eval"],
  usage: "eval --cases FILE [--kb DIR] [--json] [--engine local|openai]",
  summary: "score the brain on labelled cases (JSONL)",
  async run(args) {
    const { values } = parseArgs({
      args,
      options: { cases: { type: "string" }, kb: { type: "string" }, json: { type: "boolean" }, engine: { type: "string" } },
      strict: true,
    });
    if (!values.cases) throw new ValidationError("eval needs --cases FILE (JSONL of text, expect_route, ...)");
    const cases = await readEvalCases(values.cases);
    const { composeCliBrain } = await import("./cli-brain.js");
    const composed = await composeCliBrain(values.kb, values.engine);
    const report = await evaluateBrain(composed.brain, cases).finally(() => composed.close?.());
    process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatEvalReport(report)}\n`);
    return 0;
  },
};
