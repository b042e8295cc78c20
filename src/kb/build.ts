/**
 * `kb build`: resolved tickets (+ documents) into a knowledge-base directory (format in `format.ts`).
 * Deterministic for the same input (seeded sampling and training, stable JSON) except the build time.
 * The admin's `overrides.yaml` in the output folder is never overwritten.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { ValidationError } from "../errors.js";
import { clusterMessages } from "./clustering.js";
import { collectTickets } from "./collect.js";
import { readDocs } from "./docs.js";
import {
  KB_FILES,
  KB_FORMAT_VERSION,
  type Category,
  type DecisionTree,
  type Manifest,
  type Passage,
  type Signals,
} from "./format.js";
import { trainIntentModel, type IntentModel } from "./intent-model.js";
import { mineSignals } from "./mining.js";
import { stableJson } from "./stable-json.js";
import { chooseTemplate, isCustomerSpecific, policyAmounts, moneyKey, statedFigures, type ResponseCandidate } from "./templates.js";
import type { Ticket } from "./tickets.js";
import type { SparseVector } from "./vectorizer.js";

export const BUILDER_VERSION = "switchboard-kb-builder/1";

export interface BuildProgress {
  stage(name: string): void;
  rows(rows: number, bytesRead: number, totalBytes: number): void;
}

export interface BuildOptions {
  tickets: string;
  docs?: string;
  out: string;
  now?: () => Date;
  progress?: BuildProgress;
  seed?: number;
  /** Tickets kept per category for learning (a seeded sample beyond that). */
  maxPerCategory?: number;
}

export interface BuildResult {
  manifest: Manifest;
  categories: Category[];
  outDir: string;
}

const EXAMPLES_PER_CATEGORY = 8;
const PASSAGES_PER_CATEGORY = 3;
const RESPONSES_AS_EXAMPLES = 20;

export const DEFAULT_OVERRIDES = `# Admin overrides for this knowledge base. \`kb build\` never overwrites this file; the loader applies
# it over what the build learned. Examples:
#
# categories:
#   late_fee_waiver:
#     mustHuman: true        # always hand these to a person
#   payment_schedule:
#     mustHuman: false       # the AI may answer even if agents often escalated
# humanTriggers: ["chargeback"]          # phrases that always mean a person
# frustrationPhrases: ["fed up"]         # phrases that mean the customer is losing patience
# ignorePhrases: ["card"]                # mined phrases the routing rules should not act on
categories: {}
humanTriggers: []
frustrationPhrases: []
ignorePhrases: []
`;

export function humanizeLabel(label: string): string {
  const spaced = label.replace(/[_-]+/g, " ").replace(/\s+/g, " ").trim();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

function centroidOf(vectors: readonly SparseVector[]): Map<number, number> {
  const sums = new Map<number, number>();
  for (const vector of vectors) {
    vector.indices.forEach((index, slot) => sums.set(index, (sums.get(index) ?? 0) + (vector.values[slot] as number)));
  }
  const norm = Math.sqrt([...sums.values()].reduce((sum, value) => sum + value * value, 0)) || 1;
  for (const [index, value] of sums) sums.set(index, value / norm);
  return sums;
}

function dotCentroid(vector: SparseVector, centroid: Map<number, number>): number {
  let sum = 0;
  vector.indices.forEach((index, slot) => (sum += (vector.values[slot] as number) * (centroid.get(index) ?? 0)));
  return sum;
}

function round(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}

/** Must a human take this category? Learned from the share of escalated tickets, with the evidence. */
export function mustHumanFromEvidence(withFlag: number, escalated: number): boolean {
  if (withFlag === 0) return false;
  const share = escalated / withFlag;
  if (withFlag < 3) return share === 1;
  return share >= 0.5;
}

interface CategoryInput {
  id: string;
  name: string;
  source: "label" | "cluster";
  topTerms: string[];
  tickets: Ticket[];
  total: number;
  withFlag: number;
  escalated: number;
}

function describeCategory(
  input: CategoryInput,
  model: IntentModel,
  passages: readonly Passage[],
  passageVectors: readonly SparseVector[],
  documentedAmounts: ReadonlySet<string>,
): Category {
  const vectors = input.tickets.map((ticket) => model.vectorize(ticket.message));
  const centroid = centroidOf(vectors);
  const seen = new Set<string>();
  const examples = input.tickets
    .map((ticket, index) => ({ text: ticket.message.replace(/\s+/g, " ").slice(0, 300), score: dotCentroid(vectors[index] as SparseVector, centroid), index }))
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .filter((example) => {
      const key = example.text.toLowerCase();
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .slice(0, EXAMPLES_PER_CATEGORY)
    .map((example) => example.text);

  const withResponse = input.tickets.filter((ticket) => ticket.response !== undefined);
  // Amounts the agents of this category state again and again are policy, as if a document said them.
  const figures = statedFigures(withResponse.map((ticket) => ticket.response as string), documentedAmounts);
  const allowedAmounts = { documented: documentedAmounts, stated: new Set(figures.map((figure) => moneyKey(figure.amount))) };
  const preferred = withResponse.filter((ticket) => ticket.escalated !== true);
  const pool = (preferred.length > 0 ? preferred : withResponse).slice(0, 400);
  const candidates: ResponseCandidate[] = pool.map((ticket) => ({
    ticketId: ticket.id ?? `line ${ticket.line}`,
    response: ticket.response as string,
    ...(ticket.csat !== undefined ? { csat: ticket.csat } : {}),
    ...(ticket.resolutionMinutes !== undefined ? { resolutionMinutes: ticket.resolutionMinutes } : {}),
    vector: model.vectorize(ticket.response as string),
  }));
  const responseCentroid = centroidOf(candidates.map((candidate) => candidate.vector));
  // Word and character blocks are normalised apart, so a dot product reaches 2: halve it to 0..1.
  const template = chooseTemplate(candidates, (vector) => dotCentroid(vector, responseCentroid) / 2, allowedAmounts);
  const specific = withResponse.filter((ticket) =>
    (ticket.response as string).split(/(?<=[.!?])\s+/).some((sentence) => isCustomerSpecific(sentence, allowedAmounts)),
  ).length;

  const linked = passageVectors
    .map((vector, index) => ({ id: (passages[index] as Passage).id, score: dotCentroid(vector, centroid) }))
    .filter((item) => item.score >= 0.12)
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
    .slice(0, PASSAGES_PER_CATEGORY)
    .map((item) => item.id);

  return {
    id: input.id,
    name: input.name,
    source: input.source,
    tickets: input.total,
    topTerms: input.topTerms,
    mustHuman: {
      value: mustHumanFromEvidence(input.withFlag, input.escalated),
      evidence: {
        withFlag: input.withFlag,
        escalated: input.escalated,
        share: input.withFlag > 0 ? round(input.escalated / input.withFlag) : null,
      },
    },
    accountSpecificShare: withResponse.length > 0 ? round(specific / withResponse.length) : null,
    template: template ? { ...template, csat: template.csat } : null,
    statedFigures: figures,
    examples,
    passages: linked,
  };
}

/** Top content terms of a labelled category, by how much more often they occur there than elsewhere. */
function labelTopTerms(model: IntentModel, classIndex: number): string[] {
  const { linear, vectorizer } = model;
  const scored: Array<{ term: string; weight: number }> = [];
  vectorizer.state.features.forEach((feature, index) => {
    if (!feature.startsWith("w:")) return;
    const term = feature.slice(2);
    if (term.startsWith("zz") || term.length < 3) return;
    const weight = linear.weights[index * linear.classCount + classIndex] as number;
    if (weight > 0) scored.push({ term, weight });
  });
  return scored
    .sort((a, b) => b.weight - a.weight || (a.term < b.term ? -1 : 1))
    .slice(0, 5)
    .map((item) => item.term);
}

async function writeAtomically(path: string, content: string): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}`;
  await writeFile(temporary, content, "utf8");
  await rename(temporary, path);
}

export async function buildKnowledgeBase(options: BuildOptions): Promise<BuildResult> {
  const started = Date.now();
  const now = options.now ?? (() => new Date());
  const seed = options.seed ?? 20_240_501;
  const progress = options.progress;

  progress?.stage("reading tickets");
  const collected = await collectTickets(options.tickets, {
    maxPerCategory: options.maxPerCategory ?? 3_000,
    maxUnlabelled: 30_000,
    seed,
    onProgress: (rows, bytesRead, totalBytes) => progress?.rows(rows, bytesRead, totalBytes),
  });
  const labelledRows = [...collected.counts.values()].reduce((sum, count) => sum + count.tickets, 0);
  const validRows = labelledRows + collected.unlabelledTotal;
  if (validRows === 0) {
    const first = collected.problems.slice(0, 5).map((problem) => `line ${problem.line}: ${problem.problem}`).join("\n  ");
    throw new ValidationError(
      `no usable tickets in ${options.tickets} (${collected.rows} rows read)${first ? `:\n  ${first}` : ""}`,
    );
  }
  const labelled = labelledRows >= collected.unlabelledTotal;

  progress?.stage("reading documents");
  const docs = await readDocs(options.docs);

  let inputs: CategoryInput[];
  if (labelled) {
    inputs = [...collected.byCategory.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([label, tickets]) => {
        const count = collected.counts.get(label) ?? { tickets: tickets.length, withFlag: 0, escalated: 0 };
        return { id: label, name: humanizeLabel(label), source: "label", topTerms: [], tickets, total: count.tickets, withFlag: count.withFlag, escalated: count.escalated };
      });
  } else {
    progress?.stage("discovering categories");
    const tickets = collected.unlabelled;
    const clustering = clusterMessages(tickets.map((ticket) => ticket.message), { seed });
    inputs = clustering.clusters.map((cluster, index) => {
      const members = tickets.filter((_, position) => clustering.assignments[position] === index);
      const flagged = members.filter((ticket) => ticket.escalated !== undefined);
      return {
        id: cluster.id,
        name: cluster.name,
        source: "cluster",
        topTerms: cluster.topTerms,
        tickets: members,
        total: members.length,
        withFlag: flagged.length,
        escalated: flagged.filter((ticket) => ticket.escalated).length,
      };
    });
  }

  progress?.stage("training the intent model");
  const trainingTickets = inputs.flatMap((input) => input.tickets.map((ticket) => ({ ticket, label: input.id })));
  // The agents' answers say what a category is about in other words than the customers'; a few of them
  // per category help most when a team has only a handful of tickets per category.
  const responseExamples = inputs.flatMap((input) =>
    [...new Set(input.tickets.flatMap((ticket) => (ticket.response ? [ticket.response] : [])))]
      .slice(0, RESPONSES_AS_EXAMPLES)
      .map((response) => ({ text: response, label: input.id })),
  );
  const model = trainIntentModel(
    [...trainingTickets.map(({ ticket, label }) => ({ text: ticket.message, label })), ...responseExamples],
    {
      seed,
      escalated: [...trainingTickets.map(({ ticket }) => ticket.escalated), ...responseExamples.map(() => undefined)],
      onStage: (stage) => progress?.stage(`training the intent model: ${stage}`),
    },
  );

  progress?.stage("writing answer templates");
  const documentedAmounts = policyAmounts(docs.passages.map((passage) => passage.text));
  const passageVectors = docs.passages.map((passage) => model.vectorize(`${passage.title}\n${passage.text}`));
  const categories = inputs.map((input) => {
    const category = describeCategory(input, model, docs.passages, passageVectors, documentedAmounts);
    if (input.source === "label") category.topTerms = labelTopTerms(model, model.classes.indexOf(input.id));
    return category;
  });

  progress?.stage("mining routing signals");
  const signals: Signals = mineSignals(
    trainingTickets.map(({ ticket, label }) => ({
      message: ticket.message,
      category: label,
      ...(ticket.escalated !== undefined ? { escalated: ticket.escalated } : {}),
      ...(ticket.csat !== undefined ? { csat: ticket.csat } : {}),
    })),
  );

  const trees: DecisionTree[] = [...docs.trees].sort((a, b) => (a.id < b.id ? -1 : 1));
  const serializedModel = model.serialize();
  const manifest: Manifest = {
    format: "switchboard-kb",
    version: KB_FORMAT_VERSION,
    builtAt: now().toISOString(),
    durationMs: Date.now() - started,
    labelled,
    sources: {
      tickets: { file: basename(options.tickets), sha256: collected.sha256, bytes: collected.bytes },
      docs: docs.sources,
    },
    counts: {
      ticketRows: collected.rows,
      ticketsUsed: trainingTickets.length,
      ticketsSampledOut: validRows - trainingTickets.length,
      rowsSkipped: collected.problemCount,
      ticketsWithDroppedFields: collected.ticketsWithDroppedFields,
      categories: categories.length,
      mustHumanCategories: categories.filter((category) => category.mustHuman.value).length,
      templates: categories.filter((category) => category.template).length,
      documents: docs.documents,
      passages: docs.passages.length,
      trees: trees.length,
      features: model.vectorizer.size,
    },
    model: {
      heldOut: model.calibration.heldOut,
      heldOutAccuracy: model.calibration.heldOutAccuracy,
      answerAt: model.calibration.answerAt,
      humanModel: model.human !== null,
    },
    problems: collected.problems,
  };

  progress?.stage("writing the knowledge base");
  await mkdir(options.out, { recursive: true });
  await writeAtomically(join(options.out, KB_FILES.categories), stableJson(categories));
  await writeAtomically(join(options.out, KB_FILES.signals), stableJson(signals));
  await writeAtomically(join(options.out, KB_FILES.trees), stableJson(trees));
  await writeAtomically(join(options.out, KB_FILES.passages), stableJson(docs.passages));
  await writeAtomically(join(options.out, KB_FILES.model), stableJson(serializedModel));
  manifest.durationMs = Date.now() - started;
  await writeAtomically(join(options.out, KB_FILES.manifest), stableJson(manifest));
  const overridesPath = join(options.out, KB_FILES.overrides);
  const existing = await readFile(overridesPath, "utf8").catch(() => null);
  if (existing === null) await writeFile(overridesPath, DEFAULT_OVERRIDES, "utf8");
  return { manifest, categories, outDir: options.out };
}

