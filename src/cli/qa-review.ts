/**
 * `switchboard qa review [--since DATE] [--out FILE] [--json]`: score the AI-handled conversations of a
 * period (from the configured store), write the report (Markdown, or HTML when FILE ends in .html, plus
 * FILE's .json twin) and the quality file the routing reads (DATA_DIR/quality.json): categories that fell
 * below the thresholds go to people until they recover. With AI_ENGINE=openai (or --with-model) a model
 * scores with a rubric; otherwise the rules and CSAT do.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, extname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadEnv } from "../config/env.js";
import { errorMessage, ValidationError } from "../errors.js";
import { maskForModel } from "../guardrails/mask-for-model.js";
import { createLogger } from "../logging/logger.js";
import { composeLocalBrain, createOpenAIModelFromEnv } from "../main/brain.js";
import { openStoreFromEnv } from "../main/store.js";
import { DEFAULT_QUALITY_THRESHOLDS, QUALITY_FILE, QualityThresholds, readQualityFile, writeQualityFile } from "../qa/quality-file.js";
import { n, renderHtml, renderMarkdown } from "../qa/report-render.js";
import { qualityFileOf, runQaReview } from "../qa/review.js";
import { MAX_REVIEW } from "../qa/review-set.js";
import { defaultKbDir } from "./cli-brain.js";
import type { CliCommand } from "./cli-command.js";

/** `2026-03-01`, an ISO date-time, or a span back from now: `7d`, `36h`. */
export function parseSince(text: string, now: Date): Date {
  const span = /^(\d{1,4})\s*([dh])$/i.exec(text.trim());
  if (span) return new Date(now.getTime() - Number(span[1]) * (span[2]?.toLowerCase() === "d" ? 86_400_000 : 3_600_000));
  if (/^\d{4}-\d{2}-\d{2}(T.*)?$/.test(text.trim())) {
    const date = new Date(text.trim().length === 10 ? `${text.trim()}T00:00:00Z` : text.trim());
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new ValidationError(`--since must be a date (2026-03-01), a date-time, or a span such as 7d or 24h (got "${text}")`);
}

function numberOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number)) throw new ValidationError(`${name} must be a number (got "${value}")`);
  return number;
}

export const qaReviewCommand: CliCommand = {
  path: ["qa", "review"],
  usage: "qa review [--since DATE] [--out FILE] [--json] [--with-model|--no-model]",
  summary: "score AI-handled conversations, flag problems, tighten routing where quality dropped",
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        since: { type: "string" },
        out: { type: "string" },
        json: { type: "boolean" },
        limit: { type: "string" },
        "with-model": { type: "boolean" },
        "no-model": { type: "boolean" },
        quality: { type: "string" },
        "no-quality": { type: "boolean" },
        "min-score": { type: "string" },
        "min-csat": { type: "string" },
        "min-conversations": { type: "string" },
        "ttl-days": { type: "string" },
      },
      strict: true,
    });
    const env = loadEnv();
    const now = new Date();
    const since = parseSince(values.since ?? "7d", now);
    const limit = numberOption(values.limit, "--limit");
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > MAX_REVIEW)) throw new ValidationError(`--limit must be a whole number from 1 to ${MAX_REVIEW}`);
    const thresholds = QualityThresholds.parse({
      ...DEFAULT_QUALITY_THRESHOLDS,
      ...(values["min-score"] !== undefined ? { minScore: numberOption(values["min-score"], "--min-score") } : {}),
      ...(values["min-csat"] !== undefined ? { minCsat: numberOption(values["min-csat"], "--min-csat") } : {}),
      ...(values["min-conversations"] !== undefined ? { minConversations: numberOption(values["min-conversations"], "--min-conversations") } : {}),
      ...(values["ttl-days"] !== undefined ? { ttlDays: numberOption(values["ttl-days"], "--ttl-days") } : {}),
    });
    const useModel = values["no-model"] ? false : (values["with-model"] ?? env.AI_ENGINE === "openai");
    const logger = createLogger({ level: env.LOG_LEVEL === "info" ? "warn" : env.LOG_LEVEL, name: "qa" });
    const qualityPath = resolve(values.quality ?? join(env.DATA_DIR, QUALITY_FILE));

    // Today's routing rules re-check the messages the AI answered (hard triggers it answered past).
    const routing = await composeLocalBrain({ kbDir: defaultKbDir(env) }).then(
      (composed) => composed.routing,
      (error: unknown) => {
        process.stderr.write(`qa review: no routing re-check (${errorMessage(error)})\n`);
        return undefined;
      },
    );
    const store = await openStoreFromEnv(env, logger);
    const model = useModel ? await createOpenAIModelFromEnv(env, { logger }) : undefined;
    try {
      const report = await runQaReview({
        store,
        since,
        ...(limit !== undefined ? { limit } : {}),
        now,
        thresholds,
        previousQuality: values["no-quality"] ? null : await readQualityFile(qualityPath),
        ...(model ? { model: model.model } : {}),
        mask: (text) => maskForModel(text, { personal: true }),
        ...(routing ? { routing } : {}),
        logger,
      });
      const out = resolve(values.out ?? "qa-review.md");
      const jsonPath = extname(out) === ".json" ? out : `${out.slice(0, out.length - extname(out).length)}.json`;
      await mkdir(dirname(out), { recursive: true });
      if (out !== jsonPath) await writeFile(out, extname(out).toLowerCase() === ".html" ? renderHtml(report) : renderMarkdown(report), "utf8");
      await writeFile(jsonPath, `${JSON.stringify(report, null, 2)}\n`, "utf8");
      if (!values["no-quality"]) await writeQualityFile(qualityPath, qualityFileOf(report, thresholds));

      if (values.json) {
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return 0;
      }
      const lines = [
        `Reviewed ${report.conversations} AI-handled conversations since ${since.toISOString()} (scored by ${report.scoring}).`,
        ...(report.conversations === 0 ? ["  nothing to score in this period: every metric is n/a"] : []),
        `  overall ${n(report.averages.overall)}/5; flagged ${report.flagged}; dissatisfied ${report.dissatisfied}; CSAT mean ${n(report.csat.mean)} (${report.csat.responses} answers)`,
        ...report.mustHuman.map((entry) => `  routed to people until they recover: ${entry.category} (${entry.reason})`),
        `Report: ${out === jsonPath ? "" : `${out} and `}${jsonPath}${values["no-quality"] ? "" : `; quality file: ${qualityPath}`}`,
      ];
      process.stdout.write(`${lines.join("\n")}\n`);
      return 0;
    } finally {
      await model?.close();
      await store.close();
    }
  },
};
