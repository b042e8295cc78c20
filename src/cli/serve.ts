/**
 * `switchboard serve [--role web|worker|all]`: the server and workers until SIGINT/SIGTERM, then a
 * graceful shutdown (stop accepting, drain running jobs, close connections).
 */
import { parseArgs } from "node:util";
import { ConfigError } from "../errors.js";
import type { Role } from "../main.js";
import type { CliCommand } from "./cli-command.js";

const ROLES: readonly Role[] = ["web", "worker", "all"];

export const serveCommand: CliCommand = {
  path: ["serve"],
  usage: "serve [--role web|worker|all]",
  summary: "run the server and the workers (default: both)",
  async run(args) {
    const { values } = parseArgs({ args, options: { role: { type: "string", default: "all" } }, strict: true });
    const role = values.role as Role;
    if (!ROLES.includes(role)) throw new ConfigError(`--role must be one of ${ROLES.join(", ")} (got "${values.role}")`);

    const started = performance.now();
    // Loaded here, not at the top: the other commands never load the channels and the desk.
    const { startSwitchboard } = await import("../main.js");
    const running = await startSwitchboard({ role });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const where = running.url ? `Web chat: ${running.publicUrl}/  (listening on ${running.url})` : "worker only: no HTTP server";
    process.stdout.write(`Switchboard is running (${role}, ready in ${seconds} s). ${where}\nPress Ctrl+C to stop.\n`);

    await new Promise<void>((resolve) => {
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) {
          process.stderr.write("Forced exit.\n");
          process.exit(130);
        }
        stopping = true;
        running.logger.info({ signal }, "shutting down: draining workers");
        // A handler stuck past the drain timeout can keep a connection open: exit once closed anyway.
        void running.close().then(resolve, resolve);
      };
      process.once("SIGINT", () => stop("SIGINT"));
      process.once("SIGTERM", () => stop("SIGTERM"));
    });
    process.stdout.write("Switchboard stopped.\n");
    setTimeout(() => process.exit(0), 1_000).unref();
    return 0;
  },
};
