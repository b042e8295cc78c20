/**
 * Bolt and the WebClient log through our (masking) pino logger instead of the console, so their lines
 * are structured and never carry a token. Bolt's chatter at info level (auth, retries) goes to debug.
 */
import { LogLevel, type Logger as BoltLogger } from "@slack/bolt";
import type { Logger } from "../../src/logging/logger.js";

function split(parts: unknown[]): { message: string; err?: unknown } {
  const err = parts.find((part) => part instanceof Error);
  const message = parts
    .filter((part) => !(part instanceof Error))
    .map((part) => (typeof part === "string" ? part : JSON.stringify(part)))
    .join(" ")
    .slice(0, 2_000);
  return err === undefined ? { message } : { message, err };
}

export function boltLogger(logger: Logger): BoltLogger {
  let level: LogLevel = LogLevel.INFO;
  let log = logger.child({ component: "slack-bolt" });
  const write = (method: "debug" | "info" | "warn" | "error", parts: unknown[]) => {
    const { message, err } = split(parts);
    if (err === undefined) log[method](message);
    else log[method]({ err }, message);
  };
  return {
    debug: (...parts: unknown[]) => write("debug", parts),
    info: (...parts: unknown[]) => write("debug", parts),
    warn: (...parts: unknown[]) => write("warn", parts),
    error: (...parts: unknown[]) => write("error", parts),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: (name: string) => {
      log = logger.child({ component: name });
    },
  };
}
