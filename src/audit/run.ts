/**
 * The ticket audit: every resolved ticket's message goes through the brain (in-process, the local
 * engine, no network), and what the brain would do is set against what history did. Without a
 * knowledge base the audit builds one from the same tickets in a temporary folder (and says the
 * figures are in-sample). The file is streamed once for the audit, so 100,000 tickets fit in memory.
 */
import { constants } from "node:fs";
import { access, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DRAFT_REASON } from "../agent/reason-codes.js";
import { PROMPT_INJECTION_REASON } from "../guardrails/prompt-injection.js";
import { singleTurn } from "../agent/evaluate.js";
import type { ChannelKind } from "../domain/model.js";
import { errorMessage, ValidationError } from "../errors.js";
import { buildKnowledgeBase, type BuildProgress } from "../kb/build.js";
import { learnedRoutingSignals, type KnowledgeBase } from "../kb/load.js";
import { readTicketBatches, ticketFormatOf, type Ticket } from "../kb/tickets.js";
import type { Brain, TurnDecision } from "../ports/agent-engine.js";
import { AuditCollector, type TicketOutcome } from "./collector.js";
import { buildAuditReport } from "./report.js";
import type { AuditReport, ProjectedRoute } from "./report-types.js";

/** What the audit needs from the composition root: the brain over a kb folder, and what its reason codes mean. */
export interface AuditBrain {
  brain: Brain;
  kb: KnowledgeBase;
  /** Reason code -> label, from the routing rules. */
  ruleLabels: ReadonlyMap<string, string>;
}

export interface AuditOptions {
  tickets: string;
  /** A built knowledge base; without it one is built from `tickets` (in-sample). */
  kbDir?: string;
  /** Documents for the in-sample build (only without `kbDir`). */
  docs?: string;
  composeBrain(kbDir: string): Promise<AuditBrain>;
  progress?: BuildProgress;
  now?: () => Date;
  clock?: () => number;
}

/** Replies that ask rather than answer: the outcome depends on what the customer says next. */
const ASKING_CODES: ReadonlySet<string> = new Set([DRAFT_REASON.clarification, DRAFT_REASON.lowConfidence, DRAFT_REASON.unreadable, PROMPT_INJECTION_REASON]);
const PROGRESS_EVERY = 500;

export function projectedRouteOf(outcome: TurnDecision): ProjectedRoute {
  if (outcome.decision.route === "human") return "human";
  return outcome.decision.reasonCodes.some((code) => ASKING_CODES.has(code)) ? "clarifies" : "answered";
}

/** The ticket's channel as the brain's channel kind (rules on length and tone may differ by channel). */
export function channelKindOf(channel: string | undefined): ChannelKind {
  const name = (channel ?? "").toLowerCase();
  if (name.includes("whatsapp")) return "twilio_whatsapp";
  if (name.includes("sms") || name.includes("text")) return "twilio_sms";
  return "webchat";
}

async function checkReadable(path: string): Promise<number> {
  ticketFormatOf(path);
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new ValidationError(`${path} is not a file: --tickets needs a JSONL or CSV file of resolved tickets`);
    size = info.size;
    await access(path, constants.R_OK);
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : errorMessage(error);
    throw new ValidationError(`cannot read the tickets file ${path}: ${why}`);
  }
  return size;
}

async function decide(brain: Brain, ticket: Ticket, now: Date): Promise<TicketOutcome> {
  try {
    const outcome = await brain.decide(singleTurn(ticket.message, { now, channelKind: channelKindOf(ticket.channel) }));
    return {
      route: projectedRouteOf(outcome),
      reasonCodes: outcome.decision.reasonCodes,
      ...(outcome.decision.category !== undefined ? { category: outcome.decision.category } : {}),
      ...(outcome.reply !== undefined ? { reply: outcome.reply } : {}),
    };
  } catch {
    // One message the brain cannot take must not end the audit; it shows as its own reason.
    return { route: "human", reasonCodes: ["brain_error"] };
  }
}

export async function auditTickets(options: AuditOptions): Promise<AuditReport> {
  const clock = options.clock ?? (() => performance.now());
  const now = (options.now ?? (() => new Date()))();
  const started = clock();
  const bytes = await checkReadable(options.tickets);
  if (options.kbDir !== undefined && options.docs !== undefined) {
    throw new ValidationError("--docs is for the knowledge base the audit builds itself: leave it out when you give --kb");
  }

  let temporary: string | undefined;
  let kbBuildMs: number | null = null;
  try {
    let kbDir = options.kbDir;
    if (kbDir === undefined) {
      temporary = await mkdtemp(join(tmpdir(), "switchboard-audit-kb-"));
      const buildStarted = clock();
      await buildKnowledgeBase({
        tickets: options.tickets,
        out: temporary,
        ...(options.docs !== undefined ? { docs: options.docs } : {}),
        ...(options.progress ? { progress: options.progress } : {}),
      });
      kbBuildMs = clock() - buildStarted;
      kbDir = temporary;
    }
    const { brain, kb, ruleLabels } = await options.composeBrain(kbDir);
    const signals = learnedRoutingSignals(kb);
    const adminPhrases = new Set([...kb.overrides.frustrationPhrases, ...kb.overrides.humanTriggers].map((phrase) => phrase.toLowerCase()));
    const collector = new AuditCollector({ phrases: [...new Set([...signals.frustrationPhrases, ...signals.humanTriggers])] });

    options.progress?.stage("running every ticket through the brain");
    let deciding = 0;
    let lastReport = 0;
    for await (const batch of readTicketBatches(options.tickets)) {
      for (const item of batch.items) {
        if ("problem" in item) {
          collector.addProblem(item);
          continue;
        }
        const before = clock();
        const outcome = await decide(brain, item, now);
        deciding += clock() - before;
        collector.addTicket(item, outcome);
      }
      if (collector.rows - lastReport >= PROGRESS_EVERY || batch.chunk === undefined) {
        lastReport = collector.rows;
        options.progress?.rows(collector.rows, batch.bytesRead, bytes);
      }
    }
    if (collector.usable === 0) {
      const first = collector.problems.slice(0, 5).map((problem) => `line ${problem.line}: ${problem.problem}`).join("\n  ");
      throw new ValidationError(`no usable tickets in ${options.tickets} (${collector.rows} rows read)${first ? `:\n  ${first}` : ""}`);
    }

    options.progress?.stage("writing the report");
    return buildAuditReport({
      collector,
      kb,
      kbDir: options.kbDir ?? null,
      ticketsPath: options.tickets,
      format: ticketFormatOf(options.tickets),
      bytes,
      ruleLabels,
      adminPhrases,
      frustrationPhrases: signals.frustrationPhrases,
      humanTriggers: signals.humanTriggers,
      now,
      durationMs: clock() - started,
      kbBuildMs,
      decisionsPerSecond: deciding > 0 ? (collector.usable / deciding) * 1000 : 0,
    });
  } finally {
    if (temporary !== undefined) await rm(temporary, { recursive: true, force: true });
  }
}
