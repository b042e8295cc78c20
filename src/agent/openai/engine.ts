/**
 * The OpenAI engine: an `AgentEngine` whose drafts a language model writes, through the same account
 * tools, identity rule, confirmation flow and knowledge base as the embedded engine. It only drafts:
 * `createBrain` runs the same routing rules before and after it and the same guardrails on what it
 * writes, and the draft's facts are exactly this turn's tool results, so amounts and dates the model
 * invents have nothing to stand on.
 *
 * Order within a turn: a pending account action is settled first (YES/NO, by code), then a running
 * verification flow, then the model with its tools. When the model cannot answer (provider failure after
 * retries, open circuit breaker, spent daily budget, refusal, malformed output) the fallback engine (the
 * embedded one) answers, or the conversation goes to a person: a customer never waits in silence.
 */
import { errorMessage, ModelCallError, UpstreamError } from "../../errors.js";
import type { Logger } from "../../logging/logger.js";
import type { LlmMetrics } from "../../observability/llm-metrics.js";
import type { AccountProvider } from "../../ports/account-provider.js";
import type { AgentEngine, Draft, GroundingFact, TurnContext } from "../../ports/agent-engine.js";
import type { ChatUsage } from "../../ports/chat-model.js";
import { handlePendingAction, pendingActionOf, type ActionPolicy } from "../account-actions.js";
import { applyContextPatch, type ContextPatch } from "../conversation-context.js";
import { identityFlowActive, resolveIdentity, type IdentityOptions } from "../identity.js";
import { recallConversation } from "./conversation-memory.js";
import { newBoundary } from "./data-fence.js";
import type { PromptTemplate } from "./prompt-template.js";
import type { ResilientChatModel } from "./resilient-model.js";
import { NO_USAGE, addUsage } from "./spend.js";
import { finalAnswerFormat, knownCategory, type CategoryChoice } from "./final-answer.js";
import { runToolLoop } from "./tool-loop.js";
import { DRAFT_REASON } from "../reason-codes.js";
import type { ChatResponseFormat } from "../../ports/chat-model.js";
import { createTurnTools, passagesResult, type KnowledgeSearch, type TurnStop } from "./tools.js";
import { turnMessages } from "./turn-prompt.js";
import { maskForModel } from "../../guardrails/mask-for-model.js";

export const OPENAI_CONTEXT_KEY = "openai";

export interface OpenAIEngineOptions {
  model: ResilientChatModel;
  template: PromptTemplate;
  accounts?: AccountProvider;
  knowledge?: KnowledgeSearch;
  /** Answers when the model cannot (the embedded engine); absent: the conversation goes to a person. */
  fallback?: AgentEngine;
  /** The knowledge base's categories: the model's category is one of them (or `other`). */
  categories?: CategoryChoice[];
  companyName?: string;
  timeZone?: string;
  maxToolRounds?: number;
  historyTokens?: number;
  summaryMode?: "extractive" | "model";
  maxReplyChars?: number;
  /** Passages placed in the prompt up front (the same search the tool runs). */
  prefetchPassages?: number;
  identity?: IdentityOptions;
  actionPolicy?: Partial<ActionPolicy>;
  metrics?: LlmMetrics;
  logger?: Logger;
}

/** The engine's own part of `conversation.context`. */
interface EngineMemory {
  model: string;
  prompt: string;
  usage: { promptTokens: number; completionTokens: number; costUsd: number; turns: number };
  summary?: { throughSeq: number; text: string };
}

function memoryOf(context: Record<string, unknown>): Partial<EngineMemory> {
  const value = context[OPENAI_CONTEXT_KEY];
  return value !== null && typeof value === "object" ? (value) : {};
}

interface TurnSpend {
  usage: ChatUsage;
  costUsd: number;
}

export class OpenAIEngine implements AgentEngine {
  readonly name: string;
  private readonly finalFormat: ChatResponseFormat;

  constructor(private readonly options: OpenAIEngineOptions) {
    this.name = `openai:${options.model.modelName}`;
    this.finalFormat = finalAnswerFormat(options.categories);
  }

  /** Labels a handoff decided before any draft (the brain asks): the embedded engine's cheap classifier, no model call. */
  classify(turn: TurnContext): { category?: string; confidence: number } {
    return this.options.fallback?.classify?.(turn) ?? { confidence: 0 };
  }

  /** The instructions as the model sees them (without a turn's values), for the instruction-leak guard. */
  get instructions(): string[] {
    return [this.options.template.body];
  }

  async answer(turn: TurnContext): Promise<Draft> {
    const spend: TurnSpend = { usage: NO_USAGE, costUsd: 0 };
    const patches: ContextPatch[] = [];
    const accounts = this.options.accounts;

    // 1. A pending account action is settled by code: the customer's YES or NO, never the model's reading.
    let lead: string | undefined;
    if (accounts && pendingActionOf(turn.conversation.context)) {
      const outcome = await handlePendingAction(turn, accounts);
      if (outcome.kind === "executed") return this.draft(turn, spend, patches, { kind: "answer", text: outcome.reply, facts: outcome.facts, reasonCodes: [DRAFT_REASON.accountAction], contextPatch: outcome.contextPatch, confidence: 1 });
      if (outcome.kind === "failed") return this.draft(turn, spend, patches, { kind: "escalate", text: outcome.reply, facts: [], reasonCodes: [outcome.reasonCode], contextPatch: outcome.contextPatch, confidence: 1, summary: outcome.detail });
      if (outcome.kind === "reasked") return this.draft(turn, spend, patches, { kind: "clarify", text: outcome.reply, facts: outcome.facts, reasonCodes: [DRAFT_REASON.accountAction], contextPatch: outcome.contextPatch, confidence: 1 });
      if (outcome.kind === "cancelled" || outcome.kind === "expired") {
        patches.push(outcome.contextPatch);
        if (!outcome.continueWithMessage) {
          return this.draft(turn, spend, patches, { kind: "answer", text: outcome.reply ?? "OK.", facts: [], reasonCodes: [DRAFT_REASON.accountAction], confidence: 1 });
        }
        lead = outcome.reply;
      }
    }

    // 2. A verification flow in progress gets the customer's details first.
    let customerText = turn.message.text;
    let verifiedCustomerId: string | undefined;
    if (accounts && identityFlowActive(turn.conversation.context, turn.now, this.options.identity)) {
      const identity = await resolveIdentity(turn, accounts, this.options.identity ?? {});
      patches.push(identity.contextPatch);
      if (identity.kind === "escalate") return this.draft(turn, spend, patches, { kind: "escalate", text: identity.reply, facts: [], reasonCodes: [identity.reasonCode], confidence: 1 });
      if (identity.kind !== "verified") return this.draft(turn, spend, patches, { kind: "clarify", text: identity.reply, facts: [], reasonCodes: [DRAFT_REASON.verificationRequired], confidence: 1 });
      verifiedCustomerId = identity.verifiedCustomerId;
      if (identity.resumeText) customerText = identity.resumeText;
      lead = identity.acknowledgement;
    }

    // 3. The model, with its tools.
    try {
      const draft = await this.modelDraft(turn, customerText, verifiedCustomerId, spend, patches);
      return lead && draft.kind !== "escalate" && draft.text ? { ...draft, text: `${lead} ${draft.text}` } : draft;
    } catch (error) {
      if (error instanceof ModelCallError) return this.fallBack(turn, error, spend, patches);
      if (error instanceof UpstreamError) {
        return this.draft(turn, spend, patches, { kind: "escalate", facts: [], reasonCodes: ["upstream_error"], confidence: 0, summary: errorMessage(error) });
      }
      throw error;
    }
  }

  private async modelDraft(turn: TurnContext, customerText: string, verifiedCustomerId: string | undefined, spend: TurnSpend, patches: ContextPatch[]): Promise<Draft> {
    const options = this.options;
    const callOptions = {
      onUsage: (usage: ChatUsage, costUsd: number) => {
        spend.usage = addUsage(spend.usage, usage);
        spend.costUsd += costUsd;
      },
    };
    const mask = (text: string) => maskForModel(text, { personal: true });
    const memory = await recallConversation({
      turn,
      contextKey: OPENAI_CONTEXT_KEY,
      historyTokens: options.historyTokens ?? 1_500,
      mode: options.summaryMode ?? "extractive",
      mask,
      model: options.model,
      callOptions,
    });
    if (memory.cache) patches.push({ [OPENAI_CONTEXT_KEY]: { ...memoryOf(turn.conversation.context), summary: memory.cache } });

    const boundary = newBoundary();
    const prefetched = options.knowledge ? options.knowledge.search(customerText, options.prefetchPassages ?? 3) : [];
    const { tools, session } = createTurnTools({
      turn,
      ...(options.accounts ? { accounts: options.accounts } : {}),
      ...(options.knowledge ? { knowledge: options.knowledge } : {}),
      ...(options.identity ? { identity: options.identity } : {}),
      ...(options.actionPolicy ? { actionPolicy: options.actionPolicy } : {}),
      ...(options.timeZone ? { timeZone: options.timeZone } : {}),
    });
    const verified = verifiedCustomerId !== undefined || turn.conversation.customerId !== undefined;
    const messages = turnMessages({
      template: options.template,
      boundary,
      companyName: options.companyName ?? "Switchboard Pay",
      channelKind: turn.channelKind,
      now: turn.now,
      ...(options.timeZone ? { timeZone: options.timeZone } : {}),
      maxReplyChars: options.maxReplyChars ?? 700,
      verified,
      ...(memory.summary ? { summary: memory.summary } : {}),
      recent: memory.recent,
      passages: prefetched,
      customerText,
      mask,
    });

    const outcome = await runToolLoop<TurnStop>({ model: options.model, messages, tools, maxRounds: options.maxToolRounds ?? 4, boundary, finalFormat: this.finalFormat, callOptions });
    // Passages placed in the prompt are a search the engine ran for the model: they ground like tool results.
    const prefetchedResult = passagesResult(prefetched);
    const facts: GroundingFact[] = [...(prefetchedResult.kind === "data" ? prefetchedResult.facts : []), ...outcome.facts];
    patches.push(...session.contextPatches);
    const customerId = session.verifiedCustomerId ?? verifiedCustomerId;
    const who = customerId ? { verifiedCustomerId: customerId } : {};

    if (outcome.kind === "rounds_exceeded") {
      return this.draft(turn, spend, patches, { kind: "escalate", facts, reasonCodes: ["tool_rounds_exceeded"], confidence: 0, summary: `the model kept calling tools (${outcome.toolCalls.join(", ")})`, ...who });
    }
    if (outcome.kind === "stopped") return this.stopDraft(turn, outcome.stop, facts, spend, patches, who);

    const answer = knownCategory(outcome.answer, options.categories ?? []);
    if (answer.route === "human") {
      return this.draft(turn, spend, patches, {
        kind: "escalate",
        ...(answer.reply.trim() ? { text: answer.reply } : {}),
        facts,
        reasonCodes: ["model_escalated"],
        category: answer.category,
        confidence: answer.confidence,
        summary: answer.escalation_reason ?? "the model handed the conversation to a person",
        ...who,
      });
    }
    return this.draft(turn, spend, patches, {
      kind: answer.clarifying_question ? "clarify" : "answer",
      text: answer.reply,
      facts,
      reasonCodes: answer.clarifying_question ? [DRAFT_REASON.clarification] : [],
      category: answer.category,
      confidence: answer.confidence,
      ...who,
    });
  }

  private stopDraft(turn: TurnContext, stop: TurnStop, facts: GroundingFact[], spend: TurnSpend, patches: ContextPatch[], who: { verifiedCustomerId?: string }): Draft {
    if (stop.kind === "reply") {
      return this.draft(turn, spend, patches, { kind: stop.draftKind, text: stop.text, facts: [...facts, ...stop.facts], reasonCodes: stop.reasonCodes, confidence: 1, ...who });
    }
    return this.draft(turn, spend, patches, {
      kind: "escalate",
      ...(stop.text ? { text: stop.text } : {}),
      facts: [...facts, ...(stop.facts ?? [])],
      reasonCodes: [stop.reasonCode],
      confidence: 1,
      summary: stop.reason,
      ...(stop.priority ? { priority: stop.priority } : {}),
      ...who,
    });
  }

  private async fallBack(turn: TurnContext, error: ModelCallError, spend: TurnSpend, patches: ContextPatch[]): Promise<Draft> {
    const fallback = this.options.fallback;
    const reason = `model_${error.kind}`;
    this.options.metrics?.fallbacks.inc({ reason: error.kind, to: fallback ? "local" : "escalate" });
    this.options.logger?.warn({ conversationId: turn.conversation.id, kind: error.kind }, `the model could not answer; ${fallback ? "the embedded engine answers" : "a person takes over"}`);
    if (fallback) {
      try {
        const draft = await fallback.answer(turn);
        const base = draft.contextPatch ?? turn.conversation.context;
        return {
          ...draft,
          reasonCodes: [...draft.reasonCodes, "model_fallback", reason],
          contextPatch: this.contextWith(applyContextPatch(base, ...patches), turn, spend),
          engine: `${draft.engine} (fallback from ${this.name})`,
        };
      } catch (fallbackError) {
        this.options.logger?.error({ err: fallbackError }, "the fallback engine failed too");
      }
    }
    return this.draft(turn, spend, patches, { kind: "escalate", facts: [], reasonCodes: ["model_unavailable", reason], confidence: 0, summary: `the AI model is unavailable: ${error.message}` });
  }

  /** A draft with this engine's name and the context (other parts' patches, usage totals) merged in. */
  private draft(
    turn: TurnContext,
    spend: TurnSpend,
    patches: ContextPatch[],
    fields: Omit<Draft, "engine" | "contextPatch"> & { contextPatch?: ContextPatch },
  ): Draft {
    const { contextPatch, ...rest } = fields;
    const context = applyContextPatch(turn.conversation.context, ...patches, contextPatch);
    return { ...rest, engine: this.name, contextPatch: this.contextWith(context, turn, spend) };
  }

  private contextWith(context: Record<string, unknown>, turn: TurnContext, spend: TurnSpend): Record<string, unknown> {
    const before = memoryOf(turn.conversation.context);
    const now = memoryOf(context);
    const usage = before.usage ?? { promptTokens: 0, completionTokens: 0, costUsd: 0, turns: 0 };
    const memory: EngineMemory = {
      ...before,
      ...now,
      model: this.options.model.modelName,
      prompt: `${this.options.template.id} v${this.options.template.version}`,
      usage: {
        promptTokens: usage.promptTokens + spend.usage.promptTokens,
        completionTokens: usage.completionTokens + spend.usage.completionTokens,
        costUsd: Math.round((usage.costUsd + spend.costUsd) * 1_000_000) / 1_000_000,
        turns: usage.turns + 1,
      },
    };
    return { ...context, [OPENAI_CONTEXT_KEY]: memory };
  }
}

