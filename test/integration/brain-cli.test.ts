/**
 * The real CLI, as a user runs it: `kb build` reproduces the committed demo knowledge base, `ask --json`
 * prints one decision, `eval --json` prints the report of DESIGN.md and meets the quality targets.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, "../..");
const CLI = join(ROOT, "bin/switchboard.js");

async function cli(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [CLI, ...args], { cwd: ROOT, maxBuffer: 20 * 1024 * 1024, env: { ...process.env, KB_DIR: "kb" } });
}

function devCasesPath(): string {
  const candidates = [process.env.DEV_CASES, join(ROOT, "../shared/data/dev-cases.jsonl"), "/work/shared/data/dev-cases.jsonl"];
  const found = candidates.find((path): path is string => path !== undefined && existsSync(path));
  if (!found) throw new Error(`dev-cases.jsonl not found (tried ${candidates.filter(Boolean).join(", ")}); set DEV_CASES`);
  return found;
}

interface Report {
  cases: number;
  route_accuracy: number;
  human_recall: number | null;
  containment: number | null;
  category_accuracy: number | null;
  content_pass_rate: number | null;
  latency_ms: { p50: number; p99: number };
  failures: unknown[];
}

const EVAL_KEYS = [
  "cases", "route_accuracy", "human_recall", "human_precision", "containment", "clarification_rate", "category_accuracy",
  "content_pass_rate", "guardrail_violations", "latency_ms", "failures",
];

describe("switchboard CLI (brain)", () => {
  it("kb build reproduces the committed demo knowledge base from its sources", async () => {
    const out = await mkdtemp(join(tmpdir(), "kb-demo-"));
    const { stdout } = await cli("kb", "build", "--tickets", "kb/source/tickets.jsonl", "--docs", "kb/source/docs", "--out", out, "--quiet");
    expect(stdout).toMatch(/Built .* in [\d.]+ s/);
    for (const file of ["categories.json", "signals.json", "trees.json", "passages.json", "model.json"]) {
      const built = await readFile(join(out, file), "utf8");
      const committed = await readFile(join(ROOT, "kb", file), "utf8");
      expect(built === committed, `${file} differs from its sources: rebuild with node bin/switchboard.js kb build --tickets kb/source/tickets.jsonl --docs kb/source/docs --out kb`).toBe(true);
    }
    const strip = (text: string) => {
      const { builtAt: _builtAt, durationMs: _durationMs, ...rest } = JSON.parse(text) as Record<string, unknown>;
      return rest;
    };
    expect(strip(await readFile(join(out, "manifest.json"), "utf8"))).toEqual(strip(await readFile(join(ROOT, "kb/manifest.json"), "utf8")));
  });

  it("ask --json prints one decision with route, category, reply, reasons and verdicts", async () => {
    const human = JSON.parse((await cli("ask", "I lost my job and can't pay this month", "--json")).stdout) as Record<string, unknown>;
    expect(human).toMatchObject({ route: "human", priority: "urgent" });
    expect(human.reasonCodes).toContain("hardship");
    expect(String(human.reply)).toMatch(/specialist/);
    const ai = JSON.parse((await cli("ask", "How does pay in 4 work?", "--json")).stdout) as Record<string, unknown>;
    expect(ai).toMatchObject({ route: "ai", category: "pay_in_4" });
    expect(String(ai.reply)).toMatch(/two weeks/);
    expect(Array.isArray(ai.guardrails)).toBe(true);
  });

  it("eval --json on the dev cases prints the contract's report and meets the quality targets", async () => {
    const report = JSON.parse((await cli("eval", "--cases", devCasesPath(), "--json")).stdout) as Report;
    expect(Object.keys(report).sort()).toEqual([...EVAL_KEYS].sort());
    expect(report.cases).toBe(119);
    expect(report.human_recall).toBeGreaterThanOrEqual(0.99);
    expect(report.containment).toBeGreaterThanOrEqual(0.9);
    expect(report.route_accuracy).toBeGreaterThanOrEqual(0.95);
    expect(report.category_accuracy).toBeNull();
    expect(report.latency_ms).toEqual({ p50: expect.any(Number), p99: expect.any(Number) });
    expect(report.failures.length).toBeLessThanOrEqual(20);
  });

  it("eval --json scores categories and content on held-out paraphrases", async () => {
    const report = JSON.parse((await cli("eval", "--cases", "test/fixtures/heldout-cases.jsonl", "--json")).stdout) as Report;
    expect(report.cases).toBe(42);
    expect(report.route_accuracy).toBeGreaterThanOrEqual(0.9);
    expect(report.category_accuracy).toBeGreaterThanOrEqual(0.8);
    expect(report.content_pass_rate).toBeGreaterThanOrEqual(0.8);
  });

  it("ask --customer answers a known customer from the account data and refuses an unknown id", async () => {
    const known = JSON.parse((await cli("ask", "--customer", "C-1001", "when is my next payment due", "--json")).stdout) as Record<string, unknown>;
    expect(String(known.reply)).toMatch(/\$37\.50/);
    await expect(cli("ask", "--customer", "C-1OO1", "when is my next payment due")).rejects.toMatchObject({
      code: 1,
      stderr: 'switchboard: no customer "C-1OO1" at the demo account provider (switchboard accounts show ID looks customers up)\n',
    });
  });

  it("explains a bad cases file instead of crashing", async () => {
    await expect(cli("eval", "--cases", "kb/source/docs/faq.md", "--json")).rejects.toMatchObject({ stderr: expect.stringMatching(/invalid cases/) });
  });
});
