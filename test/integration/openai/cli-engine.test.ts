/**
 * `ask` and `eval` run either engine: `--engine openai` composes the OpenAI engine exactly as the server
 * does (here against the fake provider), and the process exits cleanly afterwards (the spend ledger's
 * Redis connection is closed).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAIServer } from "../../fakes/openai-server.js";
import { finalAnswer } from "../../support/openai-kit.js";
import { uniqueName } from "../../support/services.js";

const run = promisify(execFile);
const BIN = new URL("../../../bin/switchboard.js", import.meta.url).pathname;
let fake: FakeOpenAIServer;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  fake = await startFakeOpenAI({
    script: (request) => {
      const text = request.body.messages[1]?.content ?? "";
      return text.includes("pay off early")
        ? { kind: "json", json: finalAnswer("Yes, you can pay early at any time in the app, at no extra cost.", { category: "pay_early" }) }
        : { kind: "json", json: finalAnswer("Let me pass you to a colleague.", { route: "human", category: "other", escalation_reason: "unclear" }) };
    },
  });
  const dir = mkdtempSync(join(tmpdir(), "cli-engine-"));
  env = { ...process.env, AI_ENGINE: "local", OPENAI_API_KEY: fake.apiKey, OPENAI_BASE_URL: fake.baseURL, OPENAI_MODEL: "gpt-test", QUEUE_PREFIX: uniqueName("cli"), LOG_LEVEL: "silent", DATA_DIR: dir };
});
afterAll(async () => fake?.close());

describe("ask and eval with either engine", () => {
  it("ask --engine openai answers through the model; without it, the local engine answers", async () => {
    const { stdout } = await run(process.execPath, [BIN, "ask", "Can I pay off early?", "--engine", "openai", "--json"], { env, timeout: 60_000 });
    const result = JSON.parse(stdout) as { route: string; engine: string; reply: string; category: string };
    expect(result).toMatchObject({ route: "ai", engine: "openai:gpt-test", category: "pay_early" });
    expect(result.reply).toContain("pay early");
    expect(fake.requests.length).toBeGreaterThan(0);

    const before = fake.requests.length;
    const local = JSON.parse((await run(process.execPath, [BIN, "ask", "Can I pay off early?", "--json"], { env, timeout: 60_000 })).stdout) as { engine: string };
    expect(local.engine).toBe("local");
    expect(fake.requests).toHaveLength(before);
  }, 120_000);

  it("eval --engine openai scores the OpenAI brain on labelled cases", async () => {
    const cases = join(mkdtempSync(join(tmpdir(), "cases-")), "cases.jsonl");
    writeFileSync(cases, [JSON.stringify({ text: "Can I pay off early?", expect_route: "ai", expect_category: "pay_early" }), JSON.stringify({ text: "I lost my job and can't pay", expect_route: "human" })].join("\n"));
    const { stdout } = await run(process.execPath, [BIN, "eval", "--cases", cases, "--engine", "openai", "--json"], { env, timeout: 60_000 });
    const report = JSON.parse(stdout) as { cases: number; route_accuracy: number; category_accuracy: number };
    expect(report).toMatchObject({ cases: 2, route_accuracy: 1, category_accuracy: 1 });
  }, 120_000);

  it("a wrong --engine is refused", async () => {
    const failure = await run(process.execPath, [BIN, "ask", "hi", "--engine", "gpt"], { env, timeout: 60_000 }).catch((error: { code: number; stderr: string }) => error);
    expect((failure as { stderr: string }).stderr).toContain("--engine must be one of local, openai");
  }, 60_000);
});
