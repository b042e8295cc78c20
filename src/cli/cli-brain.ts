/**
 * The brain for `ask` and `eval`: the same composition the server uses (main.ts), over the knowledge
 * base named by --kb, else KB_DIR, else `kb/`.
 */
import { composeLocalBrain, type ComposedBrain } from "../main.js";

export async function composeCliBrain(kbDir?: string): Promise<ComposedBrain> {
  const dir = kbDir ?? process.env.KB_DIR ?? "kb";
  return composeLocalBrain({ kbDir: dir });
}
