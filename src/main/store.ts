/** Part of the composition root (with src/main.ts): the configured conversation store. */
import { join, resolve } from "node:path";
import { openConversationStore } from "../../adapters/store/index.js";
import type { Env } from "../config/env.js";
import type { Logger } from "../logging/logger.js";
import type { ConversationStore } from "../ports/conversation-store.js";

/** The store of DATABASE_URL, or PGlite under DATA_DIR (not migrated). */
export function openConfiguredStore(env: Env, logger: Logger): Promise<ConversationStore> {
  return openConversationStore({ databaseUrl: env.DATABASE_URL, pgliteDataDir: join(resolve(env.DATA_DIR), "pglite"), poolSize: env.DATABASE_POOL_SIZE, logger });
}

/** The configured conversation store (DATABASE_URL, or PGlite under DATA_DIR), migrated: for CLI commands such as `qa review`. */
export async function openStoreFromEnv(env: Env, logger: Logger): Promise<ConversationStore> {
  const store = await openConfiguredStore(env, logger);
  await store.migrate().catch(async (error: unknown) => {
    await store.close();
    throw error;
  });
  return store;
}
