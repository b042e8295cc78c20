/**
 * Structured logs (pino) that never carry secrets or personal data: every string in a log line's object
 * and message goes through `maskDeep` / `maskSensitiveText`, and secret-looking keys are replaced whole.
 */
import { pino, type DestinationStream, type Logger, type LoggerOptions } from "pino";
import { maskDeep, maskSensitiveText } from "../privacy/mask.js";

export type { Logger } from "pino";

export function createLogger(options: { level?: string; name?: string } = {}, destination?: DestinationStream): Logger {
  const config: LoggerOptions = {
    level: options.level ?? "info",
    ...(options.name ? { name: options.name } : {}),
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      log: (object) => maskDeep(object) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        const masked = args.map((arg: unknown) => (typeof arg === "string" ? maskSensitiveText(arg) : arg));
        return method.apply(this, masked as Parameters<typeof method>);
      },
    },
    serializers: { err: (error: unknown) => maskDeep(error) },
  };
  return destination ? pino(config, destination) : pino(config);
}

/** A logger for tests and tools that must stay quiet. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
