/**
 * `switchboard audit` as a support lead runs it, through the real CLI on the shipped demo tickets: the
 * HTML page and the JSON figures, in-sample and with the demo knowledge base, JSONL and CSV, and the
 * exit codes and messages for a missing file and a file with no usable row.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import type { AuditReport } from "../../src/audit/report-types.js";

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, "../..");
const CLI = join(ROOT, "bin/switchboard.js");
const DEMO_TICKETS = "kb/source/tickets.jsonl";
const SLOW = 120_000;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { cwd: ROOT, maxBuffer: 20 * 1024 * 1024, env: { ...process.env, KB_DIR: "kb" } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === "number" ? failed.code : 1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

function csvField(value: string | number | boolean | undefined): string {
  if (value === undefined) return "";
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

describe("switchboard audit (CLI)", () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "audit-cli-"));
  });

  it("audits the demo tickets with a knowledge base built from them: HTML page, JSON figures, a summary", async () => {
    const html = join(dir, "demo.html");
    const json = join(dir, "demo.json");
    const result = await cli("audit", "--tickets", DEMO_TICKETS, "--out", html, "--json", json, "--quiet");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Audited 367 tickets \(367 rows, 0 bad\) in [\d.]+ s with a knowledge base built from the same tickets \(in-sample: optimistic\)/);
    expect(result.stdout).toContain(`Report: ${html} and ${json}`);

    const report = JSON.parse(await readFile(json, "utf8")) as AuditReport;
    expect(report.volume).toMatchObject({ rows: 367, usable: 367, badRows: 0, categorySource: "labels", categories: 36 });
    expect(report.volume.escalation).toEqual({ flagged: 367, escalated: 95, share: 0.2589 });
    expect(report.knowledgeBase).toMatchObject({ dir: null, inSample: true });
    const { projection, agreement } = report;
    expect(projection.routes.answered + projection.routes.clarifies + projection.routes.human).toBe(367);
    // The demo's simple majority: the AI takes most of it, and every ticket people handled goes to people.
    expect(projection.containment).toBeGreaterThan(0.6);
    expect(projection.containment).toBeLessThan(0.85);
    expect(agreement.peopleHandled.answered).toBe(0);
    expect(agreement.agreementRate).toBeGreaterThan(0.9);
    const verdicts = new Map(report.categories.map((category) => [category.id, category.verdict]));
    for (const id of ["hardship", "dispute", "fraud_unrecognized", "complaint", "fee_waiver_request", "human_request"]) expect(verdicts.get(id)).toBe("people");
    for (const id of ["pay_in_4", "payment_schedule", "autopay", "statements"]) expect(verdicts.get(id)).toBe("ai");
    expect(report.reasons.map((reason) => reason.code)).toEqual(expect.arrayContaining(["hardship", "human_requested", "dispute", "fraud"]));

    const page = await readFile(html, "utf8");
    expect(page.startsWith("<!doctype html>")).toBe(true);
    expect(page).not.toMatch(/<script|<link|\ssrc=|\shref=/i);
    expect(page).toContain("Optimistic, in-sample estimate.");
    expect(page).toContain("<h2>2. What the AI would take</h2>");
    expect(page).toMatch(/<td>Hardship<\/td>.*Keep with people/);
    expect(page).toContain(`${(projection.containment * 100).toFixed(1)}%`);
  }, SLOW);

  it("uses a given knowledge base, and reads the same tickets as CSV", async () => {
    const rows = (await readFile(join(ROOT, DEMO_TICKETS), "utf8")).trim().split("\n").map((line) => JSON.parse(line) as Record<string, string | number | boolean>);
    const columns = ["id", "customer_message", "agent_response", "category", "escalated", "resolution_minutes", "csat", "channel"];
    const csv = join(dir, "demo.csv");
    await writeFile(csv, `${columns.join(",")}\r\n${rows.map((row) => columns.map((column) => csvField(row[column])).join(",")).join("\r\n")}\r\n`);
    const html = join(dir, "demo-kb.html");
    const json = join(dir, "demo-kb.json");
    const result = await cli("audit", "--tickets", csv, "--kb", "kb", "--out", html, "--json", json, "--quiet");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("with kb");
    const report = JSON.parse(await readFile(json, "utf8")) as AuditReport;
    expect(report.source.format).toBe("csv");
    expect(report.knowledgeBase).toMatchObject({ dir: "kb", inSample: false, labelled: true, categories: 36 });
    expect(report.volume).toMatchObject({ usable: 367, badRows: 0 });
    expect(report.run.kbBuildMs).toBeNull();
    expect(report.caveat).toContain("knowledge base in kb");
    const page = await readFile(html, "utf8");
    expect(page).not.toContain("Optimistic, in-sample estimate.");
    expect(page).toContain("judged with the knowledge base in kb");
  }, SLOW);

  it("exits non-zero with a clear message for a missing file, a file with no usable row, missing options, or a report it cannot write", async () => {
    const empty = join(dir, "empty.jsonl");
    await writeFile(empty, '{"customer_message": "   "}\nnot json\n');
    const [missing, unusable, usage, unwritable] = await Promise.all([
      cli("audit", "--tickets", join(dir, "nope.jsonl"), "--out", join(dir, "x.html")),
      cli("audit", "--tickets", empty, "--kb", "kb", "--out", join(dir, "y.html"), "--quiet"),
      cli("audit", "--tickets", DEMO_TICKETS),
      cli("audit", "--tickets", DEMO_TICKETS, "--kb", "kb", "--out", join(empty, "report.html"), "--quiet"),
    ]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/^switchboard: cannot read the tickets file .*nope\.jsonl: no such file/);

    expect(unusable.code).not.toBe(0);
    expect(unusable.stderr).toMatch(/no usable tickets in .*empty\.jsonl \(2 rows read\)/);
    expect(unusable.stderr).toContain("line 1: customer_message is empty");

    expect(usage.code).not.toBe(0);
    expect(usage.stderr).toContain("audit needs --tickets FILE");

    // Checked before the audit runs, so a long audit never ends in a write error.
    expect(unwritable.code).not.toBe(0);
    expect(unwritable.stderr).toMatch(/cannot write the report to .*report\.html: .*empty\.jsonl is not a folder/);
    expect(unwritable.stdout).toBe("");
  }, SLOW);
});
