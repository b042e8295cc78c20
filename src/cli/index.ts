/**
 * `switchboard` command line: a table of commands, each in its own module. Errors print one clear line
 * (configuration problems say what to set) and exit non-zero.
 */
import { SwitchboardError } from "../errors.js";
import { COMMANDS, type CliCommand } from "./commands.js";

function usage(): string {
  const lines = COMMANDS.map((command) => `  ${command.usage.padEnd(58)} ${command.summary}`);
  return `Usage: switchboard <command> [options]\n\nCommands:\n${lines.join("\n")}\n`;
}

function findCommand(argv: string[]): { command: CliCommand; rest: string[] } | undefined {
  // Longest match first, so `kb build` wins over a future `kb`.
  const sorted = [...COMMANDS].sort((a, b) => b.path.length - a.path.length);
  for (const command of sorted) {
    if (command.path.every((word, index) => argv[index] === word)) {
      return { command, rest: argv.slice(command.path.length) };
    }
  }
  return undefined;
}

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === "help" || argv[0] === "--help" || argv[0] === "-h") {
    process.stdout.write(usage());
    return argv.length === 0 ? 1 : 0;
  }
  const found = findCommand(argv);
  if (!found) {
    process.stderr.write(`switchboard: unknown command "${argv.join(" ")}"\n\n${usage()}`);
    return 2;
  }
  try {
    return await found.command.run(found.rest);
  } catch (error) {
    // node:util parseArgs: an unknown or malformed option is a usage mistake, not a crash.
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS")) {
      process.stderr.write(`switchboard: ${(error as Error).message}\nUsage: switchboard ${found.command.usage}\n`);
      return 2;
    }
    throw error;
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof SwitchboardError) {
    process.stderr.write(`switchboard: ${error.message}\n`);
    process.exitCode = error.code === "config.invalid" ? 78 : 1;
  } else {
    process.stderr.write(`switchboard: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  }
}
