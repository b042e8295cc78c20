import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { lockDataDir } from "../../adapters/store/data-dir-lock.js";
import { ConfigError } from "../../src/errors.js";

describe("PGlite data directory lock", () => {
  let root: string;
  let dataDir: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "sb-lock-"));
    dataDir = join(root, "pglite");
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("is held by this process until released", async () => {
    const lock = await lockDataDir(dataDir);
    expect(await readFile(`${dataDir}.lock`, "utf8")).toBe(String(process.pid));
    await expect(lockDataDir(dataDir)).rejects.toThrow(/already open in this process/);
    await lock.release();
    await expect(stat(`${dataDir}.lock`)).rejects.toThrow();
    await (await lockDataDir(dataDir)).release();
  });

  it("refuses a directory another live process holds, naming DATABASE_URL as the way out", async () => {
    await writeFile(`${dataDir}.lock`, String(process.ppid));
    const attempt = lockDataDir(dataDir);
    await expect(attempt).rejects.toBeInstanceOf(ConfigError);
    await expect(attempt).rejects.toThrow(/in use by process .*DATABASE_URL/);
  });

  it("takes over a lock left by a process that is gone", async () => {
    await writeFile(`${dataDir}.lock`, "2147483646");
    const lock = await lockDataDir(dataDir);
    expect(await readFile(`${dataDir}.lock`, "utf8")).toBe(String(process.pid));
    await lock.release();
  });
});
