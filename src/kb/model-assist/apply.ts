/**
 * Applying reviewed proposals (only items with `accept: true`) to a knowledge-base folder: names,
 * must-human categories, triggers and frustration phrases go into `overrides.yaml` (comments kept; a
 * rebuild never touches it), templates into `categories.json`, trees into `trees.json`, ticket labels
 * into a labelled copy of the ticket file for the next build. The result is loaded and validated like
 * any kb; if it does not load, every file is restored and the error says why.
 */
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { isMap, parseDocument } from "yaml";
import { ValidationError } from "../../errors.js";
import { CategoriesFile, KB_FILES, TreesFile } from "../format.js";
import { loadKnowledgeBase } from "../load.js";
import { DEFAULT_OVERRIDES } from "../build.js";
import { stableJson } from "../stable-json.js";
import { streamTickets, type Ticket } from "../tickets.js";
import type { Proposals } from "./proposals.js";

export interface ApplyResult {
  applied: string[];
  /** Items the reviewer rejected. */
  rejected: number;
  labelledTickets?: string;
}

async function readOptional(path: string): Promise<string | null> {
  return readFile(path, "utf8").catch(() => null);
}

function uniqueAdd(existing: unknown, additions: readonly string[]): string[] {
  const list = Array.isArray(existing) ? existing.filter((item): item is string => typeof item === "string") : [];
  const seen = new Set(list.map((item) => item.toLowerCase()));
  for (const item of additions) if (!seen.has(item.toLowerCase())) list.push(item);
  return list;
}

function ticketRow(ticket: Ticket, category: string): Record<string, unknown> {
  return {
    ...(ticket.id !== undefined ? { id: ticket.id } : {}),
    customer_message: ticket.message,
    ...(ticket.response !== undefined ? { agent_response: ticket.response } : {}),
    category,
    ...(ticket.escalated !== undefined ? { escalated: ticket.escalated } : {}),
    ...(ticket.resolutionMinutes !== undefined ? { resolution_minutes: ticket.resolutionMinutes } : {}),
    ...(ticket.csat !== undefined ? { csat: ticket.csat } : {}),
    ...(ticket.channel !== undefined ? { channel: ticket.channel } : {}),
  };
}

async function writeLabelledTickets(kbDir: string, proposals: Proposals): Promise<string> {
  const labels = proposals.ticketLabels;
  if (!labels) throw new ValidationError("no ticket labels to write");
  const byLine = new Map(labels.labels.map((label) => [label.line, label.category]));
  const hash = createHash("sha256");
  const rows: string[] = [];
  await streamTickets(proposals.ticketsFile, {
    onTicket: (ticket) => {
      const category = byLine.get(ticket.line);
      if (category !== undefined) rows.push(JSON.stringify(ticketRow(ticket, category)));
    },
    onProblem: () => undefined,
    onChunk: (chunk) => hash.update(chunk),
  });
  if (hash.digest("hex") !== proposals.ticketsSha256) {
    throw new ValidationError(`${proposals.ticketsFile} changed since the proposals were made; run kb build --with-model again`);
  }
  const path = join(kbDir, labels.file);
  await writeFile(path, `${rows.join("\n")}\n`, "utf8");
  return path;
}

export async function applyProposals(kbDir: string, proposals: Proposals): Promise<ApplyResult> {
  const paths = { overrides: join(kbDir, KB_FILES.overrides), categories: join(kbDir, KB_FILES.categories), trees: join(kbDir, KB_FILES.trees) };
  const originals = { overrides: await readOptional(paths.overrides), categories: await readOptional(paths.categories), trees: await readOptional(paths.trees) };
  if (originals.categories === null || originals.trees === null) throw new ValidationError(`${kbDir} is not a built knowledge base (categories.json or trees.json missing)`);
  const applied: string[] = [];
  const all = [...proposals.categoryNames, ...proposals.templates, ...proposals.humanTriggers, ...proposals.frustrationPhrases, ...proposals.mustHumanCategories, ...proposals.trees, ...(proposals.ticketLabels ? [proposals.ticketLabels] : [])];
  const rejected = all.filter((item) => !item.accept).length;

  const overrides = parseDocument(originals.overrides ?? DEFAULT_OVERRIDES);
  // The shipped file starts with `categories: {}`; entries added to it read better as a block.
  const categoriesNode = overrides.get("categories", true);
  if (isMap(categoriesNode)) categoriesNode.flow = false;
  for (const item of proposals.categoryNames.filter((entry) => entry.accept)) {
    overrides.setIn(["categories", item.category, "name"], item.name);
    applied.push(`category ${item.category} named "${item.name}"`);
  }
  for (const item of proposals.mustHumanCategories.filter((entry) => entry.accept)) {
    overrides.setIn(["categories", item.category, "mustHuman"], true);
    applied.push(`category ${item.category} goes to people`);
  }
  const current = (overrides.toJS() ?? {}) as { humanTriggers?: unknown; frustrationPhrases?: unknown };
  const triggers = proposals.humanTriggers.filter((entry) => entry.accept).map((entry) => entry.phrase);
  if (triggers.length > 0) overrides.set("humanTriggers", uniqueAdd(current.humanTriggers, triggers));
  const frustration = proposals.frustrationPhrases.filter((entry) => entry.accept).map((entry) => entry.phrase);
  if (frustration.length > 0) overrides.set("frustrationPhrases", uniqueAdd(current.frustrationPhrases, frustration));
  applied.push(...triggers.map((phrase) => `human trigger "${phrase}"`), ...frustration.map((phrase) => `frustration phrase "${phrase}"`));

  const categories = CategoriesFile.parse(JSON.parse(originals.categories));
  for (const item of proposals.templates.filter((entry) => entry.accept)) {
    const category = categories.find((candidate) => candidate.id === item.category);
    if (!category) throw new ValidationError(`template for ${item.category}: the kb has no such category (was it rebuilt?)`);
    category.template = { text: item.text, fromTicket: null, score: 1, csat: null, sentencesLeftOut: 0 };
    applied.push(`template for ${item.category}`);
  }
  const trees = TreesFile.parse(JSON.parse(originals.trees));
  for (const item of proposals.trees.filter((entry) => entry.accept)) {
    const at = trees.findIndex((tree) => tree.id === item.tree.id);
    if (at >= 0) trees.splice(at, 1, item.tree);
    else trees.push(item.tree);
    applied.push(`decision tree ${item.tree.id}`);
  }

  try {
    await writeFile(paths.overrides, overrides.toString(), "utf8");
    await writeFile(paths.categories, stableJson(categories), "utf8");
    await writeFile(paths.trees, stableJson(trees.sort((a, b) => (a.id < b.id ? -1 : 1))), "utf8");
    await loadKnowledgeBase(kbDir);
  } catch (error) {
    if (originals.overrides !== null) await writeFile(paths.overrides, originals.overrides, "utf8");
    await writeFile(paths.categories, originals.categories, "utf8");
    await writeFile(paths.trees, originals.trees, "utf8");
    throw error;
  }
  let labelledTickets: string | undefined;
  if (proposals.ticketLabels?.accept) {
    labelledTickets = await writeLabelledTickets(kbDir, proposals);
    applied.push(`${proposals.ticketLabels.labels.length} ticket labels written to ${labelledTickets}`);
  }
  return { applied, rejected, ...(labelledTickets ? { labelledTickets } : {}) };
}
