/**
 * QA scores without a model, from what the pipeline recorded: every decision's reason codes and
 * guardrail verdicts, the messages, the escalation and the customer's CSAT. Each dimension is 1-5.
 * These are also the floor a model's scores cannot rise above for the hard facts (a blocked ungrounded
 * figure is an accuracy error whatever a rubric says).
 */
import type { ChannelKind, Message } from "../domain/model.js";
import type { RoutingPolicy } from "../ports/agent-engine.js";
import type { ReviewedConversation } from "./review-set.js";

export const QA_DIMENSIONS = ["accuracy", "completeness", "tone", "escalation_judgement", "policy_compliance"] as const;
export type QaDimension = (typeof QA_DIMENSIONS)[number];
export type QaScores = Record<QaDimension, number>;

/** Guardrail codes that mean the AI tried to break policy (the draft was blocked). */
const POLICY_CODES = new Set(["policy_exception", "unconfirmed_action", "data_leak", "instruction_leak", "secret_in_reply", "prompt_injection_obeyed"]);
/** Reason codes the routing rules give a customer message that shows frustration or an unhelpful answer. */
const FRUSTRATION_CODES = new Set(["frustration", "frustration_learned", "answer_not_helpful", "still_unclear"]);
const LOOP_CODES = new Set(["loop_detected", "repeated_question"]);
/** Hard triggers that should send a conversation to a person on the first message that shows them. */
const MUST_ESCALATE_CODES = new Set(["hardship", "dispute", "fraud", "complaint", "account_problem", "policy_exception"]);
const ERROR_CODES = new Set(["engine_error", "model_unavailable", "upstream_error"]);

export interface RuleAssessment {
  scores: QaScores;
  flags: string[];
  /** CSAT <= 2, or frustration after an AI answer. */
  dissatisfied: boolean;
  aiReplies: number;
  escalated: boolean;
}

function normalised(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();
}

function clamp(value: number): number {
  return Math.max(1, Math.min(5, value));
}

export interface RuleScoringOptions {
  /** The routing rules in force: messages the AI answered are checked against them again. */
  routing?: RoutingPolicy;
  channelKind?: ChannelKind;
}

export function assessByRules(item: ReviewedConversation, options: RuleScoringOptions = {}): RuleAssessment {
  const { conversation, messages } = item;
  const inbound = messages.filter((message) => message.direction === "inbound" && message.author === "customer");
  const aiReplies = messages.filter((message) => message.author === "ai");
  const firstAiSeq = aiReplies[0]?.seq ?? Number.POSITIVE_INFINITY;
  const flags = new Set<string>();
  const scores: QaScores = { accuracy: 5, completeness: 5, tone: 5, escalation_judgement: 5, policy_compliance: 5 };

  // Guardrails: every blocked draft is an AI error, whatever happened next.
  const failedCodes = inbound.flatMap((message) => (message.decision?.guardrails ?? []).filter((verdict) => !verdict.passed).map((verdict) => verdict.code ?? verdict.guardrail));
  for (const code of failedCodes) flags.add(`guardrail:${code}`);
  if (failedCodes.includes("ungrounded_figure")) {
    flags.add("ungrounded_figure");
    scores.accuracy = 1;
  } else if (failedCodes.length > 0) {
    scores.accuracy = Math.min(scores.accuracy, 3);
  }
  if (failedCodes.some((code) => POLICY_CODES.has(code))) scores.policy_compliance = 1;

  // How the customer reacted to AI answers.
  const afterAi = inbound.filter((message) => message.seq > firstAiSeq);
  const frustrated = afterAi.filter((message) => (message.decision?.reasonCodes ?? []).some((code) => FRUSTRATION_CODES.has(code)));
  if (frustrated.length > 0) {
    flags.add("frustration_after_ai");
    scores.tone = frustrated.length > 1 ? 2 : 3;
    scores.accuracy = Math.min(scores.accuracy, frustrated.length > 1 ? 2 : 3);
  }

  // Loops: the rules saw a repeat, or the AI said the same thing twice.
  const looped = inbound.some((message) => (message.decision?.reasonCodes ?? []).some((code) => LOOP_CODES.has(code))) || repeatedReply(aiReplies);
  if (looped) {
    flags.add("loop");
    scores.completeness = Math.min(scores.completeness, 2);
  }

  // Escalation judgement: a hard trigger should escalate on the message that shows it; asking for a
  // person after the AI answered means the AI held on too long.
  const humanDecisions = inbound.filter((message) => message.decision?.route === "human" && message.decision.reasonCodes.some((code) => code !== "human_owned"));
  const escalated = conversation.escalation !== undefined || humanDecisions.length > 0;
  const askedForPerson = afterAi.filter((message) => message.decision?.reasonCodes.includes("human_requested"));
  if (askedForPerson.length > 0) {
    flags.add("human_requested_after_ai");
    const answersBefore = aiReplies.filter((reply) => reply.seq < (askedForPerson[0]?.seq ?? 0)).length;
    scores.escalation_judgement = Math.min(scores.escalation_judgement, answersBefore >= 2 ? 2 : 3);
    scores.completeness = Math.min(scores.completeness, 3);
  }
  // Re-run today's routing rules on messages the AI answered: a hard trigger it answered past is a miss.
  for (const message of inbound) {
    if (message.decision?.route !== "ai" || !options.routing) continue;
    const history = messages.filter((earlier) => earlier.seq < message.seq);
    const hits = options.routing.beforeAnswer({ conversation, message, history, channelKind: options.channelKind ?? "webchat", now: message.createdAt });
    for (const hit of hits) {
      flags.add(`missed_trigger:${hit.code}`);
      scores.escalation_judgement = Math.min(scores.escalation_judgement, MUST_ESCALATE_CODES.has(hit.code) || hit.code === "human_requested" ? 1 : 2);
    }
  }
  if (inbound.some((message) => (message.decision?.reasonCodes ?? []).some((code) => ERROR_CODES.has(code) || code.startsWith("model_fallback")))) {
    flags.add("engine_error_or_fallback");
  }

  // CSAT is the customer's own verdict.
  const csat = conversation.csat;
  const dissatisfiedByCsat = csat !== undefined && csat <= 2;
  if (dissatisfiedByCsat) {
    flags.add("low_csat");
    scores.tone = Math.min(scores.tone, 3);
    scores.completeness = Math.min(scores.completeness, 3);
    if (!escalated) scores.escalation_judgement = Math.min(scores.escalation_judgement, 2);
  }
  if (escalated && aiReplies.length > 0 && !askedForPerson.length && scores.completeness === 5) scores.completeness = 4;

  for (const dimension of Object.keys(scores) as QaDimension[]) scores[dimension] = clamp(scores[dimension]);
  return { scores, flags: [...flags].sort(), dissatisfied: dissatisfiedByCsat || frustrated.length > 0, aiReplies: aiReplies.length, escalated };
}

function repeatedReply(replies: readonly Message[]): boolean {
  for (let index = 1; index < replies.length; index += 1) {
    const previous = normalised((replies[index - 1] as Message).text);
    if (previous.length > 0 && previous === normalised((replies[index] as Message).text)) return true;
  }
  return false;
}

export function overallScore(scores: QaScores, csat: number | undefined): number {
  const mean = QA_DIMENSIONS.reduce((sum, dimension) => sum + scores[dimension], 0) / QA_DIMENSIONS.length;
  const blended = csat === undefined ? mean : 0.7 * mean + 0.3 * csat;
  return Math.round(blended * 100) / 100;
}
