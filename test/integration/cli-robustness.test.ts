/**
 * The CLI where a user's setup is slightly off: a stale override in the knowledge base is reported on
 * stderr and ignored (the command still answers), a ticket export with bad optional fields builds,
 * `ask` runs from any directory and ignores a half-configured Slack or Twilio, and `qa review` over an
 * empty period prints n/a instead of numbers.
 */
import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, "../..");
const CLI = join(ROOT, "bin/switchboard.js");

async function cli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [CLI, ...args], { cwd: options.cwd ?? ROOT, maxBuffer: 20 * 1024 * 1024, env: options.env ?? { ...process.env, KB_DIR: "kb" } });
}

describe("switchboard CLI robustness", () => {
  it("ask warns about an override of a category that no longer exists and still answers", async () => {
    const kb = join(await mkdtemp(join(tmpdir(), "kb-stale-")), "kb");
    await cp(join(ROOT, "kb"), kb, { recursive: true });
    await writeFile(join(kb, "overrides.yaml"), "categories:\n  retired_category:\n    mustHuman: true\n");
    const { stdout, stderr } = await cli(["ask", "--kb", kb, "--json", "What happens if I miss a payment?"]);
    expect(stderr).toMatch(/warning: .*overrides\.yaml: category "retired_category" is not in the knowledge base.*ignored/);
    expect(JSON.parse(stdout)).toMatchObject({ route: expect.any(String) });
  });

  it("kb build names a tickets file or an output folder it cannot use in one line, without a stack trace", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kb-paths-"));
    const missing = await cli(["kb", "build", "--tickets", join(dir, "missing.jsonl"), "--out", join(dir, "kb"), "--quiet"]).catch((error: unknown) => error);
    expect(missing).toMatchObject({ code: 1, stderr: `switchboard: cannot read ${join(dir, "missing.jsonl")}: no such file or directory\n` });
    await writeFile(join(dir, "t.jsonl"), `${JSON.stringify({ customer_message: "where is my parcel", category: "delivery" })}\n`);
    const blocked = await cli(["kb", "build", "--tickets", join(dir, "t.jsonl"), "--out", join(dir, "t.jsonl", "kb"), "--quiet"]).catch((error: unknown) => error);
    expect(blocked).toMatchObject({ code: 1, stderr: `switchboard: cannot write ${join(dir, "t.jsonl", "kb")}: a part of the path is not a folder\n` });
  });

  it("kb build keeps tickets with a bad optional field and says how many", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kb-fields-"));
    const rows = ["where is my parcel", "my package has not arrived", "tracking number please", "reset my password", "forgot my password", "cannot log in"].map(
      (message, index) => ({ customer_message: message, category: index < 3 ? "delivery" : "login", agent_response: "See the app.", created_at: index % 2 ? "2026-01-05T09:00:00Z" : "someday" }),
    );
    await writeFile(join(dir, "t.jsonl"), `${rows.map((row) => JSON.stringify(row)).join("\n")}\n{"category":"login"}\n`);
    const { stdout } = await cli(["kb", "build", "--tickets", join(dir, "t.jsonl"), "--out", join(dir, "kb"), "--quiet"]);
    expect(stdout).toMatch(/tickets: 7 rows, 6 used, 1 skipped/);
    expect(stdout).toMatch(/skipped line 7: customer_message/);
    expect(stdout).toMatch(/warning: 3 tickets kept without an optional field that did not validate/);
  });

  it("ask works from any directory with the package's knowledge base, whatever the Slack and Twilio settings", async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), "cwd-"));
    const env: NodeJS.ProcessEnv = { ...process.env, SLACK_BOT_TOKEN: "xoxb-1", TWILIO_API_URL: "not a url", LOG_LEVEL: "silent" };
    delete env.KB_DIR;
    const { stdout } = await cli(["ask", "--json", "What happens if I miss a payment?"], { cwd: elsewhere, env });
    expect(JSON.parse(stdout)).toMatchObject({ route: "ai", category: "late_fees" });
  });

  it("qa review over a period with no conversations prints n/a, not NaN or zeros", async () => {
    const dir = await mkdtemp(join(tmpdir(), "qa-empty-"));
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dir, AI_ENGINE: "local", LOG_LEVEL: "silent" };
    delete env.DATABASE_URL;
    const { stdout } = await cli(["qa", "review", "--since", "1d", "--out", join(dir, "report.md")], { cwd: dir, env });
    expect(stdout).toContain("Reviewed 0 AI-handled conversations");
    expect(stdout).toContain("overall n/a/5");
    expect(stdout).toContain("CSAT mean n/a");
    expect(stdout).not.toMatch(/NaN|0\.00\/5/);
    const markdown = await readFile(join(dir, "report.md"), "utf8");
    expect(markdown).toContain("| **Overall** | **n/a** |");
    expect(markdown).not.toContain("NaN");
    const json = JSON.parse(await readFile(join(dir, "report.json"), "utf8")) as { averages: Record<string, number | null> };
    expect(Object.values(json.averages).every((value) => value === null)).toBe(true);
  }, 60_000);
});
