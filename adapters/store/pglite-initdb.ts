/**
 * First start of an embedded database: PGlite's initdb runs in WebAssembly and grows the module's linear
 * memory to about 750 MB, which a WebAssembly instance never gives back. Running initdb in a short-lived
 * worker thread and opening the finished directory afterwards leaves the serving process at the memory of
 * a warm start (about 290 MB) instead (bench/startup.bench.ts measures both).
 */
import { access } from "node:fs/promises";
import { join } from "node:path";
import { Worker } from "node:worker_threads";

/** Plain JavaScript so the worker needs no TypeScript loader; the module URL comes from the parent. */
const INITDB_WORKER_SOURCE = `
const { workerData, parentPort } = require("node:worker_threads");
import(workerData.pgliteUrl)
  .then(async ({ PGlite }) => {
    const db = await PGlite.create({ dataDir: workerData.dataDir });
    await db.close();
    parentPort.postMessage({ ok: true });
  })
  .catch((error) => parentPort.postMessage({ ok: false, message: String(error && error.stack || error) }));
`;

export async function isInitializedDataDir(dataDir: string): Promise<boolean> {
  try {
    await access(join(dataDir, "PG_VERSION"));
    return true;
  } catch {
    return false;
  }
}

/** Creates the cluster in `dataDir` (which must be locked by the caller) in a worker thread. */
export function initializeDataDirInWorker(dataDir: string): Promise<void> {
  const pgliteUrl = import.meta.resolve("@electric-sql/pglite");
  return new Promise((resolve, reject) => {
    const worker = new Worker(INITDB_WORKER_SOURCE, { eval: true, workerData: { dataDir, pgliteUrl } });
    let settled = false;
    worker.once("message", (result: { ok: boolean; message?: string }) => {
      settled = true;
      void worker.terminate();
      if (result.ok) resolve();
      else reject(new Error(`embedded database initialisation failed: ${result.message ?? "unknown error"}`));
    });
    worker.once("error", (error) => {
      settled = true;
      reject(error);
    });
    worker.once("exit", (code) => {
      if (!settled) reject(new Error(`embedded database initialisation stopped (worker exit ${code})`));
    });
  });
}
