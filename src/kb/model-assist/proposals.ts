/**
 * The reviewable result of a model-assisted `kb build`: `model-proposals.json` in the kb folder. Every
 * item has a stable id (a hash of its content) and an `accept` flag the admin may set to false; a
 * rebuild keeps those decisions for items that come back unchanged. Nothing here changes the knowledge
 * base until `switchboard kb apply` (or `kb build --apply`) applies the accepted items.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { DecisionTree } from "../format.js";

export const PROPOSALS_FILE = "model-proposals.json";
export const LABELLED_TICKETS_FILE = "model-labelled-tickets.jsonl";

const Base = { id: z.string().min(1), accept: z.boolean().default(true), why: z.string().max(400).optional() };

export const CategoryNameProposal = z.object({ ...Base, category: z.string().min(1), name: z.string().min(1).max(80), previous: z.string() });
export const TemplateProposal = z.object({ ...Base, category: z.string().min(1), text: z.string().min(1).max(2_000), previous: z.string().nullable() });
export const PhraseProposal = z.object({ ...Base, phrase: z.string().min(2).max(80) });
export const MustHumanProposal = z.object({ ...Base, category: z.string().min(1) });
export const TreeProposal = z.object({ ...Base, tree: DecisionTree });
export const TicketLabel = z.object({ line: z.number().int().positive(), category: z.string().min(1).max(60) });
export const TicketLabelsProposal = z.object({
  ...Base,
  /** Written next to the kb for the next build (`kb build --tickets <kb>/model-labelled-tickets.jsonl`). */
  file: z.string(),
  labels: z.array(TicketLabel),
  newCategories: z.array(z.object({ id: z.string(), name: z.string() })),
});

export const Proposals = z.object({
  format: z.literal("switchboard-kb-proposals"),
  version: z.literal(1),
  generatedAt: z.string(),
  model: z.string(),
  /** The ticket file the proposals were made from, and its sha256 (ticket labels apply only to that file). */
  ticketsFile: z.string(),
  ticketsSha256: z.string(),
  categoryNames: z.array(CategoryNameProposal),
  ticketLabels: TicketLabelsProposal.nullable(),
  templates: z.array(TemplateProposal),
  humanTriggers: z.array(PhraseProposal),
  frustrationPhrases: z.array(PhraseProposal),
  mustHumanCategories: z.array(MustHumanProposal),
  trees: z.array(TreeProposal),
  /** What the model suggested that was dropped, and why (ungrounded figures, unknown categories...). */
  notes: z.array(z.string()),
  usage: z.object({ requests: z.number().int().nonnegative(), cached: z.number().int().nonnegative(), promptTokens: z.number().int().nonnegative(), completionTokens: z.number().int().nonnegative(), costUsd: z.number().nonnegative() }),
});
export type Proposals = z.infer<typeof Proposals>;

export function itemId(kind: string, ...parts: unknown[]): string {
  return `${kind}:${createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 12)}`;
}

type WithAccept = { id: string; accept: boolean };

/** Carry the admin's accept/reject decisions over to regenerated proposals with the same ids. */
export function keepDecisions(next: Proposals, previous: Proposals | null): Proposals {
  if (!previous) return next;
  const decided = new Map<string, boolean>();
  const collect = (items: readonly WithAccept[]) => items.forEach((item) => decided.set(item.id, item.accept));
  collect(previous.categoryNames);
  collect(previous.templates);
  collect(previous.humanTriggers);
  collect(previous.frustrationPhrases);
  collect(previous.mustHumanCategories);
  collect(previous.trees);
  if (previous.ticketLabels) collect([previous.ticketLabels]);
  const apply = <T extends WithAccept>(items: T[]) => items.map((item) => ({ ...item, accept: decided.get(item.id) ?? item.accept }));
  return {
    ...next,
    categoryNames: apply(next.categoryNames),
    templates: apply(next.templates),
    humanTriggers: apply(next.humanTriggers),
    frustrationPhrases: apply(next.frustrationPhrases),
    mustHumanCategories: apply(next.mustHumanCategories),
    trees: apply(next.trees),
    ticketLabels: next.ticketLabels ? (apply([next.ticketLabels])[0] ?? null) : null,
  };
}
