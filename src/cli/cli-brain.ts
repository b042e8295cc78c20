/**
 * The brain for `ask` and `eval`: the same composition the server uses (src/main/brain.ts: the configured
 * engine, the configured account data, every guardrail), over the knowledge base named by --kb, else
 * KB_DIR, else the package's own `kb/` (so the commands work from any directory).
 * `--engine local|openai` overrides AI_ENGINE for one run. Only the brain's settings are checked: a
 * half-configured Slack or Twilio does not stop a question to the brain.
 */
import { fileURLToPath } from "node:url";
import { loadEnv, type Env } from "../config/env.js";
import { ValidationError } from "../errors.js";
import { composeConfiguredBrain, type ComposedBrain } from "../main/brain.js";

const ENGINES = ["local", "openai"] as const;

/** The knowledge base shipped with the package. */
export const PACKAGE_KB_DIR = fileURLToPath(new URL("../../kb", import.meta.url));

/** KB_DIR when the environment sets it, else the package's own knowledge base. */
export function defaultKbDir(env: Env, source: NodeJS.ProcessEnv = process.env): string {
  return source.KB_DIR?.trim() ? env.KB_DIR : PACKAGE_KB_DIR;
}

export async function composeCliBrain(kbDir?: string, engine?: string, source: NodeJS.ProcessEnv = process.env): Promise<ComposedBrain> {
  if (engine !== undefined && !(ENGINES as readonly string[]).includes(engine)) {
    throw new ValidationError(`--engine must be one of ${ENGINES.join(", ")} (got "${engine}")`);
  }
  const env = loadEnv(engine ? { ...source, AI_ENGINE: engine } : source, { scope: "brain" });
  const composed = await composeConfiguredBrain(env, kbDir ?? defaultKbDir(env, source));
  for (const warning of composed.kb.warnings) process.stderr.write(`warning: ${warning}\n`);
  return composed;
}
