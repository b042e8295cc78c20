/**
 * Scores a brain on labelled cases (DESIGN.md: eval cases) through the very same `Brain.decide` the
 * pipeline calls, one fresh conversation per case. The report's shape is part of the external contract.
 */
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { z } from "zod";
import type { ChannelKind, Conversation, Message } from "../domain/model.js";
import { ValidationError } from "../errors.js";
import type { Brain, TurnContext, TurnDecision } from "../ports/agent-engine.js";
import { DRAFT_REASON } from "./reason-codes.js";

export const EvalCase = z.object({
  id: z.union([z.string(), z.number()]).transform(String).optional(),
  text: z.string(),
  expect_route: z.enum(["ai", "human"]),
  expect_category: z.string().min(1).optional(),
  customer_id: z.string().min(1).optional(),
  must_include: z.array(z.string()).default([]),
  must_not_include: z.array(z.string()).default([]),
});
export type EvalCase = z.infer<typeof EvalCase>;

export interface EvalFailure {
  id: string;
  text: string;
  problems: string[];
  expect_route: "ai" | "human";
  route: "ai" | "human";
  expect_category?: string;
  category?: string;
  reason_codes: string[];
  reply?: string;
}

export interface EvalReport {
  cases: number;
  route_accuracy: number;
  human_recall: number | null;
  human_precision: number | null;
  /** Share of `expect_route: ai` cases the AI answered itself; a clarifying question is not an answer. */
  containment: number | null;
  /** Share of all cases answered with a clarifying question (route ai, reason `clarification`). */
  clarification_rate: number;
  category_accuracy: number | null;
  content_pass_rate: number | null;
  guardrail_violations: number;
  latency_ms: { p50: number; p99: number };
  failures: EvalFailure[];
}

export async function readEvalCases(path: string): Promise<EvalCase[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new ValidationError(`cannot read the cases file ${path}: ${(error as Error).message}`);
  }
  const cases: EvalCase[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === "") return;
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch {
      problems.push(`line ${index + 1}: not valid JSON`);
      return;
    }
    const parsed = EvalCase.safeParse(data);
    if (parsed.success) cases.push(parsed.data);
    else problems.push(`line ${index + 1}: ${parsed.error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`).join("; ")}`);
  });
  if (problems.length > 0) throw new ValidationError(`${path} has invalid cases:\n  ${problems.slice(0, 10).join("\n  ")}`);
  if (cases.length === 0) throw new ValidationError(`${path} has no cases`);
  return cases;
}

/** A one-message turn from a fresh conversation (verified as `customerId` when given). */
export function singleTurn(text: string, options: { customerId?: string; now?: Date; channelKind?: ChannelKind } = {}): TurnContext {
  const now = options.now ?? new Date();
  const conversation: Conversation = {
    id: randomUUID(),
    channelId: "cli",
    customerAddress: options.customerId ? `customer:${options.customerId}` : "cli-visitor",
    ...(options.customerId ? { customerId: options.customerId } : {}),
    state: "ai",
    context: {},
    processedSeq: 0,
    lastSeq: 1,
    createdAt: now,
    updatedAt: now,
  };
  const message: Message = {
    id: randomUUID(),
    conversationId: conversation.id,
    seq: 1,
    direction: "inbound",
    author: "customer",
    text,
    attachments: [],
    status: "received",
    meta: {},
    createdAt: now,
    updatedAt: now,
  };
  return { conversation, message, history: [], channelKind: options.channelKind ?? "webchat", now };
}

const round = (value: number) => Math.round(value * 1e4) / 1e4;
const ratio = (hits: number, total: number) => (total === 0 ? null : round(hits / total));

function percentile(sorted: readonly number[], share: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1));
  return Math.round((sorted[index] as number) * 1000) / 1000;
}

function contentPasses(item: EvalCase, reply: string | undefined): boolean {
  const text = (reply ?? "").toLowerCase();
  return item.must_include.every((needle) => text.includes(needle.toLowerCase())) &&
    item.must_not_include.every((needle) => !text.includes(needle.toLowerCase()));
}

export async function evaluateBrain(
  brain: Brain,
  cases: readonly EvalCase[],
  options: { now?: () => Date; clock?: () => number } = {},
): Promise<EvalReport> {
  const clock = options.clock ?? (() => performance.now());
  const now = options.now ?? (() => new Date());
  let routeHits = 0;
  let expectedHuman = 0;
  let caughtHuman = 0;
  let routedHuman = 0;
  let expectedAi = 0;
  let contained = 0;
  let clarified = 0;
  let categoryCases = 0;
  let categoryHits = 0;
  let contentCases = 0;
  let contentHits = 0;
  let violations = 0;
  const latencies: number[] = [];
  const failures: EvalFailure[] = [];

  for (const [position, item] of cases.entries()) {
    const turn = singleTurn(item.text, { now: now(), ...(item.customer_id ? { customerId: item.customer_id } : {}) });
    const started = clock();
    const outcome: TurnDecision = await brain.decide(turn);
    latencies.push(clock() - started);
    const { decision } = outcome;
    const problems: string[] = [];
    const asked = decision.route === "ai" && decision.reasonCodes.includes(DRAFT_REASON.clarification);
    if (asked) clarified += 1;
    if (decision.route === item.expect_route) routeHits += 1;
    else problems.push("route");
    if (item.expect_route === "human") {
      expectedHuman += 1;
      if (decision.route === "human") caughtHuman += 1;
    } else {
      expectedAi += 1;
      if (decision.route === "ai") contained += 1;
    }
    if (decision.route === "human") routedHuman += 1;
    if (item.expect_category !== undefined) {
      categoryCases += 1;
      if (decision.category === item.expect_category) categoryHits += 1;
      else problems.push("category");
    }
    if (item.must_include.length > 0 || item.must_not_include.length > 0) {
      contentCases += 1;
      if (contentPasses(item, outcome.reply)) contentHits += 1;
      else problems.push("content");
    }
    violations += decision.guardrails.filter((verdict) => !verdict.passed).length;
    if (problems.length > 0 && failures.length < 20) {
      failures.push({
        id: item.id ?? `case-${position + 1}`,
        text: item.text.slice(0, 300),
        problems,
        expect_route: item.expect_route,
        route: decision.route,
        ...(item.expect_category !== undefined ? { expect_category: item.expect_category } : {}),
        ...(decision.category !== undefined ? { category: decision.category } : {}),
        reason_codes: decision.reasonCodes,
        ...(outcome.reply !== undefined ? { reply: outcome.reply.slice(0, 300) } : {}),
      });
    }
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    cases: cases.length,
    route_accuracy: round(routeHits / cases.length),
    human_recall: ratio(caughtHuman, expectedHuman),
    human_precision: ratio(caughtHuman, routedHuman),
    containment: ratio(contained, expectedAi),
    clarification_rate: round(clarified / cases.length),
    category_accuracy: ratio(categoryHits, categoryCases),
    content_pass_rate: ratio(contentHits, contentCases),
    guardrail_violations: violations,
    latency_ms: { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) },
    failures,
  };
}
