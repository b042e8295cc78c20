/**
 * `SqlClient` over a `pg` pool. Transactions check a connection out of the pool, so concurrent calls
 * really run side by side and meet in PostgreSQL's row locks, as they do across processes.
 */
import pg from "pg";
import type { Logger } from "../../src/logging/logger.js";
import {
  SqlState,
  StoreClosedError,
  isSqlState,
  toDatabaseError,
  type SqlClient,
  type SqlExecutor,
  type SqlParam,
  type SqlResult,
} from "./sql-client.js";

export interface PostgresClientOptions {
  /** `postgres://user:pass@host:port/db`. */
  url: string;
  /** Connections in the pool (default 10). */
  poolSize?: number;
  /** Give up waiting for a free connection after this long (default 10 s). */
  connectionTimeoutMs?: number;
  /** Server-side limit per statement (default none). */
  statementTimeoutMs?: number;
  /** How often a transaction that lost a deadlock or serialization race is run again (default 3). */
  maxTransactionAttempts?: number;
  logger?: Logger;
}

const RETRYABLE = [SqlState.deadlockDetected, SqlState.serializationFailure];

export function createPostgresClient(options: PostgresClientOptions): SqlClient {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
    idleTimeoutMillis: 30_000,
    application_name: "switchboard",
    ...(options.statementTimeoutMs !== undefined ? { statement_timeout: options.statementTimeoutMs } : {}),
  });
  // An idle client losing its server connection emits here; unhandled it would end the process.
  pool.on("error", (error) => {
    options.logger?.warn({ err: toDatabaseError(error) }, "postgres: idle connection failed");
  });
  const maxAttempts = Math.max(1, options.maxTransactionAttempts ?? 3);
  let closed = false;

  const run = async <Row>(
    executor: pg.Pool | pg.PoolClient,
    text: string,
    params: readonly SqlParam[] | undefined,
  ): Promise<SqlResult<Row>> => {
    try {
      const result = await executor.query(text, params as SqlParam[] | undefined);
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
    } catch (error) {
      throw toDatabaseError(error);
    }
  };

  const transactionOnce = async <T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> => {
    const connection = await pool.connect().catch((error: unknown) => {
      throw toDatabaseError(error);
    });
    let broken: Error | undefined;
    try {
      await run(connection, "BEGIN", undefined);
      const result = await work({ query: (text, params) => run(connection, text, params) });
      await run(connection, "COMMIT", undefined);
      return result;
    } catch (error) {
      try {
        await connection.query("ROLLBACK");
      } catch (rollbackError) {
        // A connection that cannot roll back is not fit for the pool any more.
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
      throw error;
    } finally {
      connection.release(broken);
    }
  };

  return {
    engine: "postgres",
    async query<Row>(text: string, params?: readonly SqlParam[]) {
      if (closed) throw new StoreClosedError();
      return run<Row>(pool, text, params);
    },
    async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      for (let attempt = 1; ; attempt += 1) {
        if (closed) throw new StoreClosedError();
        try {
          return await transactionOnce(work);
        } catch (error) {
          if (attempt >= maxAttempts || !RETRYABLE.some((state) => isSqlState(error, state))) throw error;
          options.logger?.debug({ attempt }, "postgres: transaction lost a lock race, running it again");
        }
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
