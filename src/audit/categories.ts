/**
 * Per-category figures and the verdict a support lead acts on: keep with people (history or the kb says
 * people handle it), review first (low satisfaction, long resolutions, or the AI would answer tickets
 * people handled: the nuanced cases where a peer's satisfaction fell), AI-ready, or the AI rarely answers.
 */
import { humanizeLabel, mustHumanFromEvidence } from "../kb/build.js";
import type { KnowledgeBase } from "../kb/load.js";
import { UNCLASSIFIED, UNLABELLED, type CategoryTally } from "./collector.js";
import { maskForReport } from "./masking.js";
import type { CategoryFigures, CategoryVerdict } from "./report-types.js";
import { mean, percentile, round, share } from "./statistics.js";

/** Below this many answers or known times a category's CSAT or resolution time says nothing. */
const MIN_EVIDENCE = 3;
/**
 * A category's CSAT is low when it is this far under the overall mean and the gap is more than noise
 * (twice the standard error of the category's mean): a company rated 3 of 5 everywhere has no low category.
 */
const LOW_CSAT_GAP = 0.5;
/** Median resolution at least this many times the overall median (and 15 minutes more) is long. */
const LONG_RESOLUTION_FACTOR = 2;
const LONG_RESOLUTION_MIN_EXTRA = 15;
/** People handled this share of a category (but not most of it): the rules must pick those out. */
const MIXED_SHARE = 0.25;
/** The AI answering this share of a category's tickets that people handled needs a review. */
const RISK_SHARE = 0.1;
const AI_READY_CONTAINMENT = 0.5;

export interface OverallBaseline {
  tickets: number;
  csatMean: number | null;
  resolutionMedian: number | null;
}

const SPECIAL_NAMES: Record<string, string> = {
  [UNLABELLED]: "(tickets without a label)",
  [UNCLASSIFIED]: "(the brain found no category)",
  "(other categories)": "(other categories: too many distinct labels)",
};

function percentText(value: number): string {
  return `${Math.round(value * 100)}%`;
}

export function nameOf(id: string, kb: KnowledgeBase): string {
  return SPECIAL_NAMES[id] ?? kb.categoryById.get(id)?.name ?? humanizeLabel(id);
}

function standardError(tally: CategoryTally): number {
  const n = tally.csatCount;
  const variance = Math.max(0, (tally.csatSquares - (tally.csatSum * tally.csatSum) / n) / (n - 1));
  return Math.sqrt(variance / n);
}

function judge(
  figures: Omit<CategoryFigures, "verdict" | "reasons">,
  tally: CategoryTally,
  baseline: OverallBaseline,
): { verdict: CategoryVerdict; reasons: string[] } {
  const people: string[] = [];
  const caution: string[] = [];
  if (mustHumanFromEvidence(figures.withFlag, figures.escalated)) {
    people.push(`people handled ${figures.escalated} of ${figures.withFlag} tickets (${percentText(figures.escalatedShare ?? 0)})`);
  }
  if (figures.kbMustHuman) people.push("the knowledge base sends it to people");
  const escalatedShare = figures.escalatedShare;
  if (people.length === 0 && escalatedShare !== null && figures.withFlag >= MIN_EVIDENCE && escalatedShare >= MIXED_SHARE) {
    caution.push(`people handled ${figures.escalated} of ${figures.withFlag} tickets (${percentText(escalatedShare)}): the AI must tell those apart`);
  }
  const csat = figures.csatMean;
  if (csat !== null && tally.csatCount >= MIN_EVIDENCE && baseline.csatMean !== null) {
    const gap = baseline.csatMean - tally.csatSum / tally.csatCount;
    if (gap >= LOW_CSAT_GAP && gap >= 2 * standardError(tally)) {
      caution.push(`low CSAT: ${csat.toFixed(2)} against ${baseline.csatMean.toFixed(2)} overall`);
    }
  }
  const median = figures.resolutionMedian;
  if (median !== null && tally.resolutions.length >= MIN_EVIDENCE && baseline.resolutionMedian !== null) {
    const overall = baseline.resolutionMedian;
    if (median >= overall * LONG_RESOLUTION_FACTOR && median >= overall + LONG_RESOLUTION_MIN_EXTRA) {
      caution.push(`long resolutions: median ${formatMinutes(median)} against ${formatMinutes(overall)} overall`);
    }
  }
  if (figures.risk >= 2 && figures.risk / figures.tickets >= RISK_SHARE) {
    caution.push(`the AI would answer ${figures.risk} tickets people handled`);
  }
  if (people.length > 0) return { verdict: "people", reasons: [...people, ...caution] };
  if (caution.length > 0) return { verdict: "caution", reasons: caution };
  if (figures.containment >= AI_READY_CONTAINMENT) return { verdict: "ai", reasons: [] };
  const limited = [`the AI answers ${percentText(figures.containment)} of them`];
  if (figures.withResponse === 0) limited.push("no agent responses to learn an answer from");
  else if (!figures.template) limited.push("no answer template in the knowledge base");
  if (figures.routes.clarifies > figures.routes.human) limited.push("the AI mostly asks what the customer means");
  return { verdict: "limited", reasons: limited };
}

export function formatMinutes(minutes: number): string {
  if (minutes < 90) return `${Math.round(minutes)} min`;
  if (minutes < 48 * 60) return `${(minutes / 60).toFixed(1)} h`;
  return `${(minutes / 1440).toFixed(1)} days`;
}

export function categoryFigures(
  tallies: ReadonlyMap<string, CategoryTally>,
  kb: KnowledgeBase,
  baseline: OverallBaseline,
): CategoryFigures[] {
  const figures: CategoryFigures[] = [];
  for (const [id, tally] of tallies) {
    const known = kb.categoryById.get(id);
    tally.resolutions.sort((a, b) => a - b);
    const base = {
      id: maskForReport(id, 80),
      name: maskForReport(nameOf(id, kb), 80),
      tickets: tally.tickets,
      share: round(tally.tickets / Math.max(1, baseline.tickets)),
      withFlag: tally.withFlag,
      escalated: tally.escalated,
      escalatedShare: share(tally.escalated, tally.withFlag),
      csatMean: mean(tally.csatSum, tally.csatCount),
      csatResponses: tally.csatCount,
      resolutionMedian: percentile(tally.resolutions, 0.5),
      withResponse: tally.withResponse,
      template: known?.template !== null && known?.template !== undefined,
      kbMustHuman: known?.mustHuman.value === true,
      routes: { ...tally.routes },
      containment: round(tally.routes.answered / Math.max(1, tally.tickets)),
      risk: tally.risk,
      missed: tally.missed,
      samples: [...tally.samples],
    };
    figures.push({ ...base, ...judge(base, tally, baseline) });
  }
  return figures.sort((a, b) => b.tickets - a.tickets || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
