/** Proposals as a diff a reviewer reads before applying anything: `+` adds, `~` changes, `-` rejected. */
import type { Proposals } from "./proposals.js";

function clip(text: string, max = 110): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
}

export function renderProposalDiff(proposals: Proposals, kbDir: string): string {
  const lines: string[] = [];
  const mark = (accept: boolean, change: "+" | "~") => (accept ? change : "-");
  for (const item of proposals.categoryNames) lines.push(`${mark(item.accept, "~")} overrides.yaml  categories.${item.category}.name: "${clip(item.previous, 40)}" -> "${item.name}"`);
  for (const item of proposals.mustHumanCategories) lines.push(`${mark(item.accept, "+")} overrides.yaml  categories.${item.category}.mustHuman: true   (${clip(item.why ?? "", 70)})`);
  for (const item of proposals.humanTriggers) lines.push(`${mark(item.accept, "+")} overrides.yaml  humanTriggers: "${item.phrase}"`);
  for (const item of proposals.frustrationPhrases) lines.push(`${mark(item.accept, "+")} overrides.yaml  frustrationPhrases: "${item.phrase}"`);
  for (const item of proposals.templates) {
    lines.push(`${mark(item.accept, item.previous ? "~" : "+")} categories.json ${item.category}.template: "${clip(item.text)}"`);
    if (item.previous) lines.push(`      was: "${clip(item.previous)}"`);
  }
  for (const item of proposals.trees) {
    lines.push(`${mark(item.accept, "+")} trees.json      ${item.tree.id} "${clip(item.tree.title, 50)}" for ${item.tree.categories.join(", ")} (${Object.keys(item.tree.nodes).length} nodes)`);
  }
  if (proposals.ticketLabels) {
    const labels = proposals.ticketLabels;
    const fresh = labels.newCategories.length > 0 ? `, new categories: ${labels.newCategories.map((category) => category.id).join(", ")}` : "";
    lines.push(`${mark(labels.accept, "+")} ${labels.file}  ${labels.labels.length} tickets labelled by the model${fresh}`);
  }
  const header = [
    `Model proposals for ${kbDir} (${proposals.model}; ${proposals.usage.requests} model requests, ${proposals.usage.cached} answers from the cache, $${proposals.usage.costUsd.toFixed(4)}):`,
  ];
  if (lines.length === 0) header.push("  nothing to propose: the knowledge base already holds what the model suggested.");
  const footer = proposals.notes.length > 0 ? ["", "Dropped:", ...proposals.notes.map((note) => `  ${note}`)] : [];
  return [...header, ...lines.map((line) => `  ${line}`), ...footer].join("\n");
}
