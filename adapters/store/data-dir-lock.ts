/**
 * PGlite has no postmaster guarding its data directory: two processes opening the same one would both
 * write to it and corrupt it. A lock file beside the directory (`<dataDir>.lock`, holding the pid) makes
 * the second process stop with a clear message instead. A lock left by a process that is gone is taken over.
 */
import { open, readFile, rm } from "node:fs/promises";
import { ConfigError } from "../../src/errors.js";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export interface DataDirLock {
  release(): Promise<void>;
}

export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const path = `${dataDir}.lock`;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const handle = await open(path, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
      return { release: () => rm(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number((await readFile(path, "utf8").catch(() => "")).trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
        throw new ConfigError(
          `the embedded database ${dataDir} is in use by process ${holder}; PGlite serves one process only. ` +
            "Stop that process, or set DATABASE_URL to use PostgreSQL for several processes.",
        );
      }
      if (holder === process.pid) {
        throw new ConfigError(`the embedded database ${dataDir} is already open in this process`);
      }
      // The holder is gone (crash, kill -9): take the lock over.
      await rm(path, { force: true });
    }
  }
  throw new ConfigError(`could not lock the embedded database ${dataDir}`);
}
