/**
 * The knowledge-base directory, file by file (zod is the source of truth; `loadKnowledgeBase` validates
 * every file against these). A kb directory holds:
 *   manifest.json    what was built from what (counts, source hashes, build time, version)
 *   categories.json  per category: name, size, must-human evidence, answer template, amounts the agents
 *                    state as policy, examples, passages
 *   signals.json     frustration phrases and human-only triggers mined from the tickets, with evidence
 *   trees.json       decision trees for multi-step issues, executed by the engine
 *   passages.json    the documents split into retrievable passages
 *   model.json       the trained intent model (and the "needs a human" model)
 *   overrides.yaml   the admin's corrections; a rebuild never touches it, the loader applies it
 */
import { z } from "zod";
import { Priority } from "../domain/model.js";
import { SerializedIntentModel } from "./intent-model.js";

export const KB_FORMAT_VERSION = 1;

export const Evidence = z.object({
  /** Tickets of the category that say whether a human handled them. */
  withFlag: z.number().int().nonnegative(),
  escalated: z.number().int().nonnegative(),
  share: z.number().min(0).max(1).nullable(),
});

export const Category = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  source: z.enum(["label", "cluster"]),
  tickets: z.number().int().nonnegative(),
  topTerms: z.array(z.string()),
  mustHuman: z.object({ value: z.boolean(), evidence: Evidence }),
  /** Share of agent responses that quoted customer-specific figures (dates, amounts, order numbers). */
  accountSpecificShare: z.number().min(0).max(1).nullable(),
  template: z
    .object({
      text: z.string().min(1),
      fromTicket: z.string().nullable(),
      score: z.number(),
      csat: z.number().nullable(),
      /** Sentences of the original response left out because they held customer-specific details. */
      sentencesLeftOut: z.number().int().nonnegative(),
    })
    .nullable(),
  /**
   * Money amounts no document states that the category's agents repeat as policy ("free over $50"), with
   * the number and share of its tickets whose responses state them: the template may keep them, and as
   * part of the template they ground a reply that uses it. Absent in knowledge bases built before.
   */
  statedFigures: z
    .array(z.object({ amount: z.string().min(1), tickets: z.number().int().positive(), share: z.number().min(0).max(1) }))
    .default([]),
  examples: z.array(z.string()),
  /** Passage ids most related to the category, best first. */
  passages: z.array(z.string()),
});
export type Category = z.infer<typeof Category>;

export const MinedPhrase = z.object({
  phrase: z.string().min(1),
  /** Tickets (with an escalation flag) containing the phrase. */
  count: z.number().int().positive(),
  escalatedShare: z.number().min(0).max(1),
  /** Categories it appears in (labelled sets). */
  categories: z.number().int().nonnegative(),
});
export type MinedPhrase = z.infer<typeof MinedPhrase>;

export const Signals = z.object({
  baseEscalationRate: z.number().min(0).max(1).nullable(),
  frustrationPhrases: z.array(MinedPhrase),
  humanTriggers: z.array(MinedPhrase),
});
export type Signals = z.infer<typeof Signals>;

export const Passage = z.object({
  id: z.string().min(1),
  doc: z.string(),
  title: z.string(),
  text: z.string().min(1),
  lang: z.string(),
});
export type Passage = z.infer<typeof Passage>;

/** What an `account_check` node can ask of the verified customer's account. */
export const AccountCheck = z.enum([
  "has_late_installment",
  "has_open_dispute",
  "has_pending_refund",
  "has_active_plan",
  "in_hardship",
  "card_expired",
]);
export type AccountCheck = z.infer<typeof AccountCheck>;

/** Which account facts an `account_facts` node states (composed by the account-facts module). */
export const AccountFactKind = z.enum(["payment_schedule", "next_payment", "payments", "orders", "refunds", "disputes"]);
export type AccountFactKind = z.infer<typeof AccountFactKind>;

/** Account changes a tree may offer; the customer confirms an explicit restatement before anything runs. */
export const AccountActionKind = z.enum(["set_autopay", "send_card_update_link", "change_due_date"]);
export type AccountActionKind = z.infer<typeof AccountActionKind>;

const NodeId = z.string().min(1);

export const TreeNode = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("say"), text: z.string().min(1), passage: z.string().optional(), next: NodeId.optional() }),
  z.object({
    kind: z.literal("ask"),
    text: z.string().min(1),
    options: z
      .array(z.object({ label: z.string().min(1), match: z.array(z.string().min(1)).min(1), next: NodeId }))
      .min(1),
    /** Where an answer that matches no option goes (default: ask once more, then a person). */
    otherwise: NodeId.optional(),
  }),
  z.object({
    kind: z.literal("account_check"),
    check: AccountCheck,
    ifTrue: NodeId,
    ifFalse: NodeId,
    /** Where to go when the customer is not verified (default: ask them to verify). */
    ifUnverified: NodeId.optional(),
  }),
  z.object({
    kind: z.literal("account_facts"),
    facts: AccountFactKind,
    intro: z.string().optional(),
    next: NodeId.optional(),
    ifUnverified: NodeId.optional(),
  }),
  /** The category's usual answer: its template and the best passage. */
  z.object({ kind: z.literal("answer") }),
  z.object({
    kind: z.literal("account_action"),
    action: AccountActionKind,
    /** Where to go when the message asks for no change the engine can make out (a how-to question). */
    ifNoRequest: NodeId,
    ifUnverified: NodeId.optional(),
  }),
  z.object({
    kind: z.literal("handoff"),
    reason: z.string().min(1),
    priority: Priority.default("normal"),
    note: z.string().min(1),
  }),
]);
export type TreeNode = z.infer<typeof TreeNode>;

export const DecisionTree = z
  .object({
    id: z.string().min(1),
    title: z.string().min(1),
    /** Categories whose messages start this tree. */
    categories: z.array(z.string().min(1)).min(1),
    start: NodeId,
    nodes: z.record(NodeId, TreeNode),
  })
  .superRefine((tree, ctx) => {
    const known = new Set(Object.keys(tree.nodes));
    const need = (id: string | undefined, where: string) => {
      if (id !== undefined && !known.has(id)) {
        ctx.addIssue({ code: "custom", message: `tree ${tree.id}: ${where} points to unknown node "${id}"` });
      }
    };
    need(tree.start, "start");
    for (const [name, node] of Object.entries(tree.nodes)) {
      if (node.kind === "say") need(node.next, `${name}.next`);
      if (node.kind === "ask") {
        node.options.forEach((option, index) => need(option.next, `${name}.options[${index}]`));
        need(node.otherwise, `${name}.otherwise`);
      }
      if (node.kind === "account_check") {
        need(node.ifTrue, `${name}.ifTrue`);
        need(node.ifFalse, `${name}.ifFalse`);
        need(node.ifUnverified, `${name}.ifUnverified`);
      }
      if (node.kind === "account_action") {
        need(node.ifNoRequest, `${name}.ifNoRequest`);
        need(node.ifUnverified, `${name}.ifUnverified`);
      }
      if (node.kind === "account_facts") {
        need(node.next, `${name}.next`);
        need(node.ifUnverified, `${name}.ifUnverified`);
      }
    }
  });
export type DecisionTree = z.infer<typeof DecisionTree>;

export const Manifest = z.object({
  format: z.literal("switchboard-kb"),
  version: z.literal(KB_FORMAT_VERSION),
  builtAt: z.string(),
  durationMs: z.number().nonnegative(),
  labelled: z.boolean(),
  sources: z.object({
    tickets: z.object({ file: z.string(), sha256: z.string(), bytes: z.number().int().nonnegative() }),
    docs: z.array(z.object({ file: z.string(), sha256: z.string() })),
  }),
  counts: z.object({
    ticketRows: z.number().int().nonnegative(),
    ticketsUsed: z.number().int().nonnegative(),
    ticketsSampledOut: z.number().int().nonnegative(),
    rowsSkipped: z.number().int().nonnegative(),
    /** Tickets kept without an optional field that did not validate (absent in older manifests). */
    ticketsWithDroppedFields: z.number().int().nonnegative().default(0),
    categories: z.number().int().nonnegative(),
    mustHumanCategories: z.number().int().nonnegative(),
    templates: z.number().int().nonnegative(),
    documents: z.number().int().nonnegative(),
    passages: z.number().int().nonnegative(),
    trees: z.number().int().nonnegative(),
    features: z.number().int().nonnegative(),
  }),
  model: z.object({
    heldOut: z.number().int().nonnegative(),
    heldOutAccuracy: z.number().nullable(),
    answerAt: z.number(),
    humanModel: z.boolean(),
  }),
  /** The first bad rows, with their line numbers. */
  problems: z.array(z.object({ line: z.number().int().positive(), problem: z.string() })),
});
export type Manifest = z.infer<typeof Manifest>;

export const Overrides = z
  .object({
    categories: z
      .record(z.string(), z.object({ mustHuman: z.boolean().optional(), name: z.string().min(1).optional() }))
      .default({}),
    humanTriggers: z.array(z.string().min(1)).default([]),
    frustrationPhrases: z.array(z.string().min(1)).default([]),
    /** Mined phrases the admin does not want to act on. */
    ignorePhrases: z.array(z.string().min(1)).default([]),
  })
  .default({ categories: {}, humanTriggers: [], frustrationPhrases: [], ignorePhrases: [] });
export type Overrides = z.infer<typeof Overrides>;

export const KB_FILES = {
  manifest: "manifest.json",
  categories: "categories.json",
  signals: "signals.json",
  trees: "trees.json",
  passages: "passages.json",
  model: "model.json",
  overrides: "overrides.yaml",
} as const;

export const CategoriesFile = z.array(Category);
export const TreesFile = z.array(DecisionTree);
export const PassagesFile = z.array(Passage);
export { SerializedIntentModel };
