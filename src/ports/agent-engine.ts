/**
 * The brain's parts, as the pipeline sees them: route (rules), answer (an engine), guard (checks on the
 * draft). `src/agent/decide-turn.ts` runs them in that order for every engine, so nothing an engine
 * writes reaches a customer unchecked.
 */
import type { ChannelKind, Conversation, Decision, GuardrailVerdict, Message, Priority } from "../domain/model.js";

/** Everything the brain may look at for one inbound message. */
export interface TurnContext {
  conversation: Conversation;
  /** The inbound message being answered. */
  message: Message;
  /** Earlier messages of the conversation, oldest first (a bounded window). */
  history: Message[];
  channelKind: ChannelKind;
  now: Date;
}

/** A fact the draft may rely on; guardrails only accept amounts and dates that appear in these. */
export interface GroundingFact {
  source: "account" | "knowledge_base" | "policy" | "customer";
  /** Where it came from: a document id, `plan:P-1001`, a tool name. */
  ref: string;
  text: string;
  /**
   * For account facts: whose account record it is. Guardrails treat an account fact of anyone but the
   * verified customer as a data leak (src/guardrails).
   */
  customerId?: string;
}

/** A rule that fired; `code` is stable (e.g. `human_requested`, `hardship`), `label` is for people. */
export interface RuleHit {
  code: string;
  label: string;
  priority: Priority;
  /** The reply to offer the customer with the handoff (hardship: "a specialist will..."). */
  customerNote?: string;
  category?: string;
}

export interface Draft {
  kind: "answer" | "clarify" | "escalate";
  /** The text for the customer (absent for a bare escalation). */
  text?: string;
  category?: string;
  /** 0..1: how sure the engine is of the category/answer. */
  confidence: number;
  /** The facts this draft is built on: this turn's tool results and knowledge-base passages. */
  facts: GroundingFact[];
  /** Why the engine escalates or asks (e.g. `low_confidence`, `upstream_error`). */
  reasonCodes: string[];
  /** Replaces `conversation.context` when the turn commits (pending action, verification step...). */
  contextPatch?: Record<string, unknown>;
  /** The customer's identity was verified this turn. */
  verifiedCustomerId?: string;
  /** The engine's one-line summary of the conversation so far, for the desk. */
  summary?: string;
  engine: string;
  /** 0..1: how likely past tickets like this one were handled by a person (learned engines only). */
  humanProbability?: number;
  /** For an escalation: how urgent the engine judges it (default normal). */
  priority?: Priority;
}

export interface RoutingPolicy {
  /** Hard triggers checked before any engine runs (escape hatch, hardship, disputes...). */
  beforeAnswer(turn: TurnContext): RuleHit[];
  /** Checks that need the draft (loops, must-human categories, low confidence). */
  afterAnswer(turn: TurnContext, draft: Draft): RuleHit[];
}

export interface AgentEngine {
  readonly name: string;
  answer(turn: TurnContext): Promise<Draft>;
  /**
   * Optional, cheap: the category the engine would give this message. The brain uses it to label a
   * handoff that a rule decided before any draft was written (for the desk and for evaluation).
   */
  classify?(turn: TurnContext): { category?: string; confidence: number };
}

export interface ReplyGuard {
  readonly name: string;
  check(draft: Draft, turn: TurnContext): GuardrailVerdict;
}

/** What the pipeline does with one inbound message. */
export interface TurnDecision {
  decision: Decision;
  /** For `ai`: the checked answer. For `human`: the note that comes before the handoff message. */
  reply?: string;
  summary?: string;
  contextPatch?: Record<string, unknown>;
  verifiedCustomerId?: string;
}

export interface Brain {
  decide(turn: TurnContext): Promise<TurnDecision>;
}

/**
 * Routing signals learned from a knowledge base (the kb build writes them; the routing rules read them):
 * phrases that mark frustration, phrases that always mean a human, categories that must go to a human.
 */
export interface LearnedRoutingSignals {
  frustrationPhrases: string[];
  humanTriggers: string[];
  mustHumanCategories: string[];
  /**
   * Categories that past tickets show, with strong evidence (many tickets, almost none escalated), the
   * AI may handle: "soft" rules (keyword rules that misfire across domains) yield to a confident
   * prediction of one of these.
   */
  aiSafeCategories?: string[];
}
