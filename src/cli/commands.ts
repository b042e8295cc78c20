/**
 * The command table. Each command parses its own options (node:util parseArgs) and returns an exit code.
 * Commands that need concrete channels, adapters or desks get them from the composition root (main.ts).
 */
import { askCommand } from "./ask.js";
import { evalCommand } from "./eval.js";
import { kbBuildCommand } from "./kb-build.js";

export interface CliCommand {
  /** Words that select it: ["kb", "build"]. */
  path: string[];
  usage: string;
  summary: string;
  run(args: string[]): Promise<number>;
}

export const COMMANDS: CliCommand[] = [kbBuildCommand, askCommand, evalCommand];
