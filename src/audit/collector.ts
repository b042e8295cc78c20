/**
 * The audit's single pass: every ticket (with the brain's decision on its message) and every bad row is
 * counted here, in bounded memory: counters per category and per reason, resolution times for medians,
 * hashes for duplicates, and a few masked examples. Raw ticket text is never kept.
 */
import { createHash } from "node:crypto";
import { words } from "../kb/text.js";
import type { RowProblem, Ticket } from "../kb/tickets.js";
import { maskForReport } from "./masking.js";
import type { ProjectedRoute, RouteCounts, TicketExample } from "./report-types.js";
import { BoundedTally } from "./statistics.js";

/** The brain's decision on one ticket message, as the audit needs it. */
export interface TicketOutcome {
  route: ProjectedRoute;
  /** The brain's category (its label for a handoff too). */
  category?: string;
  reasonCodes: string[];
  reply?: string;
}

export const UNLABELLED = "(no label)";
export const UNCLASSIFIED = "(unclassified)";

/** Distinct categories / channels / months kept before the rest is counted as "(other)". */
const MAX_CATEGORIES = 300;
const MAX_CHANNELS = 50;
const MAX_MONTHS = 240;
const SAMPLES_PER_CATEGORY = 2;
const EXAMPLES_PER_CATEGORY = 3;
const MAX_EXAMPLES = 40;
const MAX_PROBLEMS_KEPT = 20;

export class CategoryTally {
  tickets = 0;
  routes: RouteCounts = { answered: 0, clarifies: 0, human: 0 };
  withFlag = 0;
  escalated = 0;
  csatSum = 0;
  csatSquares = 0;
  csatCount = 0;
  resolutions: number[] = [];
  withResponse = 0;
  risk = 0;
  missed = 0;
  samples: string[] = [];
}

export class ReasonTally {
  tickets = 0;
  withFlag = 0;
  escalated = 0;
}

export class PhraseTally {
  tickets = 0;
  withFlag = 0;
  escalated = 0;
}

/** What kind of bad row a parser problem is (the parser's sentences are stable; see src/kb/tickets.ts). */
export function problemKind(problem: string): string {
  if (/^customer_message is empty/.test(problem)) return "empty message";
  if (/^customer_message\b/.test(problem)) return "missing or unreadable customer_message";
  if (/^is not (valid JSON|a JSON object)/.test(problem)) return "not a JSON object";
  if (/fields where the header has|quote that is never closed/.test(problem)) return "broken CSV row";
  return "invalid field value";
}

function parseTime(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const time = Date.parse(text);
  return Number.isNaN(time) ? undefined : time;
}

export interface CollectorOptions {
  /** Phrases to count (frustration phrases and human-only triggers of the kb), already lower case. */
  phrases: readonly string[];
}

export class AuditCollector {
  rows = 0;
  usable = 0;
  badRows = 0;
  readonly problemKinds = new BoundedTally(20);
  readonly problems: RowProblem[] = [];
  emptyMessages = 0;
  duplicateRows = 0;
  conflictingIds = 0;

  readonly byLabel = new Map<string, CategoryTally>();
  readonly byPredicted = new Map<string, CategoryTally>();
  labelled = 0;
  labelMatches = 0;
  readonly channels = new BoundedTally(MAX_CHANNELS);
  readonly months = new BoundedTally(MAX_MONTHS);
  firstCreated: number | undefined;
  lastCreated: number | undefined;
  withDate = 0;
  invalidDates = 0;
  /** Usable tickets that lost an optional field that did not validate. */
  ticketsWithDroppedFields = 0;
  readonly coverage = { agent_response: 0, category: 0, escalated: 0, csat: 0, resolution_minutes: 0, channel: 0, created_at: 0 };
  readonly csatDistribution: Record<"1" | "2" | "3" | "4" | "5", number> = { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 };
  csatSum = 0;
  csatCount = 0;
  readonly resolutions: number[] = [];
  resolutionsFromTimestamps = 0;

  readonly routes: RouteCounts = { answered: 0, clarifies: 0, human: 0 };
  readonly peopleHandled: RouteCounts = { answered: 0, clarifies: 0, human: 0 };
  readonly resolvedSimply: RouteCounts = { answered: 0, clarifies: 0, human: 0 };
  readonly reasons = new Map<string, ReasonTally>();
  readonly missedByReason = new BoundedTally(100);
  readonly phrases: Map<string, PhraseTally>;
  readonly riskExamples: TicketExample[] = [];
  readonly missedExamples: TicketExample[] = [];
  private readonly examplesPerCategory = new Map<string, number>();
  private readonly fingerprints = new Set<string>();
  private readonly idFingerprints = new Map<string, string>();

  constructor(options: CollectorOptions) {
    this.phrases = new Map(options.phrases.map((phrase) => [phrase, new PhraseTally()]));
  }

  addProblem(problem: RowProblem): void {
    this.rows += 1;
    this.badRows += 1;
    const kind = problemKind(problem.problem);
    this.problemKinds.add(kind);
    if (kind === "empty message") this.emptyMessages += 1;
    if (this.problems.length < MAX_PROBLEMS_KEPT) {
      // The parser quotes the bad value: it came from the file, so it is masked and shortened like a message.
      this.problems.push({ line: problem.line, problem: maskForReport(problem.problem, 200) });
    }
  }

  addTicket(ticket: Ticket, outcome: TicketOutcome): void {
    this.rows += 1;
    this.usable += 1;
    this.countDuplicates(ticket);
    this.countFields(ticket);

    const label = ticket.category ?? UNLABELLED;
    const predicted = outcome.category ?? UNCLASSIFIED;
    if (ticket.category !== undefined) {
      this.labelled += 1;
      if (ticket.category === outcome.category) this.labelMatches += 1;
    }
    const byLabel = this.tallyOf(this.byLabel, label);
    const byPredicted = this.tallyOf(this.byPredicted, predicted);
    const resolution = this.resolutionOf(ticket);
    const risk = ticket.escalated === true && outcome.route === "answered";
    const missed = ticket.escalated === false && outcome.route === "human";
    for (const tally of [byLabel, byPredicted]) {
      tally.tickets += 1;
      tally.routes[outcome.route] += 1;
      if (ticket.escalated !== undefined) tally.withFlag += 1;
      if (ticket.escalated === true) tally.escalated += 1;
      if (ticket.csat !== undefined) {
        tally.csatSum += ticket.csat;
        tally.csatSquares += ticket.csat * ticket.csat;
        tally.csatCount += 1;
      }
      if (resolution !== undefined) tally.resolutions.push(resolution);
      if (ticket.response !== undefined) tally.withResponse += 1;
      if (risk) tally.risk += 1;
      if (missed) tally.missed += 1;
    }

    this.routes[outcome.route] += 1;
    if (ticket.escalated === true) this.peopleHandled[outcome.route] += 1;
    if (ticket.escalated === false) this.resolvedSimply[outcome.route] += 1;
    if (outcome.route === "human") {
      for (const code of new Set(outcome.reasonCodes)) {
        let reason = this.reasons.get(code);
        if (!reason) this.reasons.set(code, (reason = new ReasonTally()));
        reason.tickets += 1;
        if (ticket.escalated !== undefined) reason.withFlag += 1;
        if (ticket.escalated === true) reason.escalated += 1;
        if (missed) this.missedByReason.add(code);
      }
    }
    this.countPhrases(ticket);

    // The category that names examples: the label when the ticket has one, else the brain's.
    const exampleCategory = ticket.category ?? predicted;
    for (const tally of [byLabel, byPredicted]) {
      if (tally.samples.length < SAMPLES_PER_CATEGORY) tally.samples.push(maskForReport(ticket.message, 160));
    }
    if (risk) this.keepExample(this.riskExamples, ticket, outcome, exampleCategory, true);
    if (missed) this.keepExample(this.missedExamples, ticket, outcome, exampleCategory, false);
  }

  private tallyOf(map: Map<string, CategoryTally>, key: string): CategoryTally {
    let tally = map.get(key);
    if (tally) return tally;
    const overflow = "(other categories)";
    if (map.size >= MAX_CATEGORIES) {
      tally = map.get(overflow);
      if (!tally) map.set(overflow, (tally = new CategoryTally()));
      return tally;
    }
    map.set(key, (tally = new CategoryTally()));
    return tally;
  }

  private countDuplicates(ticket: Ticket): void {
    const { line: _line, ...content } = ticket;
    const fingerprint = createHash("sha1").update(JSON.stringify(content)).digest("base64");
    if (this.fingerprints.has(fingerprint)) {
      this.duplicateRows += 1;
      return;
    }
    this.fingerprints.add(fingerprint);
    if (ticket.id === undefined) return;
    const seen = this.idFingerprints.get(ticket.id);
    if (seen === undefined) this.idFingerprints.set(ticket.id, fingerprint);
    else if (seen !== fingerprint) this.conflictingIds += 1;
  }

  private countFields(ticket: Ticket): void {
    const coverage = this.coverage;
    if (ticket.response !== undefined) coverage.agent_response += 1;
    if (ticket.category !== undefined) coverage.category += 1;
    if (ticket.escalated !== undefined) coverage.escalated += 1;
    if (ticket.resolutionMinutes !== undefined) coverage.resolution_minutes += 1;
    if (ticket.channel !== undefined) {
      coverage.channel += 1;
      this.channels.add(maskForReport(ticket.channel.toLowerCase(), 40));
    }
    if (ticket.csat !== undefined) {
      coverage.csat += 1;
      this.csatSum += ticket.csat;
      this.csatCount += 1;
      const bucket = String(Math.min(5, Math.max(1, Math.round(ticket.csat)))) as keyof AuditCollector["csatDistribution"];
      this.csatDistribution[bucket] += 1;
    }
    if (ticket.droppedFields) {
      this.ticketsWithDroppedFields += 1;
      if (ticket.droppedFields.some((field) => field.startsWith("created_at "))) this.invalidDates += 1;
    }
    if (ticket.createdAt !== undefined) {
      coverage.created_at += 1;
      const created = parseTime(ticket.createdAt);
      if (created === undefined) this.invalidDates += 1;
      else {
        this.withDate += 1;
        if (this.firstCreated === undefined || created < this.firstCreated) this.firstCreated = created;
        if (this.lastCreated === undefined || created > this.lastCreated) this.lastCreated = created;
        this.months.add(new Date(created).toISOString().slice(0, 7));
      }
    }
  }

  /** resolution_minutes, else resolved_at - created_at when both are dates in order. */
  private resolutionOf(ticket: Ticket): number | undefined {
    let minutes = ticket.resolutionMinutes;
    if (minutes === undefined) {
      const created = parseTime(ticket.createdAt);
      const resolved = parseTime(ticket.resolvedAt);
      if (created !== undefined && resolved !== undefined && resolved >= created) {
        minutes = (resolved - created) / 60_000;
        this.resolutionsFromTimestamps += 1;
      }
    }
    if (minutes !== undefined) this.resolutions.push(minutes);
    return minutes;
  }

  private countPhrases(ticket: Ticket): void {
    if (this.phrases.size === 0) return;
    const line = ` ${words(ticket.message.slice(0, 8_000)).join(" ")} `;
    for (const [phrase, tally] of this.phrases) {
      if (!line.includes(` ${phrase} `)) continue;
      tally.tickets += 1;
      if (ticket.escalated !== undefined) tally.withFlag += 1;
      if (ticket.escalated === true) tally.escalated += 1;
    }
  }

  private keepExample(list: TicketExample[], ticket: Ticket, outcome: TicketOutcome, category: string, withReply: boolean): void {
    if (list.length >= MAX_EXAMPLES) return;
    const key = `${withReply ? "risk" : "missed"}:${category}`;
    const kept = this.examplesPerCategory.get(key) ?? 0;
    if (kept >= EXAMPLES_PER_CATEGORY) return;
    this.examplesPerCategory.set(key, kept + 1);
    list.push({
      ref: maskForReport(ticket.id ?? `line ${ticket.line}`, 60),
      line: ticket.line,
      category: maskForReport(category, 80),
      message: maskForReport(ticket.message, 240),
      reasonCodes: outcome.reasonCodes,
      ...(withReply && outcome.reply !== undefined ? { aiReply: maskForReport(outcome.reply, 240) } : {}),
      ...(ticket.csat !== undefined ? { csat: ticket.csat } : {}),
      ...(ticket.resolutionMinutes !== undefined ? { resolutionMinutes: ticket.resolutionMinutes } : {}),
    });
  }
}
