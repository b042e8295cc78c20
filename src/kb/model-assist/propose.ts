/**
 * The model-assisted half of `kb build`: over a freshly built knowledge base and its ticket file, ask the
 * model (tasks.ts) and turn its answers into reviewable proposals, each checked against the kb first:
 * categories must exist, template figures must be in the kb's documents (the same figure reader
 * the grounding guardrail uses), trees must validate, phrases must be new. What fails a check is dropped
 * with a note. Nothing is applied here.
 */
import { extractFigures, groundingKeys } from "../../guardrails/figures.js";
import { maskForModel } from "../../guardrails/mask-for-model.js";
import type { ResilientChatModel } from "../../agent/openai/resilient-model.js";
import { collectTickets } from "../collect.js";
import { DecisionTree, type TreeNode } from "../format.js";
import { loadKnowledgeBase, learnedRoutingSignals, type KnowledgeBase } from "../load.js";
import type { Ticket } from "../tickets.js";
import { CACHE_DIR, ContentCache } from "./cache.js";
import { itemId, keepDecisions, LABELLED_TICKETS_FILE, type Proposals } from "./proposals.js";
import { draftTrees, labelTickets, nameCategories, suggestRouting, writeTemplates, type CategorySummary, type TaskRunner, type TreeDraft } from "./tasks.js";
import { join } from "node:path";

export interface ProposeOptions {
  kbDir: string;
  tickets: string;
  model: ResilientChatModel;
  previous: Proposals | null;
  now?: Date;
  /** Unlabelled tickets the model labels (a sample; default 100). */
  labelSample?: number;
  /** Where cached answers live (default `<kb>/.model-cache`). */
  cacheDir?: string;
}

const mask = (text: string) => maskForModel(text.replace(/\s+/g, " ").slice(0, 300), { personal: true });
const TEMPLATE_BATCH = 6;
const LABEL_BATCH = 20;

function summaries(kb: KnowledgeBase): CategorySummary[] {
  return kb.categories.map((category) => ({ id: category.id, name: category.name, topTerms: category.topTerms.slice(0, 5), examples: category.examples.slice(0, 3).map(mask) }));
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let index = 0; index < items.length; index += size) out.push(items.slice(index, index + size));
  return out;
}

const phraseKey = (phrase: string) => phrase.trim().toLowerCase().replace(/\s+/g, " ");

export async function proposeWithModel(options: ProposeOptions): Promise<Proposals> {
  const now = options.now ?? new Date();
  const kb = await loadKnowledgeBase(options.kbDir);
  const collected = await collectTickets(options.tickets, { maxPerCategory: 60, maxUnlabelled: options.labelSample ?? 100, seed: 7 });
  const cache = new ContentCache(options.cacheDir ?? join(options.kbDir, CACHE_DIR));
  const usage = { promptTokens: 0, completionTokens: 0, costUsd: 0, requests: 0 };
  const runner: TaskRunner = {
    model: options.model,
    cache,
    callOptions: {
      onUsage: (spent, cost) => {
        usage.requests += 1;
        usage.promptTokens += spent.promptTokens;
        usage.completionTokens += spent.completionTokens;
        usage.costUsd += cost;
      },
    },
  };
  const notes: string[] = [];
  const known = new Set(kb.categories.map((category) => category.id));
  const categories = summaries(kb);
  const proposals: Proposals = {
    format: "switchboard-kb-proposals",
    version: 1,
    generatedAt: now.toISOString(),
    model: options.model.modelName,
    ticketsFile: options.tickets,
    ticketsSha256: collected.sha256,
    categoryNames: [],
    ticketLabels: null,
    templates: [],
    humanTriggers: [],
    frustrationPhrases: [],
    mustHumanCategories: [],
    trees: [],
    notes,
    usage: { requests: 0, cached: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 },
  };

  // Categories discovered by clustering get names; unlabelled tickets get labels for the next build.
  if (kb.categories.some((category) => category.source === "cluster")) {
    const named = await nameCategories(runner, categories.filter((category) => kb.categoryById.get(category.id)?.source === "cluster"));
    for (const { id, name } of named.categories) {
      const current = kb.categoryById.get(id);
      if (!current) notes.push(`name for unknown category ${id} dropped`);
      else if (current.name !== name) proposals.categoryNames.push({ id: itemId("name", id, name), accept: true, category: id, name, previous: current.name });
    }
  }
  if (!kb.manifest.labelled && collected.unlabelled.length > 0) {
    const labels: Array<{ line: number; category: string }> = [];
    const newCategories = new Map<string, string>();
    for (const batch of chunks(collected.unlabelled, LABEL_BATCH)) {
      const answer = await labelTickets(runner, categories, batch.map((ticket) => mask(ticket.message)));
      for (const label of answer.labels) {
        const ticket = batch[label.index];
        if (!ticket) continue;
        if (!known.has(label.category)) newCategories.set(label.category, label.new_category_name ?? label.category);
        labels.push({ line: ticket.line, category: label.category });
      }
    }
    if (labels.length > 0) {
      const newList = [...newCategories.entries()].map(([id, name]) => ({ id, name }));
      proposals.ticketLabels = { id: itemId("labels", labels), accept: true, file: LABELLED_TICKETS_FILE, labels, newCategories: newList };
    }
  }

  // Answer templates: every amount, percentage or date must be one the kb's documents state or the
  // category's agents state as policy (the same figure reader the grounding guardrail uses); a figure from
  // nowhere drops the template.
  const passageText = new Map(kb.passages.map((passage) => [passage.id, `${passage.title}: ${passage.text}`]));
  const policyKeys = groundingKeys([...passageText.values()], { now });
  for (const batch of chunks(kb.categories, TEMPLATE_BATCH)) {
    const inputs = batch.map((category) => ({
      id: category.id,
      name: category.name,
      examples: category.examples.slice(0, 3).map(mask),
      current: category.template?.text ?? null,
      passages: category.passages.map((id) => passageText.get(id) ?? "").filter(Boolean).map((text) => text.slice(0, 700)),
      statedFigures: category.statedFigures.map((figure) => figure.amount),
    }));
    const answer = await writeTemplates(runner, inputs);
    for (const template of answer.templates) {
      const input = inputs.find((candidate) => candidate.id === template.category);
      if (!input) {
        notes.push(`template for unknown category ${template.category} dropped`);
        continue;
      }
      const stated = groundingKeys(input.statedFigures, { now });
      const ungrounded = extractFigures(template.text, { now }).filter((figure) => !figure.keys.some((key) => policyKeys.has(key) || stated.has(key)));
      if (ungrounded.length > 0) {
        notes.push(`template for ${template.category} dropped: ${ungrounded.map((figure) => figure.text).join(", ")} not in the knowledge base's documents or its agents' stated figures`);
        continue;
      }
      if (template.text.trim() === input.current?.trim()) continue;
      proposals.templates.push({ id: itemId("template", template.category, template.text), accept: true, category: template.category, text: template.text.trim(), previous: input.current, ...(template.needs_account_data ? { why: "the answer depends on the customer's account" } : {}) });
    }
  }

  // Routing: triggers, frustration phrases and must-human categories from escalated and unhappy tickets.
  const all: Ticket[] = [...[...collected.byCategory.values()].flat(), ...collected.unlabelled];
  const signals = learnedRoutingSignals(kb);
  const routing = await suggestRouting(runner, {
    categories,
    escalated: all.filter((ticket) => ticket.escalated === true).slice(0, 40).map((ticket) => mask(ticket.message)),
    unhappy: all.filter((ticket) => ticket.csat !== undefined && ticket.csat <= 2).slice(0, 30).map((ticket) => mask(ticket.message)),
    knownTriggers: signals.humanTriggers,
    knownFrustration: signals.frustrationPhrases,
  });
  const addPhrases = (target: Proposals["humanTriggers"], kind: string, knownPhrases: readonly string[], items: ReadonlyArray<{ phrase: string; why: string }>) => {
    const seen = new Set(knownPhrases.map(phraseKey));
    for (const item of items) {
      const phrase = phraseKey(item.phrase);
      if (phrase.length < 2 || seen.has(phrase)) continue;
      seen.add(phrase);
      target.push({ id: itemId(kind, phrase), accept: true, phrase, why: item.why });
    }
  };
  addPhrases(proposals.humanTriggers, "trigger", signals.humanTriggers, routing.human_triggers);
  addPhrases(proposals.frustrationPhrases, "frustration", signals.frustrationPhrases, routing.frustration_phrases);
  for (const item of routing.must_human_categories) {
    if (!known.has(item.category)) notes.push(`must-human suggestion for unknown category ${item.category} dropped`);
    else if (!signals.mustHumanCategories.includes(item.category) && !proposals.mustHumanCategories.some((entry) => entry.category === item.category)) {
      proposals.mustHumanCategories.push({ id: itemId("must-human", item.category), accept: true, category: item.category, why: item.why });
    }
  }

  // Decision trees, validated with the kb's own tree schema.
  const drafts = await draftTrees(runner, { categories, covered: kb.trees.flatMap((tree) => tree.categories), passages: kb.passages.slice(0, 60).map((passage) => `${passage.id}: ${passage.title}`) });
  for (const draft of drafts.trees) {
    const tree = toDecisionTree(draft);
    const unknownCategories = draft.categories.filter((category) => !known.has(category));
    if (unknownCategories.length > 0) notes.push(`tree ${draft.id} dropped: unknown categories ${unknownCategories.join(", ")}`);
    else if (kb.trees.some((existing) => existing.id === draft.id)) notes.push(`tree ${draft.id} dropped: the kb already has a tree with that id`);
    else if (!tree.success) notes.push(`tree ${draft.id} dropped: ${tree.error}`);
    else proposals.trees.push({ id: itemId("tree", tree.tree), accept: true, tree: tree.tree });
  }

  proposals.usage = { requests: usage.requests, cached: cache.stats.hits, promptTokens: usage.promptTokens, completionTokens: usage.completionTokens, costUsd: Math.round(usage.costUsd * 1_000_000) / 1_000_000 };
  return keepDecisions(proposals, options.previous);
}

function toNode(node: TreeDraft["nodes"][number]): TreeNode | string {
  const text = node.text ?? "";
  switch (node.kind) {
    case "say":
      return { kind: "say", text, ...(node.next ? { next: node.next } : {}) };
    case "ask":
      return node.options ? { kind: "ask", text, options: node.options } : "an ask node without options";
    case "account_check":
      return node.check && node.if_true && node.if_false ? { kind: "account_check", check: node.check, ifTrue: node.if_true, ifFalse: node.if_false } : "an account_check node without check, if_true and if_false";
    case "account_facts":
      return node.facts ? { kind: "account_facts", facts: node.facts, ...(node.text ? { intro: node.text } : {}), ...(node.next ? { next: node.next } : {}) } : "an account_facts node without facts";
    case "handoff":
      return { kind: "handoff", reason: node.reason ?? "tree_handoff", priority: node.priority ?? "normal", note: text || "I'm passing you to a member of our team." };
  }
}

export function toDecisionTree(draft: TreeDraft): { success: true; tree: DecisionTree } | { success: false; error: string } {
  const nodes: Record<string, TreeNode> = {};
  for (const node of draft.nodes) {
    const converted = toNode(node);
    if (typeof converted === "string") return { success: false, error: `node ${node.id}: ${converted}` };
    nodes[node.id] = converted;
  }
  const parsed = DecisionTree.safeParse({ id: draft.id, title: draft.title, categories: draft.categories, start: draft.start, nodes });
  return parsed.success ? { success: true, tree: parsed.data } : { success: false, error: parsed.error.issues[0]?.message ?? "invalid tree" };
}
