/**
 * The seam between the store's one SQL code path and the two engines it runs on: PostgreSQL through a
 * `pg` pool, and embedded PGlite. Everything above this file (migrations, queries) is shared; the two
 * implementations only move statements and rows.
 *
 * Conventions the shared SQL keeps so both drivers read and write the same values:
 * - one statement per `query` call (PGlite's extended protocol runs a single statement);
 * - JSON goes in as a string with an explicit `::jsonb` cast, timestamps as ISO strings with `::timestamptz`;
 * - counters are `integer` columns, so both drivers return JS numbers (pg returns `bigint` as a string).
 */
import { SwitchboardError } from "../../src/errors.js";

export type SqlParam = string | number | boolean | null;

export interface SqlResult<Row> {
  rows: Row[];
  /** Rows changed (INSERT/UPDATE/DELETE) or returned (SELECT). */
  rowCount: number;
}

/** Runs statements: the pool or PGlite outside a transaction, or the connection inside one. */
export interface SqlExecutor {
  query<Row = Record<string, unknown>>(text: string, params?: readonly SqlParam[]): Promise<SqlResult<Row>>;
}

export interface SqlClient extends SqlExecutor {
  /** `postgres` or `pglite`: for logs and for the few places where the engines differ in capability. */
  readonly engine: "postgres" | "pglite";
  /**
   * Run `work` in one READ COMMITTED transaction: committed when it resolves, rolled back when it throws
   * (the error is rethrown). Row locks taken inside hold until the end.
   */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * A database failure, carrying the SQLSTATE but not the statement's parameters: driver errors keep the
 * bound values (message texts, phone numbers), which must not travel on into logs.
 */
export class DatabaseError extends SwitchboardError {
  readonly sqlState: string | undefined;
  readonly constraint: string | undefined;

  constructor(message: string, details: { sqlState?: string; constraint?: string } = {}) {
    super(details.sqlState ? `store.sql_${details.sqlState}` : "store.database", message);
    this.sqlState = details.sqlState;
    this.constraint = details.constraint;
  }
}

/** SQLSTATEs the store reacts to. */
export const SqlState = {
  uniqueViolation: "23505",
  serializationFailure: "40001",
  deadlockDetected: "40P01",
} as const;

/** Replace a driver error by a `DatabaseError` without the bound parameters; other errors pass as they are. */
export function toDatabaseError(error: unknown): unknown {
  if (error instanceof SwitchboardError) return error;
  if (error instanceof Error && typeof (error as { code?: unknown }).code === "string") {
    const { code, constraint } = error as Error & { code: string; constraint?: unknown };
    if (/^[0-9A-Z]{5}$/.test(code)) {
      return new DatabaseError(error.message, {
        sqlState: code,
        ...(typeof constraint === "string" ? { constraint } : {}),
      });
    }
  }
  return error;
}

export function isSqlState(error: unknown, state: string): boolean {
  return error instanceof DatabaseError && error.sqlState === state;
}

/** Thrown by calls on a store whose client was closed. */
export class StoreClosedError extends SwitchboardError {
  constructor() {
    super("store.closed", "the conversation store is closed");
  }
}
