/**
 * `quality.json`: categories whose recent quality fell below a threshold, which the routing sends to a
 * person until they recover. `switchboard qa review` writes it (under DATA_DIR by default); the routing
 * reads it (escalation/rules/quality-routing.ts), re-reading when the file changes.
 *
 * Recovery: a category leaves the list when a later review has enough conversations of it scoring above
 * the thresholds. Because a must-human category gets few AI-handled conversations, an entry also expires
 * (`expiresAt`, default 7 days) unless a later review confirms it: the AI then gets a fresh trial.
 */
import { readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { mkdir } from "node:fs/promises";
import { z } from "zod";
import { ConfigError, errorMessage } from "../errors.js";

export const QUALITY_FILE = "quality.json";

export const QualityThresholds = z.object({
  /** Overall QA score (1-5) below which a category goes to people. */
  minScore: z.number().min(1).max(5),
  /** Mean CSAT (1-5) below which a category goes to people (when it has CSAT answers). */
  minCsat: z.number().min(1).max(5),
  /** Conversations a category needs in one review before it is judged either way. */
  minConversations: z.number().int().positive(),
  /** How long a must-human entry lasts without a review confirming it. */
  ttlDays: z.number().positive(),
});
export type QualityThresholds = z.infer<typeof QualityThresholds>;

export const DEFAULT_QUALITY_THRESHOLDS: QualityThresholds = { minScore: 3, minCsat: 3, minConversations: 3, ttlDays: 7 };

export const CategoryQuality = z.object({
  category: z.string().min(1),
  conversations: z.number().int().nonnegative(),
  /** Mean overall QA score, 1-5. */
  score: z.number().min(0).max(5).nullable(),
  csat: z.number().min(0).max(5).nullable(),
  csatResponses: z.number().int().nonnegative(),
  flagged: z.number().int().nonnegative(),
});
export type CategoryQuality = z.infer<typeof CategoryQuality>;

export const MustHumanEntry = z.object({
  category: z.string().min(1),
  /** Why, in words for the desk: "QA score 2.4 < 3 over 6 conversations". */
  reason: z.string(),
  since: z.string(),
  expiresAt: z.string(),
});
export type MustHumanEntry = z.infer<typeof MustHumanEntry>;

export const QualityFile = z.object({
  format: z.literal("switchboard-quality"),
  version: z.literal(1),
  generatedAt: z.string(),
  thresholds: QualityThresholds,
  categories: z.array(CategoryQuality),
  mustHuman: z.array(MustHumanEntry),
});
export type QualityFile = z.infer<typeof QualityFile>;

function fmt(value: number): string {
  return (Math.round(value * 100) / 100).toString();
}

/** Why a category falls below the thresholds, or null when it does not (or has too few conversations). */
export function belowThreshold(quality: CategoryQuality, thresholds: QualityThresholds): string | null {
  if (quality.conversations < thresholds.minConversations) return null;
  const reasons: string[] = [];
  if (quality.score !== null && quality.score < thresholds.minScore) reasons.push(`QA score ${fmt(quality.score)} < ${thresholds.minScore}`);
  if (quality.csat !== null && quality.csatResponses >= thresholds.minConversations && quality.csat < thresholds.minCsat) {
    reasons.push(`CSAT ${fmt(quality.csat)} < ${thresholds.minCsat}`);
  }
  return reasons.length > 0 ? `${reasons.join(", ")} over ${quality.conversations} conversations` : null;
}

/**
 * The next must-human list: categories judged low now (renewed), categories judged fine now (dropped),
 * and earlier entries for categories this review could not judge, kept until they expire.
 */
export function nextMustHumanList(
  previous: QualityFile | null,
  categories: readonly CategoryQuality[],
  thresholds: QualityThresholds,
  now: Date,
): MustHumanEntry[] {
  const expiresAt = new Date(now.getTime() + thresholds.ttlDays * 86_400_000).toISOString();
  const judged = new Map(categories.filter((quality) => quality.conversations >= thresholds.minConversations).map((quality) => [quality.category, quality]));
  const entries = new Map<string, MustHumanEntry>();
  for (const entry of previous?.mustHuman ?? []) {
    if (judged.has(entry.category)) continue;
    if (Date.parse(entry.expiresAt) > now.getTime()) entries.set(entry.category, entry);
  }
  for (const quality of judged.values()) {
    const reason = belowThreshold(quality, thresholds);
    if (reason === null) continue;
    const earlier = previous?.mustHuman.find((entry) => entry.category === quality.category);
    entries.set(quality.category, { category: quality.category, reason, since: earlier?.since ?? now.toISOString(), expiresAt });
  }
  return [...entries.values()].sort((a, b) => a.category.localeCompare(b.category));
}

/** Parse a quality file's text; a broken one is a ConfigError that says how to recover. */
export function parseQualityFile(text: string, path: string): QualityFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${path} is not JSON: ${errorMessage(error)}. Delete it or run \`switchboard qa review\` again.`);
  }
  const parsed = QualityFile.safeParse(data);
  if (!parsed.success) throw new ConfigError(`${path} is not a quality file: ${parsed.error.issues[0]?.message ?? "invalid"}. Delete it or run \`switchboard qa review\` again.`);
  return parsed.data;
}

/** Null when there is no file yet. */
export async function readQualityFile(path: string): Promise<QualityFile | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return null;
  }
  return parseQualityFile(text, path);
}

/** Written to a temporary file and renamed, so a reader never sees half a file. */
export async function writeQualityFile(path: string, file: QualityFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = join(dirname(path), `.${QUALITY_FILE}.${process.pid}.tmp`);
  await writeFile(temporary, `${JSON.stringify(QualityFile.parse(file), null, 2)}\n`, "utf8");
  await rename(temporary, path);
}

/** Categories the file currently sends to people (expired entries ignored). */
export function activeMustHuman(file: QualityFile | null, now: Date): MustHumanEntry[] {
  return (file?.mustHuman ?? []).filter((entry) => Date.parse(entry.expiresAt) > now.getTime());
}
