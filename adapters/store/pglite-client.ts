/**
 * `SqlClient` over embedded PGlite (PostgreSQL 18 in WebAssembly). PGlite is one single-user backend:
 * a statement issued while another caller's transaction is open would run inside that transaction. An
 * in-process mutex therefore serializes every statement and transaction, which gives concurrent callers
 * the same isolation PostgreSQL's row locks give them. One process only: a lock file beside the data
 * directory (data-dir-lock.ts) stops a second process from opening it.
 */
import { mkdir } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import type { Logger } from "../../src/logging/logger.js";
import { lockDataDir, type DataDirLock } from "./data-dir-lock.js";
import { AsyncMutex } from "./mutex.js";
import { initializeDataDirInWorker, isInitializedDataDir } from "./pglite-initdb.js";
import {
  StoreClosedError,
  toDatabaseError,
  type SqlClient,
  type SqlExecutor,
  type SqlParam,
  type SqlResult,
} from "./sql-client.js";

export type PgliteClientOptions =
  | { /** Directory of the database files, created when missing (e.g. `.data/pglite`). */ dataDir: string; logger?: Logger }
  | { /** Nothing on disk: gone when closed (tests, tools). */ inMemory: true; logger?: Logger };

interface PgliteQueryable {
  query<Row>(text: string, params?: unknown[]): Promise<{ rows: Row[]; affectedRows?: number; rowCount?: number }>;
}

async function run<Row>(
  target: PgliteQueryable,
  text: string,
  params: readonly SqlParam[] | undefined,
): Promise<SqlResult<Row>> {
  try {
    const result = await target.query<Row>(text, params ? [...params] : undefined);
    return { rows: result.rows, rowCount: result.rowCount ?? result.affectedRows ?? result.rows.length };
  } catch (error) {
    throw toDatabaseError(error);
  }
}

export async function createPgliteClient(options: PgliteClientOptions): Promise<SqlClient> {
  const started = Date.now();
  let db: PGlite;
  let lock: DataDirLock | undefined;
  if ("dataDir" in options) {
    await mkdir(options.dataDir, { recursive: true });
    lock = await lockDataDir(options.dataDir);
    try {
      if (!(await isInitializedDataDir(options.dataDir))) await initializeDataDirInWorker(options.dataDir);
      db = await PGlite.create({ dataDir: options.dataDir });
    } catch (error) {
      await lock.release();
      throw error;
    }
  } else {
    db = await PGlite.create();
  }
  options.logger?.info(
    { ms: Date.now() - started, inMemory: !("dataDir" in options) },
    "pglite: embedded database ready",
  );
  const mutex = new AsyncMutex();
  let closed = false;

  const exclusive = <T>(work: () => Promise<T>): Promise<T> =>
    mutex.runExclusive(async () => {
      if (closed) throw new StoreClosedError();
      return work();
    });

  return {
    engine: "pglite",
    query<Row>(text: string, params?: readonly SqlParam[]) {
      return exclusive(() => run<Row>(db, text, params));
    },
    transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      return exclusive(async () => {
        try {
          return await db.transaction((tx) => work({ query: (text, params) => run(tx, text, params) }));
        } catch (error) {
          throw toDatabaseError(error);
        }
      });
    },
    async close() {
      // Waits for the statement or transaction in flight, then refuses everything queued after it.
      await mutex.runExclusive(async () => {
        if (closed) return;
        closed = true;
        try {
          await db.close();
        } finally {
          await lock?.release();
        }
      });
    },
  };
}
