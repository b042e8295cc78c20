/**
 * `qa review`: score every AI-handled conversation of a period, flag errors and dissatisfied customers,
 * aggregate per category, and work out which categories must go to people until they recover. With a
 * model the scores come from a rubric (capped by the recorded hard facts); without one, from the rules
 * and CSAT. A model failure on one conversation falls back to the rule scores for that one.
 */
import { errorMessage } from "../errors.js";
import type { Logger } from "../logging/logger.js";
import type { RoutingPolicy } from "../ports/agent-engine.js";
import type { ConversationStore } from "../ports/conversation-store.js";
import type { ResilientChatModel } from "../agent/openai/resilient-model.js";
import { combineScores, reviewWithModel, QA_RUBRIC_VERSION } from "./model-scoring.js";
import { nextMustHumanList, type CategoryQuality, type QualityFile, type QualityThresholds } from "./quality-file.js";
import { loadReviewSet, type ReviewedConversation } from "./review-set.js";
import { assessByRules, overallScore, QA_DIMENSIONS, type QaScores } from "./rule-scoring.js";

export interface ReviewItem {
  conversationId: string;
  channelId: string;
  category: string;
  state: string;
  csat: number | null;
  scoredBy: "model" | "rules";
  scores: QaScores;
  overall: number;
  flags: string[];
  dissatisfied: boolean;
  issues: string[];
  summary: string | null;
  aiReplies: number;
  escalated: boolean;
  updatedAt: string;
}

export interface QaReport {
  generatedAt: string;
  since: string | null;
  scoring: "model" | "rules";
  rubric: string | null;
  model: string | null;
  conversations: number;
  /** Means over the reviewed conversations; null when there were none (the report says n/a). */
  averages: { [Dimension in keyof QaScores | "overall"]: number | null };
  csat: { responses: number; mean: number | null; dissatisfied: number };
  flagged: number;
  dissatisfied: number;
  modelFailures: number;
  usage: { promptTokens: number; completionTokens: number; costUsd: number } | null;
  categories: Array<CategoryQuality & { mustHuman: string | null }>;
  mustHuman: QualityFile["mustHuman"];
  items: ReviewItem[];
}

export interface QaReviewOptions {
  store: ConversationStore;
  since?: Date;
  limit?: number;
  now: Date;
  thresholds: QualityThresholds;
  /** The quality file as it is now (its unexpired entries carry over for categories this review cannot judge). */
  previousQuality: QualityFile | null;
  model?: ResilientChatModel;
  /** Masks text before it reaches the model. */
  mask: (text: string) => string;
  routing?: RoutingPolicy;
  logger?: Logger;
}

const UNCATEGORISED = "uncategorised";

function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : Math.round((values.reduce((sum, value) => sum + value, 0) / values.length) * 100) / 100;
}

export async function runQaReview(options: QaReviewOptions): Promise<QaReport> {
  const set = await loadReviewSet(options.store, { ...(options.since ? { since: options.since } : {}), ...(options.limit ? { limit: options.limit } : {}) });
  const usage = { promptTokens: 0, completionTokens: 0, costUsd: 0 };
  let modelFailures = 0;
  const items: ReviewItem[] = [];
  for (const reviewed of set) {
    const item = await reviewOne(reviewed, options, usage).catch((error: unknown) => {
      modelFailures += 1;
      options.logger?.warn({ conversationId: reviewed.conversation.id, err: error }, `QA model review failed, rule scores used: ${errorMessage(error)}`);
      return reviewOne(reviewed, { ...options, model: undefined }, usage);
    });
    items.push(item);
  }
  items.sort((a, b) => a.overall - b.overall || a.conversationId.localeCompare(b.conversationId));

  const categories = perCategory(items);
  const mustHuman = nextMustHumanList(options.previousQuality, categories, options.thresholds, options.now);
  const averageOf = (pick: (item: ReviewItem) => number) => mean(items.map(pick));
  const csats = items.map((item) => item.csat).filter((value): value is number => value !== null);
  return {
    generatedAt: options.now.toISOString(),
    since: options.since?.toISOString() ?? null,
    scoring: options.model ? "model" : "rules",
    rubric: options.model ? QA_RUBRIC_VERSION : null,
    model: options.model?.modelName ?? null,
    conversations: items.length,
    averages: {
      ...(Object.fromEntries(QA_DIMENSIONS.map((dimension) => [dimension, averageOf((item) => item.scores[dimension])])) as Record<keyof QaScores, number | null>),
      overall: averageOf((item) => item.overall),
    },
    csat: { responses: csats.length, mean: mean(csats), dissatisfied: csats.filter((value) => value <= 2).length },
    flagged: items.filter((item) => item.flags.length > 0).length,
    dissatisfied: items.filter((item) => item.dissatisfied).length,
    modelFailures,
    usage: options.model ? { ...usage, costUsd: Math.round(usage.costUsd * 1_000_000) / 1_000_000 } : null,
    categories: categories.map((quality) => ({ ...quality, mustHuman: mustHuman.find((entry) => entry.category === quality.category)?.reason ?? null })),
    mustHuman,
    items,
  };
}

async function reviewOne(reviewed: ReviewedConversation, options: QaReviewOptions, usage: { promptTokens: number; completionTokens: number; costUsd: number }): Promise<ReviewItem> {
  const rules = assessByRules(reviewed, options.routing ? { routing: options.routing } : {});
  const { conversation } = reviewed;
  const csat = conversation.csat;
  let scores = rules.scores;
  let dissatisfied = rules.dissatisfied;
  let issues: string[] = [];
  let summary: string | null = null;
  if (options.model) {
    const review = await reviewWithModel(reviewed, options.model, options.mask, {
      onUsage: (spent, cost) => {
        usage.promptTokens += spent.promptTokens;
        usage.completionTokens += spent.completionTokens;
        usage.costUsd += cost;
      },
    });
    scores = combineScores(review, rules);
    dissatisfied = dissatisfied || review.customer_dissatisfied;
    issues = review.issues;
    summary = review.summary;
  }
  const flags = [...rules.flags];
  if (dissatisfied && !flags.includes("low_csat") && !flags.includes("frustration_after_ai")) flags.push("dissatisfied");
  return {
    conversationId: conversation.id,
    channelId: conversation.channelId,
    category: conversation.category ?? lastDecidedCategory(reviewed) ?? UNCATEGORISED,
    state: conversation.state,
    csat: csat ?? null,
    scoredBy: options.model ? "model" : "rules",
    scores,
    overall: overallScore(scores, csat),
    flags: flags.sort(),
    dissatisfied,
    issues,
    summary,
    aiReplies: rules.aiReplies,
    escalated: rules.escalated,
    updatedAt: conversation.updatedAt.toISOString(),
  };
}

function lastDecidedCategory(reviewed: ReviewedConversation): string | undefined {
  return [...reviewed.messages].reverse().find((message) => message.decision?.category)?.decision?.category;
}

function perCategory(items: readonly ReviewItem[]): CategoryQuality[] {
  const groups = new Map<string, ReviewItem[]>();
  for (const item of items) groups.set(item.category, [...(groups.get(item.category) ?? []), item]);
  return [...groups.entries()]
    .map(([category, group]) => {
      const csats = group.map((item) => item.csat).filter((value): value is number => value !== null);
      return {
        category,
        conversations: group.length,
        score: mean(group.map((item) => item.overall)),
        csat: mean(csats),
        csatResponses: csats.length,
        flagged: group.filter((item) => item.flags.length > 0).length,
      };
    })
    .sort((a, b) => (a.score ?? 0) - (b.score ?? 0) || a.category.localeCompare(b.category));
}

export function qualityFileOf(report: QaReport, thresholds: QualityThresholds): QualityFile {
  return {
    format: "switchboard-quality",
    version: 1,
    generatedAt: report.generatedAt,
    thresholds,
    categories: report.categories.map(({ mustHuman: _mustHuman, ...quality }) => quality),
    mustHuman: report.mustHuman,
  };
}
