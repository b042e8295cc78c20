/**
 * `npm start` on a machine where nothing answers at REDIS_URL: a private Redis is started from the
 * installed redis-server, keeps its data under the data directory (so queued jobs survive a restart),
 * is stopped with the server; otherwise start-up stops with the command to install Redis.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { ensureRedis, findExecutable, redisAnswers } from "../../adapters/queue/embedded-redis.js";
import { ConfigError } from "../../src/errors.js";
import { silentLogger } from "../../src/logging/logger.js";
import { TEST_REDIS_URL } from "../support/services.js";

const dataDir = mkdtempSync(join(tmpdir(), "sb-redis-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function unusedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function withClient<T>(url: string, use: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    return await use(client);
  } finally {
    client.disconnect();
  }
}

describe("the private Redis", () => {
  it("uses REDIS_URL as it is when something answers there", async () => {
    const endpoint = await ensureRedis({ url: TEST_REDIS_URL, dataDir, logger: silentLogger() });
    expect(endpoint).toMatchObject({ url: TEST_REDIS_URL, embedded: false });
    await endpoint.stop();
    expect(await redisAnswers(TEST_REDIS_URL)).toBe(true);
  });

  it("starts one when nothing answers on loopback, keeps its data across restarts, and stops it", async () => {
    const url = `redis://127.0.0.1:${await unusedPort()}`;
    const first = await ensureRedis({ url, dataDir, logger: silentLogger() });
    expect(first.embedded).toBe(true);
    expect(first.url).not.toBe(url);
    await withClient(first.url, (client) => client.set("survives", "a restart"));
    // The password is in an owner-only file, never on the command line.
    const conf = join(dataDir, "redis", "redis.conf");
    expect(statSync(conf).mode & 0o077).toBe(0);
    expect(execFileSync("ps", ["-eo", "args"]).toString()).not.toContain(new URL(first.url).password);
    await first.stop();
    expect(await redisAnswers(first.url, 500)).toBe(false);

    const second = await ensureRedis({ url, dataDir, logger: silentLogger() });
    expect(await withClient(second.url, (client) => client.get("survives"))).toBe("a restart");
    await second.stop();
    expect(readFileSync(conf, "utf8")).toContain("appendonly yes");
  });

  it("refuses a remote URL that does not answer, and explains how to get Redis when none is installed", async () => {
    await expect(ensureRedis({ url: "redis://192.0.2.1:6379", dataDir, logger: silentLogger() })).rejects.toThrow(/Redis does not answer at REDIS_URL/);
    const url = `redis://127.0.0.1:${await unusedPort()}`;
    const missing = ensureRedis({ url, dataDir, logger: silentLogger(), binary: findExecutable("redis-server", "/nonexistent") ?? "/nonexistent/redis-server" });
    await expect(missing).rejects.toBeInstanceOf(ConfigError);
    await expect(missing).rejects.toThrow(/apt-get install -y redis-server/);
  });
});
