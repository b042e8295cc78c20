/**
 * Adaptive routing: categories whose QA score or CSAT fell below the thresholds (`quality.json`, written by
 * `switchboard qa review`) go to a person until they recover. A decorator over any routing policy: after
 * the draft, a draft whose category is on the list is handed over with reason `quality_must_human`.
 * The routing interface is synchronous, so the file is re-read when its modification time changes, at
 * most every `recheckMs`; a broken file keeps the last good list (and is logged), a missing one means
 * no adaptive rule.
 */
import { readFileSync, statSync } from "node:fs";
import type { Logger } from "../../src/logging/logger.js";
import type { Draft, RoutingPolicy, RuleHit, TurnContext } from "../../src/ports/agent-engine.js";
import { activeMustHuman, parseQualityFile, type MustHumanEntry, type QualityFile } from "../../src/qa/quality-file.js";

export const QUALITY_MUST_HUMAN = "quality_must_human";

export interface QualitySource {
  /** Categories that must go to a person now. */
  mustHuman(now: Date): MustHumanEntry[];
}

export function qualityFileSource(path: string, options: { recheckMs?: number; logger?: Logger; clock?: () => number } = {}): QualitySource {
  const recheckMs = options.recheckMs ?? 30_000;
  const clock = options.clock ?? (() => Date.now());
  let checkedAt = Number.NEGATIVE_INFINITY;
  let modified = -1;
  let file: QualityFile | null = null;

  function refresh(): void {
    const now = clock();
    if (now - checkedAt < recheckMs) return;
    checkedAt = now;
    let mtime: number;
    try {
      mtime = statSync(path).mtimeMs;
    } catch {
      modified = -1;
      file = null;
      return;
    }
    if (mtime === modified) return;
    try {
      file = parseQualityFile(readFileSync(path, "utf8"), path);
      modified = mtime;
    } catch (error) {
      options.logger?.warn({ err: error, path }, "the quality file cannot be read; keeping the last good list");
    }
  }

  return {
    mustHuman(now) {
      refresh();
      return activeMustHuman(file, now);
    },
  };
}

export function withQualityRouting(inner: RoutingPolicy, source: QualitySource): RoutingPolicy {
  return {
    beforeAnswer: (turn: TurnContext) => inner.beforeAnswer(turn),
    afterAnswer(turn: TurnContext, draft: Draft): RuleHit[] {
      const hits = inner.afterAnswer(turn, draft);
      const category = draft.category;
      if (category === undefined || draft.kind === "escalate") return hits;
      const entry = source.mustHuman(turn.now).find((candidate) => candidate.category === category);
      if (!entry || hits.some((hit) => hit.code === QUALITY_MUST_HUMAN)) return hits;
      return [...hits, { code: QUALITY_MUST_HUMAN, label: `Quality review: ${category} goes to people until it recovers (${entry.reason})`, priority: "normal", category }];
    },
  };
}
