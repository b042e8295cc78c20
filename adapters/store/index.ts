/**
 * The conversation store (DESIGN.md: adapters/store): PostgreSQL through `pg` when a database URL is
 * configured, embedded PGlite otherwise, one SQL code path for both. Factories return a `ConversationStore` whose
 * schema is applied by `migrate()`: call it once at start.
 */
import type { Logger } from "../../src/logging/logger.js";
import { createPgliteClient, type PgliteClientOptions } from "./pglite-client.js";
import { createPostgresClient, type PostgresClientOptions } from "./postgres-client.js";
import { SqlConversationStore, type SqlStoreOptions } from "./sql-store.js";

export { SqlConversationStore, type SqlStoreOptions } from "./sql-store.js";
export { createPostgresClient, type PostgresClientOptions } from "./postgres-client.js";
export { createPgliteClient, type PgliteClientOptions } from "./pglite-client.js";
export { applyMigrations, MIGRATIONS, type Migration } from "./migrations.js";
export { DatabaseError, StoreClosedError, type SqlClient, type SqlExecutor } from "./sql-client.js";

export type PostgresStoreOptions = PostgresClientOptions & Pick<SqlStoreOptions, "now">;
export type PgliteStoreOptions = PgliteClientOptions & Pick<SqlStoreOptions, "now">;

export function createPostgresStore(options: PostgresStoreOptions): SqlConversationStore {
  return new SqlConversationStore(createPostgresClient(options), storeOptions(options));
}

/** Async: PGlite boots its embedded server first (about 3-4 s cold on this machine). */
export async function createPgliteStore(options: PgliteStoreOptions): Promise<SqlConversationStore> {
  return new SqlConversationStore(await createPgliteClient(options), storeOptions(options));
}

/** The choice of DESIGN.md: PostgreSQL when `databaseUrl` is set, else PGlite in `pgliteDataDir`. */
export async function openConversationStore(options: {
  /** `DATABASE_URL`; unset means embedded PGlite. */
  databaseUrl?: string | undefined;
  /** Where PGlite keeps its files, e.g. `${DATA_DIR}/pglite`. */
  pgliteDataDir: string;
  poolSize?: number;
  logger?: Logger;
}): Promise<SqlConversationStore> {
  const logger = options.logger ? { logger: options.logger } : {};
  if (options.databaseUrl) {
    return createPostgresStore({
      url: options.databaseUrl,
      ...(options.poolSize !== undefined ? { poolSize: options.poolSize } : {}),
      ...logger,
    });
  }
  return createPgliteStore({ dataDir: options.pgliteDataDir, ...logger });
}

function storeOptions(options: { logger?: Logger; now?: () => Date }): SqlStoreOptions {
  return {
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.now ? { now: options.now } : {}),
  };
}
