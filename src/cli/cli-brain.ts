/**
 * The brain for `ask` and `eval`: the same composition the server uses (main.ts: the local engine, the
 * configured account data, every guardrail), over the knowledge base named by --kb, else KB_DIR.
 */
import { loadEnv } from "../config/env.js";
import { composeConfiguredBrain, type ComposedBrain } from "../main.js";

export async function composeCliBrain(kbDir?: string): Promise<ComposedBrain> {
  const env = loadEnv();
  return composeConfiguredBrain(env, kbDir ?? env.KB_DIR);
}
