/**
 * The audit as one self-contained HTML page for a support lead: inline CSS, no script, no request to
 * anywhere (a Content-Security-Policy says so to the browser too), every ticket-derived text escaped.
 * It answers, top to bottom: how much could the AI take, where would it hurt, and can the data be trusted.
 */
import { formatMinutes } from "./categories.js";
import { badge, bar, count, escapeHtml, join, markup, Markup, percent, routeBar, STYLE, table, type Cell } from "./html-kit.js";
import { VERDICT_LABEL, type AuditReport, type RouteCounts, type TicketExample } from "./report-types.js";

function minutes(value: number | null): string {
  return value === null ? "-" : formatMinutes(value);
}

function card(value: string, label: string): Markup {
  return markup`<div class="card"><div class="value">${value}</div><div class="label">${label}</div></div>`;
}

function headline(report: AuditReport): string {
  const { projection } = report;
  const [low, high] = projection.targetBand;
  const take = projection.safeTake.share;
  const band = `the ${Math.round(low * 100)}-${Math.round(high * 100)}% band Switchboard aims for`;
  const position =
    take > high ? `above ${band} (fine when the risk list below is short)` : take >= low ? `inside ${band}` : `below ${band}`;
  return (
    `Of ${count(projection.tickets)} tickets, the AI would answer ${percent(projection.containment)} on its own, ask a clarifying question on ` +
    `${percent(projection.clarifyShare)} and hand ${percent(projection.humanShare)} to people. Leaving out the categories that should stay ` +
    `with people and the tickets people had to handle, the safe take is ${percent(take)}: ${position}.`
  );
}

function legend(): Markup {
  return new Markup(
    '<p class="legend muted"><span><span class="swatch" style="background:var(--ai)"></span>AI answers</span>' +
      '<span><span class="swatch" style="background:var(--ask)"></span>AI asks what they mean first</span>' +
      '<span><span class="swatch" style="background:var(--human)"></span>goes to people</span></p>',
  );
}

function categorySourceText(report: AuditReport): string {
  if (report.volume.categorySource === "labels") return "from the tickets' labels";
  return report.knowledgeBase.labelled
    ? "the tickets carry no labels: each is filed under the knowledge base category the brain chose"
    : "discovered by clustering: the tickets carry no labels";
}

function volumeSection(report: AuditReport): Markup {
  const { volume } = report;
  const range = volume.dateRange;
  const rows: Cell[][] = [
    ["Rows read", count(volume.rows)],
    ["Usable tickets", count(volume.usable)],
    ["Bad rows (skipped)", count(volume.badRows)],
    ["Created", range ? `${range.from.slice(0, 10)} to ${range.to.slice(0, 10)} (${count(range.withDate)} tickets dated${range.invalidDates ? `, ${count(range.invalidDates)} unreadable dates` : ""})` : "no created_at dates"],
    ["Categories", `${count(volume.categories)} (${categorySourceText(report)})`],
    ["Handled by people (escalated)", volume.escalation.flagged > 0 ? `${percent(volume.escalation.share)} of ${count(volume.escalation.flagged)} tickets that say` : "no ticket says"],
    ["CSAT", volume.csat.responses > 0 ? `mean ${volume.csat.mean?.toFixed(2) ?? "-"} of 5 (${count(volume.csat.responses)} answers)` : "no CSAT"],
    [
      "Resolution time",
      volume.resolutionMinutes.known > 0
        ? `median ${minutes(volume.resolutionMinutes.median)}, 90th percentile ${minutes(volume.resolutionMinutes.p90)} (${count(volume.resolutionMinutes.known)} tickets` +
          `${volume.resolutionMinutes.fromTimestamps ? `, ${count(volume.resolutionMinutes.fromTimestamps)} from created_at/resolved_at` : ""})`
        : "no resolution times",
    ],
  ];
  const csat = volume.csat;
  const csatRows = csat.responses > 0 ? (["5", "4", "3", "2", "1"] as const).map((score) => [score, count(csat.distribution[score]), bar(csat.distribution[score] / csat.responses)]) : [];
  const parts = [
    markup`<h2>1. Volume</h2>`,
    table(["Figure", "Value"], rows),
    markup`<h3>Channels</h3>`,
    table(["Channel", "Tickets", "Share"], volume.channels.map((channel) => [channel.channel, count(channel.tickets), percent(channel.share)]), { numeric: [1, 2], empty: "No ticket names its channel." }),
  ];
  if (csatRows.length > 0) parts.push(markup`<h3>CSAT answers</h3>`, table(["Score", "Tickets", ""], csatRows, { numeric: [1] }));
  if (volume.byMonth.length > 1) parts.push(markup`<h3>Tickets by month</h3>`, table(["Month", "Tickets"], volume.byMonth.map((month) => [month.month, count(month.tickets)]), { numeric: [1] }));
  return join(parts);
}

function routeCells(routes: RouteCounts): Cell[] {
  return [count(routes.answered), count(routes.clarifies), count(routes.human), routeBar(routes.answered, routes.clarifies, routes.human)];
}

function projectionSection(report: AuditReport): Markup {
  const { projection } = report;
  const rows = report.categories.map((category) => [
    category.name,
    count(category.tickets),
    percent(category.share),
    percent(category.containment),
    ...routeCells(category.routes),
    percent(category.escalatedShare),
    category.csatMean === null ? null : category.csatMean.toFixed(2),
    minutes(category.resolutionMedian),
    badge(VERDICT_LABEL[category.verdict], category.verdict),
  ]);
  return join([
    markup`<h2>2. What the AI would take</h2>`,
    markup`<p>Every ticket's message went through the brain as a new conversation (the local engine, the routing rules, every guardrail; no network). The brain decided ${count(projection.decisionsPerSecond)} messages a second.${projection.categoryAgreement === null ? "" : ` It filed ${percent(projection.categoryAgreement)} of the labelled tickets under their own label.`}</p>`,
    table(["", "Tickets", "Share"], [
      ["The AI answers", count(projection.routes.answered), percent(projection.containment)],
      ["The AI asks what they mean first", count(projection.routes.clarifies), percent(projection.clarifyShare)],
      ["Goes to people", count(projection.routes.human), percent(projection.humanShare)],
      ["Safe take (answered, outside keep-with-people categories, not handled by people before)", count(projection.safeTake.tickets), percent(projection.safeTake.share)],
    ], { numeric: [1, 2] }),
    markup`<h3>By category</h3>`,
    legend(),
    table(
      ["Category", "Tickets", "Share", "AI answers", "Answers", "Asks", "People", "", "Escalated before", "CSAT", "Median resolution", "Verdict"],
      rows,
      { numeric: [1, 2, 3, 4, 5, 6, 8, 9, 10] },
    ),
  ]);
}

function reasonsSection(report: AuditReport): Markup {
  return join([
    markup`<h2>3. Why messages would go to people</h2>`,
    markup`<p>A message can carry several reasons. "History agrees" is the share of those tickets that people did handle.</p>`,
    table(
      ["Reason", "Code", "Tickets", "Share of handoffs", "History agrees"],
      report.reasons.map((reason) => [reason.label, new Markup(`<code>${escapeHtml(reason.code)}</code>`), count(reason.tickets), percent(reason.shareOfHuman), percent(reason.historyAgrees)]),
      { numeric: [2, 3, 4], empty: "The AI would send no message to people." },
    ),
  ]);
}

function exampleRows(examples: readonly TicketExample[], withReply: boolean): Cell[][] {
  return examples.map((example) => [
    example.ref,
    example.category,
    example.message,
    ...(withReply ? [example.aiReply ?? null] : [example.reasonCodes.join(", ")]),
    example.csat ?? null,
  ]);
}

function agreementSection(report: AuditReport): Markup {
  const { agreement } = report;
  if (agreement.flagged === 0) {
    return markup`<h2>4. Agreement with history</h2><p class="muted">No ticket says whether a person handled it (no <code>escalated</code> field): nothing to compare with.</p>`;
  }
  return join([
    markup`<h2>4. Agreement with history</h2>`,
    markup`<p>On the ${count(agreement.flagged)} tickets that say whether a person handled them, the AI would do what history did ${percent(agreement.agreementRate)} of the time.</p>`,
    table(["History", "AI answers", "AI asks first", "Goes to people", ""], [
      ["Handled by people (escalated)", ...routeCells(agreement.peopleHandled)],
      ["Resolved without escalation", ...routeCells(agreement.resolvedSimply)],
    ], { numeric: [1, 2, 3] }),
    markup`<h3>Risk: tickets people handled that the AI would answer (${count(agreement.risk.tickets)}, ${percent(agreement.risk.shareOfEscalated)} of escalated tickets)</h3>`,
    markup`<p>Read these first: each is a conversation where a customer needed a person and would have got the AI's answer. Messages and replies are masked.</p>`,
    table(["Ticket", "Category", "Customer message", "The AI would reply", "CSAT"], exampleRows(agreement.risk.examples, true), { numeric: [4], empty: "None: every ticket people handled would go to people (or get a clarifying question)." }),
    markup`<h3>Missed automation: tickets resolved without escalation that the AI would send to people (${count(agreement.missedAutomation.tickets)}, ${percent(agreement.missedAutomation.shareOfSimple)})</h3>`,
    table(["Reason", "Code", "Tickets"], agreement.missedAutomation.byReason.map((reason) => [reason.label, new Markup(`<code>${escapeHtml(reason.code)}</code>`), count(reason.tickets)]), { numeric: [2], empty: "None." }),
    agreement.missedAutomation.examples.length > 0
      ? table(["Ticket", "Category", "Customer message", "Reasons", "CSAT"], exampleRows(agreement.missedAutomation.examples, false), { numeric: [4] })
      : markup``,
  ]);
}

function mustHumanSection(report: AuditReport): Markup {
  return join([
    markup`<h2>5. Where the AI would hurt: categories for people</h2>`,
    markup`<p>Keep with people: people handled most of them, or the knowledge base routes them to people. Review first: low satisfaction, long resolutions, or tickets people handled that the AI would answer: the nuanced cases where satisfaction falls when a bot takes them.</p>`,
    table(
      ["Category", "Tickets", "Verdict", "Why"],
      report.mustHuman.map((entry) => {
        const category = report.categories.find((item) => item.id === entry.id);
        return [entry.name, count(category?.tickets ?? 0), badge(VERDICT_LABEL[entry.verdict], entry.verdict), new Markup(`<ul class="reasons">${entry.reasons.map((reason) => `<li>${escapeHtml(reason)}</li>`).join("")}</ul>`)];
      }),
      { numeric: [1], empty: "No category stands out: none was mostly escalated, slow or poorly rated." },
    ),
  ]);
}

function signalsSection(report: AuditReport): Markup {
  const phraseRows = (list: AuditReport["signals"]["frustrationPhrases"]) =>
    list.map((phrase) => [phrase.phrase, phrase.source === "admin" ? "admin" : "learned", count(phrase.tickets), percent(phrase.escalatedShare)]);
  return join([
    markup`<h2>6. Frustration phrases and human-only triggers</h2>`,
    markup`<p>Phrases the knowledge base learned from escalated tickets (or an admin added); the routing rules send messages with them to people. Counts are over this file.</p>`,
    markup`<h3>Frustration phrases</h3>`,
    table(["Phrase", "Source", "Tickets", "Escalated"], phraseRows(report.signals.frustrationPhrases), { numeric: [2, 3], empty: "None found." }),
    markup`<h3>Human-only triggers</h3>`,
    table(["Phrase", "Source", "Tickets", "Escalated"], phraseRows(report.signals.humanTriggers), { numeric: [2, 3], empty: "None found." }),
  ]);
}

function dataSection(report: AuditReport): Markup {
  const problems = report.dataProblems;
  const coverage = Object.entries(problems.coverage).map(([field, value]) => [new Markup(`<code>${escapeHtml(field)}</code>`), percent(value), bar(value ?? 0)]);
  return join([
    markup`<h2>7. Categories without agent responses</h2>`,
    markup`<p>No agent response means no answer template: the AI can only answer these from documents, or not at all.</p>`,
    table(["Category", "Tickets"], report.withoutResponses.map((category) => [category.name, count(category.tickets)]), { numeric: [1], empty: "Every category has agent responses." }),
    markup`<h2>8. Data problems</h2>`,
    table(["Problem", "Rows"], [
      ["Bad rows (skipped, see below)", count(problems.badRows)],
      ["Tickets kept without a bad optional field", count(problems.ticketsWithDroppedFields)],
      ["Empty messages", count(problems.emptyMessages)],
      ["Exact duplicate rows", count(problems.duplicateRows)],
      ["Ids used for different tickets", count(problems.conflictingIds)],
      ...(report.volume.categorySource === "labels" ? [["Tickets without a category label", count(problems.unlabelled)] as Cell[]] : []),
    ], { numeric: [1] }),
    problems.byKind.length > 0 ? table(["Kind of bad row", "Rows"], problems.byKind.map((kind) => [kind.kind, count(kind.rows)]), { numeric: [1] }) : markup``,
    problems.examples.length > 0 ? table(["Line", "Problem"], problems.examples.map((problem) => [problem.line, problem.problem]), { numeric: [0] }) : markup``,
    markup`<h3>Field coverage</h3>`,
    table(["Field", "Tickets with it", ""], coverage, { numeric: [1] }),
  ]);
}

function samplesSection(report: AuditReport): Markup {
  return join([
    markup`<h2>9. Sample messages by category</h2>`,
    markup`<p class="muted">Card numbers, phone numbers, e-mail addresses and secrets are masked.</p>`,
    table(["Category", "Samples"], report.categories.map((category) => [category.name, new Markup(category.samples.map((sample) => `<div>${escapeHtml(sample)}</div>`).join(""))])),
  ]);
}

export function renderAuditHtml(report: AuditReport): string {
  const { projection, agreement } = report;
  const kbLine = report.knowledgeBase.inSample
    ? "a knowledge base built from these same tickets"
    : `the knowledge base in ${report.knowledgeBase.dir ?? ""}`;
  const body = join([
    markup`<h1>Ticket audit</h1>`,
    markup`<p class="meta">${report.source.tickets} (${count(report.volume.usable)} tickets) · judged with ${kbLine} · generated ${report.generatedAt}</p>`,
    markup`<div class="caveat"><strong>${report.knowledgeBase.inSample ? "Optimistic, in-sample estimate. " : "Note. "}</strong>${report.caveat}</div>`,
    markup`<div class="cards">`,
    card(percent(projection.containment), "projected containment: the AI answers on its own"),
    card(percent(projection.safeTake.share), "safe take: answered, outside keep-with-people categories"),
    card(count(agreement.risk.tickets), "risk: tickets people handled that the AI would answer"),
    card(count(agreement.missedAutomation.tickets), "missed automation: simple tickets the AI would hand over"),
    card(percent(agreement.agreementRate), "agreement with history"),
    markup`</div>`,
    markup`<p>${headline(report)}</p>`,
    volumeSection(report),
    projectionSection(report),
    reasonsSection(report),
    agreementSection(report),
    mustHumanSection(report),
    signalsSection(report),
    dataSection(report),
    samplesSection(report),
    markup`<footer>Switchboard ticket audit · engine: ${report.engine} · ${count(report.run.durationMs)} ms${report.run.kbBuildMs === null ? "" : ` (knowledge base built in ${count(report.run.kbBuildMs)} ms)`} · the same figures are in the JSON report (--json).</footer>`,
  ]);
  return (
    "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n" +
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n" +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    `<title>Ticket audit: ${escapeHtml(report.source.tickets)}</title>\n<style>${STYLE}</style>\n</head>\n<body>\n<main>\n${body.html}\n</main>\n</body>\n</html>\n`
  );
}
