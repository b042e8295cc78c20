/**
 * The command table. Each command parses its own options (node:util parseArgs) and returns an exit code.
 * Commands that need concrete channels, adapters or desks get them from the composition root (main.ts).
 */
import { accountsShowCommand } from "./accounts-show.js";
import type { CliCommand } from "./cli-command.js";
import { askCommand } from "./ask.js";
import { auditCommand } from "./audit.js";
import { evalCommand } from "./eval.js";
import { kbBuildCommand } from "./kb-build.js";
import { kbApplyCommand } from "./kb-model.js";
import { qaReviewCommand } from "./qa-review.js";
import { serveCommand } from "./serve.js";

export type { CliCommand } from "./cli-command.js";

export const COMMANDS: CliCommand[] = [serveCommand, accountsShowCommand, kbBuildCommand, kbApplyCommand, askCommand, evalCommand, auditCommand, qaReviewCommand];
