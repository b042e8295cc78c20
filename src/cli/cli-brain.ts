/**
 * The brain for `ask` and `eval`: the same composition the server uses (main.ts: the configured engine,
 * the configured account data, every guardrail), over the knowledge base named by --kb, else KB_DIR.
 * `--engine local|openai` overrides AI_ENGINE for one run.
 */
import { loadEnv } from "../config/env.js";
import { ValidationError } from "../errors.js";
import { composeConfiguredBrain, type ComposedBrain } from "../main.js";

const ENGINES = ["local", "openai"] as const;

export async function composeCliBrain(kbDir?: string, engine?: string): Promise<ComposedBrain> {
  if (engine !== undefined && !(ENGINES as readonly string[]).includes(engine)) {
    throw new ValidationError(`--engine must be one of ${ENGINES.join(", ")} (got "${engine}")`);
  }
  const env = loadEnv(engine ? { ...process.env, AI_ENGINE: engine } : process.env);
  const composed = await composeConfiguredBrain(env, kbDir ?? env.KB_DIR);
  for (const warning of composed.kb.warnings) process.stderr.write(`warning: ${warning}\n`);
  return composed;
}
