/**
 * The pieces of the audit page: escaping, tables, bars, number formats and the inline style sheet.
 * Every text goes through `escapeHtml` at the one place it becomes markup (`Cell` strings are text;
 * only `Markup` values, built here, are trusted), so a ticket that says `<script>` shows as text.
 */

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ENTITIES[char] as string);
}

/** HTML built by this module from escaped parts; plain strings are always escaped. */
export class Markup {
  constructor(readonly html: string) {}
}

export type Cell = string | number | null | Markup;

export function render(cell: Cell): string {
  if (cell instanceof Markup) return cell.html;
  if (cell === null) return '<span class="muted">-</span>';
  return escapeHtml(String(cell));
}

export function markup(strings: TemplateStringsArray, ...values: Cell[]): Markup {
  return new Markup(strings.reduce((html, part, index) => html + part + (index < values.length ? render(values[index] as Cell) : ""), ""));
}

export function join(parts: readonly Markup[], separator = ""): Markup {
  return new Markup(parts.map((part) => part.html).join(separator));
}

export function table(headers: readonly string[], rows: ReadonlyArray<readonly Cell[]>, options: { numeric?: readonly number[]; empty?: string } = {}): Markup {
  if (rows.length === 0) return markup`<p class="muted">${options.empty ?? "None."}</p>`;
  const numeric = new Set(options.numeric ?? []);
  const head = headers.map((header, index) => `<th${numeric.has(index) ? ' class="num"' : ""}>${escapeHtml(header)}</th>`).join("");
  const body = rows
    .map((row) => `<tr>${row.map((cell, index) => `<td${numeric.has(index) ? ' class="num"' : ""}>${render(cell)}</td>`).join("")}</tr>`)
    .join("\n");
  return new Markup(`<div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`);
}

export function percent(value: number | null, digits = 1): string {
  return value === null ? "-" : `${(value * 100).toFixed(digits)}%`;
}

export function count(value: number): string {
  return value.toLocaleString("en-US");
}

/** A horizontal bar for a 0..1 share, in the class's colour (ai, ask, human). */
export function bar(value: number, kind: "ai" | "ask" | "human" | "plain" = "plain"): Markup {
  const width = Math.max(0, Math.min(100, Math.round(value * 1000) / 10));
  return new Markup(`<span class="bar"><span class="fill ${kind}" style="width:${width}%"></span></span>`);
}

/** One stacked bar: answered / asks first / people. */
export function routeBar(answered: number, clarifies: number, human: number): Markup {
  const total = Math.max(1, answered + clarifies + human);
  const part = (value: number, kind: string) => `<span class="fill ${kind}" style="width:${Math.round((value / total) * 1000) / 10}%"></span>`;
  return new Markup(`<span class="bar stacked">${part(answered, "ai")}${part(clarifies, "ask")}${part(human, "human")}</span>`);
}

export function badge(text: string, kind: string): Markup {
  return markup`<span class="badge ${new Markup(kind.replace(/[^a-z-]/g, ""))}">${text}</span>`;
}

export const STYLE = `
:root { --ink: #1d2430; --muted: #667085; --line: #e4e7ec; --ai: #2e9e6b; --ask: #e0a526; --human: #c2413a; --bg: #f7f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: var(--ink); background: var(--bg); }
main { max-width: 1180px; margin: 0 auto; padding: 28px 24px 60px; }
h1 { font-size: 28px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 40px 0 10px; padding-top: 8px; border-top: 1px solid var(--line); }
h3 { font-size: 16px; margin: 22px 0 8px; }
p { margin: 8px 0; }
.meta, .muted { color: var(--muted); }
.caveat { border-left: 4px solid var(--ask); background: #fff8e6; padding: 10px 14px; margin: 16px 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(190px, 1fr)); gap: 12px; margin: 18px 0; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.card .value { font-size: 28px; font-weight: 650; }
.card .label { color: var(--muted); font-size: 13px; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); margin: 8px 0 4px; }
th, td { text-align: left; padding: 6px 9px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #f0f2f5; font-size: 13px; font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td { overflow-wrap: anywhere; }
.bar { display: inline-flex; width: 120px; height: 10px; background: #edf0f3; border-radius: 5px; overflow: hidden; vertical-align: middle; }
.fill { display: block; height: 100%; }
.fill.ai { background: var(--ai); } .fill.ask { background: var(--ask); } .fill.human { background: var(--human); } .fill.plain { background: #5b7bd5; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; white-space: nowrap; }
.badge.people { background: #fde8e7; color: #9b2c25; } .badge.caution { background: #fff1d6; color: #8a5a00; }
.badge.ai { background: #e3f5ec; color: #1e6b48; } .badge.limited { background: #eceff3; color: #475467; }
.legend span { margin-right: 14px; } .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
ul.reasons { margin: 0; padding-left: 18px; }
footer { margin-top: 40px; color: var(--muted); font-size: 13px; }
`;
