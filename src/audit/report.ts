/** Turns the collector's counts into the audit report (report-types.ts): shares, verdicts, reasons, signals. */
import type { KnowledgeBase } from "../kb/load.js";
import type { AuditCollector, PhraseTally } from "./collector.js";
import { categoryFigures } from "./categories.js";
import { maskForReport } from "./masking.js";
import type { AuditReport, PhraseFigures, RouteCounts } from "./report-types.js";
import { mean, percentile, round, share } from "./statistics.js";

/** DESIGN.md: the AI takes the 60-70% it is good at. */
export const TARGET_BAND: [number, number] = [0.6, 0.7];

/** Codes that do not come from a routing rule: the engine's, the guardrails', the account tools'. */
const OTHER_CODE_LABELS: Record<string, string> = {
  low_confidence: "The AI is not confident in its answer",
  engine_escalated: "The AI asked for a person",
  engine_error: "The AI engine failed",
  empty_draft: "The AI produced no reply",
  ungrounded_figure: "A figure in the draft is not in this turn's facts",
  policy_exception: "Refund amount or policy exception",
  secret_in_reply: "The draft contained a card number or secret",
  data_leak: "The draft used another customer's data",
  instruction_leak: "The draft revealed internal instructions",
  prompt_injection_obeyed: "The draft followed instructions inside the message",
  unconfirmed_action: "An account action without the customer's confirmation",
  human_only_action: "An account change only a person makes",
  action_not_possible: "An account change that cannot be made",
  payment_plan_request: "A payment plan request (decision tree hands over)",
};

export function labelOfCode(code: string, ruleLabels: ReadonlyMap<string, string>): string {
  return ruleLabels.get(code) ?? OTHER_CODE_LABELS[code] ?? code.replace(/_/g, " ");
}

export interface ReportContext {
  collector: AuditCollector;
  kb: KnowledgeBase;
  /** The kb folder given with --kb, or null when the audit built one from the same tickets. */
  kbDir: string | null;
  ticketsPath: string;
  format: "jsonl" | "csv";
  bytes: number;
  ruleLabels: ReadonlyMap<string, string>;
  /** Phrases the admin named in the kb's overrides (the rest were learned). */
  adminPhrases: ReadonlySet<string>;
  frustrationPhrases: readonly string[];
  humanTriggers: readonly string[];
  now: Date;
  durationMs: number;
  kbBuildMs: number | null;
  decisionsPerSecond: number;
}

function phraseFigures(phrases: readonly string[], tallies: ReadonlyMap<string, PhraseTally>, admin: ReadonlySet<string>): PhraseFigures[] {
  return phrases
    .map((phrase) => {
      const tally = tallies.get(phrase);
      return {
        phrase: maskForReport(phrase, 80),
        source: admin.has(phrase) ? ("admin" as const) : ("learned" as const),
        tickets: tally?.tickets ?? 0,
        escalatedShare: share(tally?.escalated ?? 0, tally?.withFlag ?? 0),
      };
    })
    .sort((a, b) => b.tickets - a.tickets || (a.phrase < b.phrase ? -1 : 1));
}

function caveatOf(kbDir: string | null): string {
  return kbDir === null
    ? "No knowledge base was given: the audit built one from these same tickets and then judged the same tickets with it. " +
        "The brain has seen every answer, so the figures are optimistic (in-sample). Run it again with --kb on a knowledge base " +
        "built from other tickets (for example an earlier period) for an honest estimate."
    : `The brain used the knowledge base in ${kbDir}. If that knowledge base was built from these same tickets, the figures are optimistic (in-sample).`;
}

function totalOf(routes: RouteCounts): number {
  return routes.answered + routes.clarifies + routes.human;
}

export function buildAuditReport(context: ReportContext): AuditReport {
  const { collector, kb } = context;
  const usable = collector.usable;
  const labelledMode = collector.labelled >= usable - collector.labelled;
  const tallies = labelledMode ? collector.byLabel : collector.byPredicted;
  collector.resolutions.sort((a, b) => a - b);
  const csatMean = mean(collector.csatSum, collector.csatCount);
  const resolutionMedian = percentile(collector.resolutions, 0.5);
  const categories = categoryFigures(tallies, kb, { tickets: usable, csatMean, resolutionMedian });

  const escalated = totalOf(collector.peopleHandled);
  const simple = totalOf(collector.resolvedSimply);
  const flagged = escalated + simple;
  const agreeing = collector.peopleHandled.human + collector.resolvedSimply.answered;
  const peopleCategories = new Set(categories.filter((category) => category.verdict === "people").map((category) => category.id));
  // The safe take: answered, not in a keep-with-people category, and not a ticket people handled.
  let unsafeAnswered = 0;
  for (const category of categories) {
    unsafeAnswered += peopleCategories.has(category.id) ? category.routes.answered : category.risk;
  }
  const safeTake = collector.routes.answered - unsafeAnswered;

  // Category agreement only means something when the kb knows the file's labels.
  let labelledKnown = 0;
  for (const [label, tally] of collector.byLabel) if (kb.categoryById.has(label)) labelledKnown += tally.tickets;
  const categoryAgreement = collector.labelled > 0 && labelledKnown >= collector.labelled / 2 ? share(collector.labelMatches, labelledKnown) : null;

  const humanRouted = collector.routes.human;
  const reasons = [...collector.reasons.entries()]
    .map(([code, tally]) => ({
      code,
      label: labelOfCode(code, context.ruleLabels),
      tickets: tally.tickets,
      shareOfHuman: share(tally.tickets, humanRouted),
      historyAgrees: share(tally.escalated, tally.withFlag),
    }))
    .sort((a, b) => b.tickets - a.tickets || (a.code < b.code ? -1 : 1));

  const coverage = Object.fromEntries(Object.entries(collector.coverage).map(([field, count]) => [field, share(count, usable)]));
  const dateRange =
    collector.firstCreated !== undefined && collector.lastCreated !== undefined
      ? {
          from: new Date(collector.firstCreated).toISOString(),
          to: new Date(collector.lastCreated).toISOString(),
          withDate: collector.withDate,
          invalidDates: collector.invalidDates,
        }
      : null;
  const byMonth = collector.months
    .entries()
    .map(([month, tickets]) => ({ month, tickets }))
    .sort((a, b) => (a.month < b.month ? -1 : a.month > b.month ? 1 : 0));

  return {
    generatedAt: context.now.toISOString(),
    source: { tickets: context.ticketsPath, format: context.format, bytes: context.bytes },
    knowledgeBase: {
      dir: context.kbDir,
      inSample: context.kbDir === null,
      labelled: kb.manifest.labelled,
      categories: kb.categories.length,
      documents: kb.manifest.counts.documents,
    },
    engine: "local",
    caveat: caveatOf(context.kbDir),
    volume: {
      rows: collector.rows,
      usable,
      badRows: collector.badRows,
      dateRange,
      byMonth,
      channels: collector.channels.entries().map(([channel, tickets]) => ({ channel, tickets, share: round(tickets / Math.max(1, usable)) })),
      categorySource: labelledMode ? "labels" : "discovered",
      categories: categories.length,
      escalation: { flagged, escalated, share: share(escalated, flagged) },
      csat: { responses: collector.csatCount, mean: csatMean, distribution: { ...collector.csatDistribution } },
      resolutionMinutes: {
        known: collector.resolutions.length,
        fromTimestamps: collector.resolutionsFromTimestamps,
        median: resolutionMedian,
        p90: percentile(collector.resolutions, 0.9),
      },
    },
    projection: {
      tickets: usable,
      routes: { ...collector.routes },
      containment: round(collector.routes.answered / Math.max(1, usable)),
      clarifyShare: round(collector.routes.clarifies / Math.max(1, usable)),
      humanShare: round(humanRouted / Math.max(1, usable)),
      safeTake: { tickets: safeTake, share: round(safeTake / Math.max(1, usable)) },
      targetBand: TARGET_BAND,
      categoryAgreement,
      decisionsPerSecond: Math.round(context.decisionsPerSecond),
    },
    agreement: {
      flagged,
      peopleHandled: { ...collector.peopleHandled },
      resolvedSimply: { ...collector.resolvedSimply },
      agreementRate: share(agreeing, flagged),
      risk: { tickets: collector.peopleHandled.answered, shareOfEscalated: share(collector.peopleHandled.answered, escalated), examples: collector.riskExamples },
      missedAutomation: {
        tickets: collector.resolvedSimply.human,
        shareOfSimple: share(collector.resolvedSimply.human, simple),
        byReason: collector.missedByReason.entries().map(([code, tickets]) => ({ code, label: labelOfCode(code, context.ruleLabels), tickets })),
        examples: collector.missedExamples,
      },
    },
    reasons,
    categories,
    mustHuman: categories
      .filter((category) => category.verdict === "people" || category.verdict === "caution")
      .map(({ id, name, verdict, reasons: why }) => ({ id, name, verdict, reasons: why })),
    signals: {
      frustrationPhrases: phraseFigures(context.frustrationPhrases, collector.phrases, context.adminPhrases),
      humanTriggers: phraseFigures(context.humanTriggers, collector.phrases, context.adminPhrases),
    },
    withoutResponses: categories
      .filter((category) => category.withResponse === 0)
      .map(({ id, name, tickets }) => ({ id, name, tickets })),
    dataProblems: {
      badRows: collector.badRows,
      ticketsWithDroppedFields: collector.ticketsWithDroppedFields,
      byKind: collector.problemKinds.entries().map(([kind, rows]) => ({ kind, rows })),
      examples: collector.problems,
      emptyMessages: collector.emptyMessages,
      duplicateRows: collector.duplicateRows,
      conflictingIds: collector.conflictingIds,
      unlabelled: labelledMode ? usable - collector.labelled : 0,
      coverage,
    },
    run: { durationMs: Math.round(context.durationMs), kbBuildMs: context.kbBuildMs === null ? null : Math.round(context.kbBuildMs) },
  };
}
