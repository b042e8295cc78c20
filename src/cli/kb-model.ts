/**
 * The model-assisted knowledge-base build: `kb build ... --with-model` (or AI_ENGINE=openai) asks the
 * model for proposals, writes them to `<kb>/model-proposals.json` and prints them as a diff; nothing is
 * applied unless `--apply` is given. `kb apply [--kb DIR] [--proposals FILE]` applies a reviewed file.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadEnv, type Env } from "../config/env.js";
import { ConfigError, errorMessage } from "../errors.js";
import { applyProposals, type ApplyResult } from "../kb/model-assist/apply.js";
import { renderProposalDiff } from "../kb/model-assist/diff.js";
import { proposeWithModel } from "../kb/model-assist/propose.js";
import { PROPOSALS_FILE, Proposals } from "../kb/model-assist/proposals.js";
import { stableJson } from "../kb/stable-json.js";
import { createLogger } from "../logging/logger.js";
import { createOpenAIModelFromEnv } from "../main/brain.js";
import type { CliCommand } from "./cli-command.js";

export async function readProposals(path: string): Promise<Proposals | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return null;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${path} is not JSON (${errorMessage(error)}); fix it or delete it and build again`);
  }
  const parsed = Proposals.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`${path} is not a proposals file: ${issue ? `${issue.path.join(".")}: ${issue.message}` : "invalid"}`);
  }
  return parsed.data;
}

function describeApplied(result: ApplyResult): string {
  const lines = [`Applied ${result.applied.length} item(s)${result.rejected > 0 ? `, skipped ${result.rejected} rejected` : ""}:`, ...result.applied.map((line) => `  ${line}`)];
  if (result.labelledTickets) lines.push(`Rebuild with the labels: switchboard kb build --tickets ${result.labelledTickets} --out <dir>`);
  return lines.join("\n");
}

export async function modelAssistedBuild(options: { kbDir: string; tickets: string; apply: boolean; env?: Env; write?: (text: string) => void }): Promise<Proposals> {
  const env = options.env ?? loadEnv();
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const logger = createLogger({ level: env.LOG_LEVEL === "info" ? "warn" : env.LOG_LEVEL, name: "kb-build" });
  const path = join(options.kbDir, PROPOSALS_FILE);
  const previous = await readProposals(path).catch(() => null);
  const model = await createOpenAIModelFromEnv(env, { logger });
  try {
    const proposals = await proposeWithModel({ kbDir: options.kbDir, tickets: options.tickets, model: model.model, previous });
    await writeFile(path, stableJson(proposals), "utf8");
    write(`${renderProposalDiff(proposals, options.kbDir)}\n`);
    if (options.apply) write(`${describeApplied(await applyProposals(options.kbDir, proposals))}\n`);
    else write(`Nothing applied. Review ${path} (set "accept": false on an item to skip it), then run: switchboard kb apply --kb ${options.kbDir}\n`);
    return proposals;
  } finally {
    await model.close();
  }
}

export const kbApplyCommand: CliCommand = {
  path: ["kb", "apply"],
  usage: "kb apply [--kb DIR] [--proposals FILE]",
  summary: "apply reviewed model proposals (model-proposals.json) to a knowledge base",
  async run(args) {
    const { values } = parseArgs({ args, options: { kb: { type: "string" }, proposals: { type: "string" } }, strict: true });
    const kbDir = values.kb ?? process.env.KB_DIR ?? "kb";
    const path = values.proposals ?? join(kbDir, PROPOSALS_FILE);
    const proposals = await readProposals(path);
    if (!proposals) throw new ConfigError(`no proposals at ${path}: run switchboard kb build ... --with-model first`);
    process.stdout.write(`${describeApplied(await applyProposals(kbDir, proposals))}\n`);
    return 0;
  },
};
