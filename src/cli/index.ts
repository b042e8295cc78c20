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

/** What a failed file operation says in words ("no such file or directory"), without Node's prefix. */
const FILE_PROBLEMS: Record<string, string> = {
  ENOENT: "no such file or directory",
  ENOTDIR: "a part of the path is not a folder",
  EISDIR: "is a folder, not a file",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOSPC: "no space left on the device",
  EEXIST: "already exists",
};

/** A file the user named that cannot be read or written: one line naming it, no stack trace. */
function fileProblem(error: unknown): string | undefined {
  const { code, path, syscall } = error as { code?: unknown; path?: unknown; syscall?: unknown };
  if (typeof code !== "string" || typeof path !== "string" || !(code in FILE_PROBLEMS)) return undefined;
  const verb = typeof syscall === "string" && /^(?:open|stat|lstat|read|scandir|readdir|access)$/.test(syscall) ? "cannot read" : "cannot write";
  return `${verb} ${path}: ${FILE_PROBLEMS[code]}`;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  const problem = fileProblem(error);
  if (problem) {
    process.stderr.write(`switchboard: ${problem}\n`);
    process.exitCode = 1;
  } else if (error instanceof SwitchboardError) {
    process.stderr.write(`switchboard: ${error.message}\n`);
    process.exitCode = error.code === "config.invalid" ? 78 : 1;
  } else {
    process.stderr.write(`switchboard: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  }
}
