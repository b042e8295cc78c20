/**
 * Redis for `npm start` on a fresh machine: use REDIS_URL when something answers there; otherwise, for a
 * loopback URL and a `redis-server` binary on the PATH, start a private Redis (bound to 127.0.0.1, random
 * port and password, append-only file under the data directory so queued jobs survive a restart) and stop
 * it with the server. Otherwise explain exactly how to get Redis.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { delimiter, join } from "node:path";
import { Redis } from "ioredis";
import { ConfigError } from "../../src/errors.js";
import type { Logger } from "../../src/logging/logger.js";

export interface RedisEndpoint {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

export const INSTALL_REDIS_HINT =
  "Install Redis and start again: `sudo apt-get install -y redis-server` (Debian/Ubuntu), `brew install redis` (macOS), " +
  "or point REDIS_URL at a running Redis (redis://host:6379).";

export async function redisAnswers(url: string, timeoutMs = 1_500): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  client.on("error", () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === "127.0.0.1" || host === "localhost" || host === "::1" || host === "[::1]";
}

export function findExecutable(name: string, pathVariable = process.env.PATH ?? ""): string | undefined {
  for (const directory of pathVariable.split(delimiter)) {
    if (!directory) continue;
    const candidate = join(directory, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** A Redis left running by a process that died: stop it before starting ours (same data directory). */
function stopStale(pidFile: string, logger: Logger): void {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").trim());
  if (Number.isInteger(pid) && pid > 1 && isRedisProcess(pid)) {
    try {
      process.kill(pid, "SIGTERM");
      logger.info({ pid }, "stopped a private Redis left by an earlier run");
    } catch {
      // Already gone.
    }
  }
  rmSync(pidFile, { force: true });
}

/** Only ever signal a process that is really a redis-server (pids get reused). */
function isRedisProcess(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("redis-server");
  } catch {
    return false;
  }
}

async function waitUntilAnswering(url: string, child: ChildProcess, timeoutMs: number, spawnError: () => Error | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const failed = spawnError();
    if (failed) throw new Error(`redis-server could not be started: ${failed.message}`);
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    if (await redisAnswers(url, 300)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`redis-server did not answer within ${timeoutMs} ms`);
}

export async function ensureRedis(options: { url: string; dataDir: string; logger: Logger; binary?: string }): Promise<RedisEndpoint> {
  const { url, logger } = options;
  if (await redisAnswers(url)) return { url, embedded: false, stop: async () => undefined };
  if (!isLoopback(url)) throw new ConfigError(`Redis does not answer at REDIS_URL (${new URL(url).host}). Start it, or fix REDIS_URL.`);
  const binary = options.binary ?? findExecutable("redis-server");
  if (!binary) throw new ConfigError(`Redis does not answer at ${url} and no redis-server is installed. ${INSTALL_REDIS_HINT}`);

  const directory = join(options.dataDir, "redis");
  mkdirSync(directory, { recursive: true });
  const pidFile = join(directory, "redis.pid");
  stopStale(pidFile, logger);
  const port = await freePort();
  const password = randomBytes(18).toString("base64url");
  // The password goes in a config file only we can read, not on the command line (visible in `ps`).
  const configFile = join(directory, "redis.conf");
  writeFileSync(configFile, [`bind 127.0.0.1`, `port ${port}`, `dir "${directory}"`, "appendonly yes", 'save ""', "daemonize no", `requirepass ${password}`, "logfile redis.log", ""].join("\n"), { mode: 0o600 });
  const child = spawn(binary, [configFile], { stdio: "ignore" });
  let spawnError: Error | undefined;
  child.once("error", (error) => {
    spawnError = error;
  });
  if (child.pid) writeFileSync(pidFile, String(child.pid));
  const privateUrl = `redis://:${password}@127.0.0.1:${port}`;
  try {
    await waitUntilAnswering(privateUrl, child, 10_000, () => spawnError);
  } catch (error) {
    child.kill("SIGKILL");
    throw new ConfigError(`could not start a private Redis (${(error as Error).message}; see ${join(directory, "redis.log")}). ${INSTALL_REDIS_HINT}`, { cause: error });
  }
  logger.info({ port, dir: directory }, "nothing answered at REDIS_URL: started a private Redis");

  return {
    url: privateUrl,
    embedded: true,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
      rmSync(pidFile, { force: true });
    },
  };
}
