/** One `switchboard` command: the words that select it, its help line, and what it does. */
export interface CliCommand {
  /** Words that select it: ["kb", "build"]. */
  path: string[];
  usage: string;
  summary: string;
  run(args: string[]): Promise<number>;
}
