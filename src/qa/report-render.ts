/** The QA report for people: Markdown (default) or a self-contained HTML page; the JSON is the report itself. */
import type { QaReport, ReviewItem } from "./review.js";
import { QA_DIMENSIONS } from "./rule-scoring.js";

const LABEL: Record<(typeof QA_DIMENSIONS)[number], string> = {
  accuracy: "Accuracy",
  completeness: "Completeness",
  tone: "Tone",
  escalation_judgement: "Escalation judgement",
  policy_compliance: "Policy compliance",
};

/** A mean, or "n/a" when there was nothing to average (no conversations, no CSAT answers). */
export function n(value: number | null): string {
  return value === null || !Number.isFinite(value) ? "n/a" : value.toFixed(2);
}

/** Table cells hold text people and models wrote: pipes and newlines would break the table. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/[\r\n]+/g, " ");
}

const FLAGGED_SHOWN = 50;

export function renderMarkdown(report: QaReport): string {
  const lines: string[] = [];
  lines.push(`# QA review`, "");
  lines.push(`Generated ${report.generatedAt}${report.since ? `, conversations updated since ${report.since}` : ""}.`);
  lines.push(`Scored by ${report.scoring === "model" ? `the model ${report.model ?? ""} (${report.rubric ?? ""})` : "rules and CSAT (no model)"}; ${report.conversations} AI-handled conversations.`);
  if (report.modelFailures > 0) lines.push(`The model failed on ${report.modelFailures} conversations; their rule scores are used.`);
  if (report.usage) lines.push(`Model usage: ${report.usage.promptTokens} prompt + ${report.usage.completionTokens} completion tokens, $${report.usage.costUsd.toFixed(4)}.`);
  lines.push("", "## Scores (1-5)", "", "| Dimension | Average |", "|---|---|");
  for (const dimension of QA_DIMENSIONS) lines.push(`| ${LABEL[dimension]} | ${n(report.averages[dimension])} |`);
  lines.push(`| **Overall** | **${n(report.averages.overall)}** |`, "");
  lines.push(`CSAT: ${report.csat.responses} answers, mean ${n(report.csat.mean)}, ${report.csat.dissatisfied} at 2 or below.`);
  lines.push(`Flagged conversations: ${report.flagged}; dissatisfied customers: ${report.dissatisfied}.`, "");

  lines.push("## By category", "", "| Category | Conversations | Score | CSAT | Flagged | Goes to people |", "|---|---|---|---|---|---|");
  for (const category of report.categories) {
    lines.push(`| ${cell(category.category)} | ${category.conversations} | ${n(category.score)} | ${n(category.csat)} (${category.csatResponses}) | ${category.flagged} | ${category.mustHuman ? cell(category.mustHuman) : "no"} |`);
  }
  lines.push("");
  if (report.mustHuman.length > 0) {
    lines.push("## Categories routed to people until they recover", "");
    for (const entry of report.mustHuman) lines.push(`- **${cell(entry.category)}**: ${cell(entry.reason)} (since ${entry.since}, until ${entry.expiresAt} unless a review confirms it)`);
    lines.push("");
  }

  const flagged = report.items.filter((item) => item.flags.length > 0 || item.dissatisfied);
  lines.push(`## Flagged conversations (${flagged.length})`, "");
  if (flagged.length === 0) lines.push("None.");
  else {
    lines.push("| Conversation | Category | Overall | CSAT | Flags | Issues |", "|---|---|---|---|---|---|");
    for (const item of flagged.slice(0, FLAGGED_SHOWN)) lines.push(flaggedRow(item));
    if (flagged.length > FLAGGED_SHOWN) lines.push("", `... and ${flagged.length - FLAGGED_SHOWN} more (see the JSON report).`);
  }
  return `${lines.join("\n")}\n`;
}

function flaggedRow(item: ReviewItem): string {
  return `| ${item.conversationId} | ${cell(item.category)} | ${item.overall.toFixed(2)} | ${item.csat ?? "-"} | ${item.flags.join(", ") || "-"} | ${cell(item.issues.join("; ") || "-")} |`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[char] as string);
}

/** The Markdown's content as HTML tables (no Markdown library: the structure is ours and simple). */
export function renderHtml(report: QaReport): string {
  const row = (cells: string[], head = false) => `<tr>${cells.map((value) => (head ? `<th>${escapeHtml(value)}</th>` : `<td>${escapeHtml(value)}</td>`)).join("")}</tr>`;
  const flagged = report.items.filter((item) => item.flags.length > 0 || item.dissatisfied);
  const parts = [
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>QA review ${escapeHtml(report.generatedAt)}</title>`,
    "<style>body{font:14px system-ui,sans-serif;margin:2rem;max-width:70rem}table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left;vertical-align:top}th{background:#f3f3f3}</style></head><body>",
    "<h1>QA review</h1>",
    `<p>Generated ${escapeHtml(report.generatedAt)}${report.since ? `, conversations updated since ${escapeHtml(report.since)}` : ""}. Scored by ${escapeHtml(report.scoring === "model" ? `the model ${report.model ?? ""}` : "rules and CSAT")}; ${report.conversations} AI-handled conversations.</p>`,
    "<h2>Scores (1-5)</h2><table>",
    row(["Dimension", "Average"], true),
    ...QA_DIMENSIONS.map((dimension) => row([LABEL[dimension], n(report.averages[dimension])])),
    row(["Overall", n(report.averages.overall)]),
    "</table>",
    `<p>CSAT: ${report.csat.responses} answers, mean ${n(report.csat.mean)}, ${report.csat.dissatisfied} at 2 or below. Flagged: ${report.flagged}; dissatisfied: ${report.dissatisfied}.</p>`,
    "<h2>By category</h2><table>",
    row(["Category", "Conversations", "Score", "CSAT", "Flagged", "Goes to people"], true),
    ...report.categories.map((category) => row([category.category, String(category.conversations), n(category.score), `${n(category.csat)} (${category.csatResponses})`, String(category.flagged), category.mustHuman ?? "no"])),
    "</table>",
    `<h2>Flagged conversations (${flagged.length})</h2><table>`,
    row(["Conversation", "Category", "Overall", "CSAT", "Flags", "Issues"], true),
    ...flagged.slice(0, FLAGGED_SHOWN).map((item) => row([item.conversationId, item.category, item.overall.toFixed(2), String(item.csat ?? "-"), item.flags.join(", ") || "-", item.issues.join("; ") || "-"])),
    "</table></body></html>",
  ];
  return `${parts.join("\n")}\n`;
}
