/**
 * The audit's figures on a small synthetic ticket file, through the real brain (an in-sample kb built
 * by the audit itself): volume, history, projection, agreement, verdicts, data problems, masking.
 */
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { AuditReport } from "../../../src/audit/report-types.js";
import { auditTickets, type AuditBrain } from "../../../src/audit/run.js";
import { composeLocalBrain } from "../../../src/main.js";
import { CARD, EMAIL, PHONE, writeAuditFixture, type AuditFixture } from "../../support/audit-tickets.js";

async function composeBrain(kbDir: string): Promise<AuditBrain> {
  const composed = await composeLocalBrain({ kbDir });
  return { brain: composed.brain, kb: composed.kb, ruleLabels: composed.routing.codeLabels };
}

function routeTotal(routes: { answered: number; clarifies: number; human: number }): number {
  return routes.answered + routes.clarifies + routes.human;
}

/** Figures that must hold whatever the brain decides. */
function expectConsistent(report: AuditReport): void {
  const { projection, agreement, volume } = report;
  expect(routeTotal(projection.routes)).toBe(volume.usable);
  expect(report.categories.reduce((sum, category) => sum + category.tickets, 0)).toBe(volume.usable);
  expect(routeTotal(agreement.peopleHandled) + routeTotal(agreement.resolvedSimply)).toBe(agreement.flagged);
  expect(agreement.peopleHandled.answered).toBe(agreement.risk.tickets);
  expect(agreement.resolvedSimply.human).toBe(agreement.missedAutomation.tickets);
  expect(projection.containment).toBeCloseTo(projection.routes.answered / volume.usable, 3);
  expect(projection.safeTake.tickets).toBeLessThanOrEqual(projection.routes.answered);
  expect(report.categories.reduce((sum, category) => sum + category.risk, 0)).toBe(agreement.risk.tickets);
}

describe("ticket audit figures (labelled tickets)", () => {
  let fixture: AuditFixture;
  let report: AuditReport;

  beforeAll(async () => {
    fixture = await writeAuditFixture();
    report = await auditTickets({ tickets: fixture.tickets, composeBrain, now: () => new Date("2026-02-01T00:00:00Z") });
  });

  it("counts the volume: rows, usable tickets, dates, channels, escalations, CSAT and resolution times", () => {
    const { volume } = report;
    expect(volume).toMatchObject({ rows: 37, usable: 34, badRows: 3, categorySource: "labels", categories: 4 });
    expect(volume.dateRange).toEqual({ from: "2026-01-05T09:00:00.000Z", to: "2026-01-12T09:00:00.000Z", withDate: 18, invalidDates: 0 });
    expect(volume.byMonth).toEqual([{ month: "2026-01", tickets: 18 }]);
    expect(volume.channels.map((channel) => [channel.channel, channel.tickets])).toEqual([["webchat", 13], ["sms", 10], ["whatsapp", 8]]);
    // 8 disputes and the opening-hours ticket a person handled.
    expect(volume.escalation).toEqual({ flagged: 33, escalated: 9, share: 0.2727 });
    expect(volume.csat.responses).toBe(33);
    expect(volume.csat.distribution).toEqual({ 1: 4, 2: 4, 3: 1, 4: 9, 5: 15 });
    // Opening-hours tickets have no resolution_minutes but created_at and resolved_at 10 minutes apart.
    expect(volume.resolutionMinutes).toMatchObject({ known: 31, fromTimestamps: 8, median: 10 });
    expect(report.knowledgeBase).toMatchObject({ dir: null, inSample: true, labelled: true, categories: 4 });
    expect(report.caveat).toMatch(/in-sample/);
  });

  it("reports per category: history, the AI's projected take, and a verdict with reasons", () => {
    expectConsistent(report);
    const byId = new Map(report.categories.map((category) => [category.id, category]));
    const dispute = byId.get("dispute");
    expect(dispute).toMatchObject({ tickets: 8, escalated: 8, escalatedShare: 1, csatMean: 1.5, verdict: "people", kbMustHuman: true });
    expect(dispute?.routes.human).toBe(8);
    expect(dispute?.reasons).toEqual(expect.arrayContaining([
      "people handled 8 of 8 tickets (100%)",
      expect.stringMatching(/^low CSAT: 1\.50 against 3\.82 overall$/),
      expect.stringMatching(/^long resolutions: median 6\.0 h against 10 min overall$/),
    ]));
    expect(byId.get("payment_date")).toMatchObject({ tickets: 10, escalated: 0, verdict: "ai", template: true });
    expect(byId.get("opening_hours")).toMatchObject({ tickets: 12, escalated: 1, withResponse: 11 });
    expect(byId.get("gift_cards")).toMatchObject({ tickets: 4, withResponse: 0, template: false, containment: 0 });
    expect(report.withoutResponses).toEqual([{ id: "gift_cards", name: "Gift cards", tickets: 4 }]);
    expect(report.mustHuman.map((entry) => entry.id)).toContain("dispute");
    expect(report.projection.categoryAgreement).toBe(1);
  });

  it("sets the AI's decisions against history: the escalated look-alike is a risk, disputes go to people", () => {
    const { agreement } = report;
    expect(agreement.flagged).toBe(33);
    expect(agreement.peopleHandled.human).toBe(8);
    expect(agreement.risk.tickets).toBe(1);
    expect(agreement.risk.examples).toEqual([
      expect.objectContaining({ ref: "T-30", line: fixture.lines.risk, category: "opening_hours", message: "what are your opening hours", aiReply: expect.stringMatching(/open every day/) }),
    ]);
    const dispute = report.reasons.find((reason) => reason.code === "dispute");
    expect(dispute).toMatchObject({ label: "Dispute, double charge or merchant problem", tickets: 8, historyAgrees: 1 });
    expect(report.reasons.every((reason) => reason.tickets <= report.projection.routes.human)).toBe(true);
  });

  it("reports data problems with line numbers: bad JSON, an empty message, a missing message, duplicates; keeps rows with a bad optional value", () => {
    const problems = report.dataProblems;
    expect(problems).toMatchObject({ badRows: 3, ticketsWithDroppedFields: 2, emptyMessages: 1, duplicateRows: 1, conflictingIds: 1, unlabelled: 0 });
    expect(problems.examples.map((problem) => problem.line)).toEqual([fixture.lines.invalidJson, fixture.lines.emptyMessage, fixture.lines.missingMessage]);
    expect(Object.fromEntries(problems.byKind.map((kind) => [kind.kind, kind.rows]))).toEqual({
      "not a JSON object": 1,
      "empty message": 1,
      "missing or unreadable customer_message": 1,
    });
    expect(problems.coverage).toMatchObject({ category: 1, escalated: 0.9706, csat: 0.9706, agent_response: 0.8529 });
  });

  it("masks card numbers, e-mail addresses and phone numbers everywhere, including a bad optional value", () => {
    const json = JSON.stringify(report);
    expect(json).not.toContain(CARD);
    expect(json).not.toContain(CARD.replace(/ /g, ""));
    expect(json).not.toContain(EMAIL);
    expect(json).not.toContain(PHONE);
    const payment = report.categories.find((category) => category.id === "payment_date");
    expect(payment?.samples[0]).toBe("when is my next payment due? my card is [card ending 1111]");
  });
});

describe("ticket audit figures (unlabelled tickets)", () => {
  it("discovers categories and still reports history, agreement and data problems", async () => {
    const fixture = await writeAuditFixture({ labelled: false });
    const report = await auditTickets({ tickets: fixture.tickets, composeBrain });
    expectConsistent(report);
    expect(report.volume).toMatchObject({ usable: 34, badRows: 3, categorySource: "discovered" });
    expect(report.knowledgeBase.labelled).toBe(false);
    expect(report.volume.categories).toBeGreaterThanOrEqual(2);
    expect(report.projection.categoryAgreement).toBeNull();
    expect(report.dataProblems.coverage.category).toBe(0);
    expect(report.dataProblems.unlabelled).toBe(0);
    expect(report.agreement.flagged).toBe(33);
    // Every dispute goes to people whatever cluster it lands in: the routing rules catch them.
    expect(report.agreement.peopleHandled.human).toBeGreaterThanOrEqual(8);
    expect(JSON.stringify(report)).not.toContain(CARD.replace(/ /g, ""));
  });
});

describe("ticket audit input errors", () => {
  it("stops with a clear message for a missing file, a folder, or a name that is neither JSONL nor CSV", async () => {
    const dir = await mkdtemp(join(tmpdir(), "audit-errors-"));
    await expect(auditTickets({ tickets: join(dir, "missing.jsonl"), composeBrain })).rejects.toThrow(/cannot read the tickets file .*missing\.jsonl: no such file/);
    await mkdir(join(dir, "folder.jsonl"));
    await expect(auditTickets({ tickets: join(dir, "folder.jsonl"), composeBrain })).rejects.toThrow(/folder\.jsonl is not a file/);
    await writeFile(join(dir, "tickets.txt"), "hello");
    await expect(auditTickets({ tickets: join(dir, "tickets.txt"), composeBrain })).rejects.toThrow(/name it \.jsonl or \.csv/);
  });

  it("stops when no row is usable, with the first bad lines, with and without a knowledge base", async () => {
    const dir = await mkdtemp(join(tmpdir(), "audit-errors-"));
    const path = join(dir, "bad.jsonl");
    await writeFile(path, 'not json\n{"customer_message": ""}\n');
    await expect(auditTickets({ tickets: path, composeBrain })).rejects.toThrow(/no usable tickets .*\n.*line 1: is not valid JSON/);
    await expect(auditTickets({ tickets: path, kbDir: "kb", composeBrain })).rejects.toThrow(/no usable tickets .*\(2 rows read\)[\s\S]*line 2: customer_message is empty/);
  });

  it("refuses a CSV without a customer_message column, and --docs together with --kb", async () => {
    const dir = await mkdtemp(join(tmpdir(), "audit-errors-"));
    const csv = join(dir, "tickets.csv");
    await writeFile(csv, "id,message\n1,hello\n");
    await expect(auditTickets({ tickets: csv, kbDir: "kb", composeBrain })).rejects.toThrow(/no customer_message column/);
    await writeFile(csv, "id,customer_message\n1,when is my next payment due\n");
    await expect(auditTickets({ tickets: csv, kbDir: "kb", docs: "kb/source/docs", composeBrain })).rejects.toThrow(/--docs/);
  });
});
