/**
 * The embedded engine (`AI_ENGINE=local`): no network, a few milliseconds a turn. It classifies the
 * message with the knowledge base's intent model, runs the category's decision tree or composes a
 * reply from the category's template and the best passage, asks one clarifying question when unsure
 * and hands over when still unsure. Every draft lists the facts it is built on.
 */
import type { Category, DecisionTree } from "../../kb/format.js";
import { detectLanguage } from "../../kb/language.js";
import type { KnowledgeBase } from "../../kb/load.js";
import { contentOverlap, foldText, learningTokens, STOPWORDS, words } from "../../kb/text.js";
import type { AgentEngine, Draft, TurnContext } from "../../ports/agent-engine.js";
import { DRAFT_REASON } from "../reason-codes.js";
import { NO_ACCOUNT_TOOLS, type AccountTools, type IdentityState } from "./account-tools.js";
import { bestPassage, clarifyingQuestion, composeAnswer, lowerFirst, MIN_PASSAGE_SCORE, passageFact, snippet } from "./compose.js";
import { cueOf, cueReply } from "./cues.js";
import { asksForPersonInOtherLanguage, replyInOtherLanguage } from "./other-languages.js";
import { PassageIndex } from "./retrieval.js";
import { chooseOption, runTree, type TreeOutcome, type TreePosition } from "./trees.js";
import { applyContextPatch } from "../conversation-context.js";
import { PROMPT_INJECTION_REASON } from "../../guardrails/prompt-injection.js";
import { parseVerificationDetails } from "../identity.js";

/** The engine's working memory inside `conversation.context`. */
export const ENGINE_CONTEXT_KEY = "localEngine";
const MAX_TEXT_FOR_MODEL = 2_000;
const MAX_CLARIFY_OPTIONS = 3;

interface EngineState {
  tree?: TreePosition;
  clarify?: { options: string[]; text: string };
}

function readState(context: Record<string, unknown>): EngineState {
  const raw = context[ENGINE_CONTEXT_KEY];
  if (typeof raw !== "object" || raw === null) return {};
  const state = raw as EngineState;
  return {
    ...(state.tree && typeof state.tree.tree === "string" && typeof state.tree.node === "string" ? { tree: state.tree } : {}),
    ...(state.clarify && Array.isArray(state.clarify.options) ? { clarify: state.clarify } : {}),
  };
}

export interface LocalEngineOptions {
  accounts?: AccountTools;
}

export class LocalEngine implements AgentEngine {
  readonly name = "local";
  private readonly index: PassageIndex;
  private readonly accounts: AccountTools;
  private readonly treeByCategory = new Map<string, DecisionTree>();
  private readonly passageLanguages: ReadonlySet<string>;

  constructor(
    private readonly kb: KnowledgeBase,
    options: LocalEngineOptions = {},
  ) {
    this.index = new PassageIndex(kb.passages);
    this.accounts = options.accounts ?? NO_ACCOUNT_TOOLS;
    this.passageLanguages = new Set(kb.passages.map((passage) => passage.lang));
    for (const tree of kb.trees) for (const category of tree.categories) this.treeByCategory.set(category, tree);
  }

  classify(turn: TurnContext): { category?: string; confidence: number } {
    const prediction = this.kb.model.predict(turn.message.text.slice(0, MAX_TEXT_FOR_MODEL));
    const top = prediction.ranking[0];
    return top ? { category: top.label, confidence: prediction.confidence } : { confidence: 0 };
  }

  async answer(turn: TurnContext): Promise<Draft> {
    const text = turn.message.text;
    const state = readState(turn.conversation.context);
    const lang = detectLanguage(text);
    let carried: Record<string, unknown> = {};
    let prefix: string | undefined;
    const make = (partial: Partial<Draft> & Pick<Draft, "kind">, next: EngineState = {}): Draft => {
      // Each part of the brain owns its keys of the context; a patch sets them, null removes them.
      const context = applyContextPatch(turn.conversation.context, carried, partial.contextPatch, {
        [ENGINE_CONTEXT_KEY]: next.tree || next.clarify ? next : null,
      });
      const text = prefix && partial.text ? `${prefix} ${partial.text}` : partial.text;
      return { confidence: 1, facts: [], reasonCodes: [], engine: this.name, ...partial, ...(text !== undefined ? { text } : {}), contextPatch: context };
    };

    const cue = cueOf(text);
    if (cue === "unreadable" || cue === "instructions") {
      const reason = cue === "instructions" ? PROMPT_INJECTION_REASON : DRAFT_REASON.unreadable;
      return make({ kind: "clarify", text: cueReply(cue, lang), reasonCodes: [reason], confidence: 0 }, state);
    }
    if (this.accounts.verificationPending(turn)) {
      const resumed = await this.continueVerification(turn, make);
      if (resumed) return resumed;
      carried = this.accounts.abandonVerification();
    }
    const pending = await this.accounts.pendingAction(turn);
    if (pending.kind === "reply") {
      return make({ kind: "answer", text: pending.text, facts: pending.facts, reasonCodes: [DRAFT_REASON.accountAction], contextPatch: pending.contextPatch });
    }
    if (pending.kind === "escalate") {
      return make({ kind: "escalate", text: pending.text, reasonCodes: [pending.reasonCode], contextPatch: pending.contextPatch });
    }
    if (pending.kind === "continue") {
      carried = { ...carried, ...pending.contextPatch };
      prefix = pending.text;
    }
    if (state.tree) {
      const continued = await this.continueTree(turn, state.tree, make);
      if (continued) return continued;
    }
    if (cue) return make({ kind: "answer", text: cueReply(cue, lang), reasonCodes: [DRAFT_REASON.smallTalk] });
    if ((lang !== "en" && lang !== "und") || asksForPersonInOtherLanguage(text)) {
      const reply = replyInOtherLanguage({ lang, text, index: this.index, passageLanguages: this.passageLanguages, clarifiedBefore: state.clarify !== undefined });
      return make(reply.draft, reply.clarify ? { clarify: reply.clarify } : {});
    }

    let question = text.slice(0, MAX_TEXT_FOR_MODEL);
    let afterClarification = false;
    if (state.clarify) {
      const chosen = this.chosenOption(state.clarify.options, text);
      if (chosen) return this.answerCategory(turn, chosen, state.clarify.text, 0.9, undefined, make);
      question = `${state.clarify.text} ${question}`.slice(0, MAX_TEXT_FOR_MODEL);
      afterClarification = true;
    }

    const vector = this.kb.model.vectorize(question);
    if (vector.indices.length === 0 || !this.knowsAnyContentWord(question)) {
      // Nothing the model knows (another script, gibberish, no topic word): ask, do not guess a category.
      if (afterClarification) return make({ kind: "escalate", reasonCodes: [DRAFT_REASON.lowConfidence], confidence: 0 });
      return make(
        { kind: "clarify", text: clarifyingQuestion([]), reasonCodes: [DRAFT_REASON.clarification, DRAFT_REASON.lowConfidence], confidence: 0 },
        { clarify: { options: [], text: question.slice(0, 500) } },
      );
    }
    const prediction = this.kb.model.predictVector(vector);
    const humanProbability = this.humanProbability(prediction.ranking, prediction.humanProbability);
    const top = prediction.ranking[0];
    const category = top ? this.kb.categoryById.get(top.label) : undefined;
    const answerAt = this.kb.model.calibration.answerAt;
    const passage = bestPassage(this.index, question, category);
    const retrievalAgrees = passage !== undefined && category?.passages.includes(passage.id) === true;
    const confident =
      prediction.confidence >= answerAt || (retrievalAgrees && prediction.confidence >= answerAt * 0.5 && this.retrievalStrong(question, passage.id));

    if (category && (confident || afterClarification && prediction.confidence >= answerAt * 0.5)) {
      return this.answerCategory(turn, category.id, question, prediction.confidence, humanProbability, make);
    }
    if (afterClarification) {
      return make({
        kind: "escalate",
        reasonCodes: [DRAFT_REASON.lowConfidence],
        confidence: prediction.confidence,
        humanProbability,
        ...(category ? { category: category.id } : {}),
      });
    }
    // Topics only a person handles are not offered as choices: the rules send those to a person anyway.
    const options = prediction.ranking
      .slice(0, MAX_CLARIFY_OPTIONS)
      .filter((entry) => entry.probability >= (top?.probability ?? 0) * 0.25 && this.kb.categoryById.get(entry.label)?.mustHuman.value !== true)
      .map((entry) => entry.label);
    const names = options.map((id) => lowerFirst(this.kb.categoryById.get(id)?.name ?? id));
    return make(
      {
        kind: "clarify",
        text: clarifyingQuestion(names),
        reasonCodes: [DRAFT_REASON.clarification, DRAFT_REASON.lowConfidence],
        confidence: prediction.confidence,
        humanProbability,
        ...(category ? { category: category.id } : {}),
      },
      { clarify: { options, text: question.slice(0, 500) } },
    );
  }

  /** Expected share of escalations: the category mix weighted by how often people handled each, and the message model. */
  private humanProbability(ranking: ReadonlyArray<{ label: string; probability: number }>, messageLevel: number | undefined): number {
    let fromCategories = 0;
    for (const entry of ranking) {
      const category = this.kb.categoryById.get(entry.label);
      if (!category) continue;
      const share = category.mustHuman.value ? 1 : Math.min(category.mustHuman.evidence.share ?? 0, 0.49);
      fromCategories += entry.probability * share;
    }
    const combined = messageLevel === undefined ? fromCategories : (fromCategories + messageLevel) / 2;
    return Math.round(combined * 1e4) / 1e4;
  }

  /** Character n-grams match almost anything; a topic needs at least one content word the tickets used. */
  private knowsAnyContentWord(text: string): boolean {
    const { vectorizer } = this.kb.model;
    return learningTokens(text).some((token) => !STOPWORDS.has(token) && vectorizer.featureIndex(`w:${token}`) !== undefined);
  }

  private retrievalStrong(question: string, passageId: string): boolean {
    const top = this.index.search(question, { limit: 1 })[0];
    return top !== undefined && top.passage.id === passageId && top.score >= MIN_PASSAGE_SCORE;
  }

  private chosenOption(options: readonly string[], reply: string): string | undefined {
    const plain = words(foldText(reply));
    const number = /^(\d)$/.exec(plain[0] ?? "");
    if (number && plain.length <= 3) return options[Number(number[1]) - 1];
    if (options.length === 1 && /^(yes|yeah|yep|yup|correct|right|exactly|si|sure)$/.test(plain[0] ?? "")) return options[0];
    let best: { id: string; overlap: number } | undefined;
    for (const id of options) {
      const category = this.kb.categoryById.get(id);
      if (!category) continue;
      const overlap = contentOverlap(reply, `${category.name} ${category.topTerms.slice(0, 3).join(" ")}`);
      if (overlap > 0 && (!best || overlap > best.overlap)) best = { id, overlap };
    }
    return best && plain.length <= 6 ? best.id : undefined;
  }

  private async answerCategory(
    turn: TurnContext,
    categoryId: string,
    question: string,
    confidence: number,
    humanProbability: number | undefined,
    make: (partial: Partial<Draft> & Pick<Draft, "kind">, next?: EngineState) => Draft,
  ): Promise<Draft> {
    const category = this.kb.categoryById.get(categoryId) as Category;
    const shared = { category: category.id, confidence, ...(humanProbability !== undefined ? { humanProbability } : {}), summary: `Customer asked about ${lowerFirst(category.name)}.` };
    if (category.mustHuman.value) return make({ kind: "escalate", reasonCodes: ["must_human_category"], ...shared });
    const tree = this.treeByCategory.get(category.id);
    if (tree) {
      const outcome = await runTree(tree, tree.start, turn, this.accounts, this.identityOnce(turn));
      return this.treeDraft(outcome, question, category, shared, make);
    }
    const composed = composeAnswer(category, bestPassage(this.index, question, category));
    if (!composed) {
      // Nothing in the knowledge base answers this category: confirm the topic, then a person takes it.
      return make(
        { kind: "clarify", text: clarifyingQuestion([lowerFirst(category.name)]), reasonCodes: [DRAFT_REASON.clarification], ...shared },
        { clarify: { options: [], text: question.slice(0, 500) } },
      );
    }
    return make({ kind: "answer", text: composed.text, facts: composed.facts, ...shared });
  }

  private identityOnce(turn: TurnContext): () => Promise<IdentityState> {
    let cached: Promise<IdentityState> | undefined;
    return () => (cached ??= this.accounts.identify(turn));
  }

  private treeDraft(
    outcome: TreeOutcome,
    question: string,
    category: Category,
    shared: Partial<Draft>,
    make: (partial: Partial<Draft> & Pick<Draft, "kind">, next?: EngineState) => Draft,
  ): Draft {
    const reasonCodes = [DRAFT_REASON.decisionTree];
    switch (outcome.kind) {
      case "verify":
        return make({
          kind: "clarify",
          text: outcome.reply,
          reasonCodes: [DRAFT_REASON.verificationRequired],
          ...shared,
          ...(outcome.contextPatch ? { contextPatch: outcome.contextPatch } : {}),
        });
      case "handoff":
        return make({ kind: "escalate", text: outcome.note, reasonCodes: [outcome.reason], priority: outcome.priority, facts: outcome.facts, ...shared });
      case "unavailable":
        return make({ kind: "escalate", reasonCodes: ["account_data_unavailable"], facts: outcome.facts, ...shared });
      case "reply": {
        const parts = [...outcome.parts];
        const facts = [...outcome.facts];
        if (outcome.needsAnswer) {
          const composed = composeAnswer(category, bestPassage(this.index, question, category));
          if (composed) {
            parts.push(composed.text);
            facts.push(...composed.facts);
          }
        }
        if (outcome.needsPassage) {
          const passage = bestPassage(this.index, question, category);
          if (passage) {
            parts.push(snippet(passage.text));
            facts.push(passageFact(passage));
          } else if (category.template) {
            parts.push(category.template.text);
            facts.push({ source: "knowledge_base", ref: `template:${category.id}`, text: category.template.text });
          }
        }
        return make(
          {
            kind: "answer",
            text: parts.join("\n\n"),
            facts,
            reasonCodes,
            ...shared,
            ...(outcome.verifiedCustomerId ? { verifiedCustomerId: outcome.verifiedCustomerId } : {}),
            ...(outcome.contextPatch ? { contextPatch: outcome.contextPatch } : {}),
          },
          outcome.waitAt ? { tree: outcome.waitAt } : {},
        );
      }
    }
  }

  private async continueTree(
    turn: TurnContext,
    position: TreePosition,
    make: (partial: Partial<Draft> & Pick<Draft, "kind">, next?: EngineState) => Draft,
  ): Promise<Draft | null> {
    const tree = this.kb.trees.find((candidate) => candidate.id === position.tree);
    const node = tree?.nodes[position.node];
    if (!tree || !node) return null;
    const category = this.kb.categoryById.get(tree.categories[0] as string);
    if (!category) return null;
    const shared = { category: category.id, confidence: 0.9, summary: `Customer is in the "${tree.title}" flow.` };
    if (node.kind === "ask") {
      const next = chooseOption(node, turn.message.text) ?? node.otherwise;
      if (next) return this.treeDraft(await runTree(tree, next, turn, this.accounts, this.identityOnce(turn)), turn.message.text, category, shared, make);
      // Not an answer to the question: a new question goes the normal way, a second miss to a person.
      const other = this.classify(turn);
      if (other.category && !tree.categories.includes(other.category) && other.confidence >= this.kb.model.calibration.answerAt) return null;
      if (position.attempts >= 1) return make({ kind: "escalate", reasonCodes: ["tree_answer_unclear"], ...shared });
      const options = node.options.map((option, index) => `(${index + 1}) ${option.label}`).join(", ");
      return make(
        { kind: "clarify", text: `Sorry, I didn't catch that. ${node.text} You can answer ${options}.`, reasonCodes: [DRAFT_REASON.clarification], ...shared },
        { tree: { ...position, attempts: position.attempts + 1 } },
      );
    }
    return null;
  }

  /**
   * The customer is in the middle of verifying: their details go to the identity flow. Once verified,
   * the question they asked before is answered with their account. A message that is plainly about
   * something else (no details, a confident other topic) drops the flow and is answered as such.
   */
  private async continueVerification(
    turn: TurnContext,
    make: (partial: Partial<Draft> & Pick<Draft, "kind">, next?: EngineState) => Draft,
  ): Promise<Draft | null> {
    const details = parseVerificationDetails(turn.message.text);
    if (!details.email && !details.orderNumber) {
      const other = this.classify(turn);
      const category = other.category ? this.kb.categoryById.get(other.category) : undefined;
      const needsAccount = category ? this.treeByCategory.has(category.id) : false;
      if (category && !needsAccount && other.confidence >= this.kb.model.calibration.answerAt) return null;
    }
    const identity = await this.accounts.identify(turn);
    switch (identity.status) {
      case "in_progress":
      case "unverified":
        return make({ kind: "clarify", text: identity.reply, reasonCodes: [DRAFT_REASON.verificationRequired], confidence: 1, ...(identity.contextPatch ? { contextPatch: identity.contextPatch } : {}) });
      case "failed":
        return make({ kind: "escalate", text: identity.reply, reasonCodes: [identity.reasonCode], confidence: 1, ...(identity.contextPatch ? { contextPatch: identity.contextPatch } : {}) });
      case "verified": {
        const context = applyContextPatch(turn.conversation.context, identity.contextPatch);
        const resumed: TurnContext = {
          ...turn,
          conversation: { ...turn.conversation, customerId: identity.customerId, context },
          message: { ...turn.message, text: identity.resumeText ?? turn.message.text },
        };
        const draft = await this.answer(resumed);
        const text = identity.acknowledgement && draft.text ? `${identity.acknowledgement} ${draft.text}` : draft.text;
        return { ...draft, ...(text !== undefined ? { text } : {}), verifiedCustomerId: identity.customerId };
      }
    }
  }}
