/**
 * Versioned schema migrations. Each version runs once per database, recorded in `schema_migrations`.
 * All pending versions apply in one transaction under a transaction-scoped advisory lock, so several
 * processes starting at once on one PostgreSQL queue behind each other and the later ones find nothing
 * left to do. Released migrations are never edited: a change is a new version.
 */
import type { Logger } from "../../src/logging/logger.js";
import type { SqlClient } from "./sql-client.js";

export interface Migration {
  version: number;
  name: string;
  /** One statement per entry: PGlite's extended protocol runs one statement per call. */
  statements: readonly string[];
}

/** Arbitrary but fixed: the key every Switchboard process locks while it migrates. */
const MIGRATION_LOCK_KEY = 7_301_845_112;

const STATES = "'ai', 'awaiting_human', 'human', 'resolved'";

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "conversations, messages, events, contacts",
    statements: [
      `CREATE TABLE conversations (
        id uuid PRIMARY KEY,
        channel_id text NOT NULL,
        customer_address text NOT NULL,
        customer_id text,
        customer_name text,
        state text NOT NULL CHECK (state IN (${STATES})),
        assignee text,
        escalation jsonb,
        category text,
        csat integer CHECK (csat BETWEEN 1 AND 5),
        context jsonb NOT NULL DEFAULT '{}'::jsonb,
        last_inbound_at timestamptz,
        processed_seq integer NOT NULL DEFAULT 0 CHECK (processed_seq >= 0),
        last_seq integer NOT NULL DEFAULT 0 CHECK (last_seq >= processed_seq),
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT conversations_address_key UNIQUE (channel_id, customer_address)
      )`,
      `CREATE INDEX conversations_updated_idx ON conversations (updated_at DESC)`,
      `CREATE INDEX conversations_state_updated_idx ON conversations (state, updated_at DESC)`,
      `CREATE TABLE messages (
        id uuid PRIMARY KEY,
        conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        channel_id text NOT NULL,
        seq integer NOT NULL CHECK (seq > 0),
        direction text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
        author text NOT NULL CHECK (author IN ('customer', 'ai', 'agent', 'system')),
        author_ref text,
        author_name text,
        text text NOT NULL,
        attachments jsonb NOT NULL DEFAULT '[]'::jsonb,
        channel_message_id text,
        status text NOT NULL CHECK (status IN ('received', 'queued', 'held', 'sent', 'delivered', 'read', 'failed')),
        error jsonb,
        decision jsonb,
        meta jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT messages_seq_key UNIQUE (conversation_id, seq),
        CONSTRAINT messages_inbound_has_channel_id CHECK (direction = 'outbound' OR channel_message_id IS NOT NULL)
      )`,
      // The dedupe key of inbound messages; outbound provider ids (Twilio SIDs) get a plain lookup index.
      `CREATE UNIQUE INDEX messages_inbound_dedupe_key ON messages (channel_id, channel_message_id)
        WHERE direction = 'inbound'`,
      `CREATE INDEX messages_outbound_provider_id_idx ON messages (channel_id, channel_message_id)
        WHERE direction = 'outbound' AND channel_message_id IS NOT NULL`,
      `CREATE INDEX messages_queued_outbound_idx ON messages (created_at, seq)
        WHERE direction = 'outbound' AND status = 'queued'`,
      `CREATE TABLE conversation_events (
        id uuid PRIMARY KEY,
        conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        position bigint GENERATED ALWAYS AS IDENTITY,
        type text NOT NULL,
        from_state text CHECK (from_state IN (${STATES})),
        to_state text CHECK (to_state IN (${STATES})),
        reason text NOT NULL,
        actor text NOT NULL,
        data jsonb NOT NULL DEFAULT '{}'::jsonb,
        at timestamptz NOT NULL
      )`,
      `CREATE INDEX conversation_events_conversation_idx ON conversation_events (conversation_id, position)`,
      `CREATE TABLE contacts (
        channel_id text NOT NULL,
        address text NOT NULL,
        opted_out boolean NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (channel_id, address)
      )`,
    ],
  },
  {
    version: 2,
    name: "conversations by desk reference",
    statements: [
      // A desk goes from its post (a Slack thread: `channel/ts`) back to the conversation on every reply.
      `CREATE INDEX conversations_desk_ref_idx ON conversations ((escalation->>'deskRef'))
        WHERE escalation IS NOT NULL`,
    ],
  },
];

/** Apply the pending migrations; returns the versions applied by this call (empty when up to date). */
export async function applyMigrations(
  client: SqlClient,
  options: { migrations?: readonly Migration[]; logger?: Logger } = {},
): Promise<number[]> {
  const migrations = [...(options.migrations ?? MIGRATIONS)].sort((a, b) => a.version - b.version);
  const applied = await client.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`,
    );
    const { rows } = await tx.query<{ version: number }>("SELECT version FROM schema_migrations");
    const done = new Set(rows.map((row) => Number(row.version)));
    const known = new Set(migrations.map((migration) => migration.version));
    const unknown = [...done].filter((version) => !known.has(version));
    if (unknown.length > 0) {
      // A newer release migrated this database; this one can still run on the columns it knows.
      options.logger?.warn({ versions: unknown }, "store: database has migrations this release does not know");
    }
    const now: number[] = [];
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      for (const statement of migration.statements) await tx.query(statement);
      await tx.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [migration.version, migration.name]);
      now.push(migration.version);
    }
    return now;
  });
  if (applied.length > 0) {
    options.logger?.info({ engine: client.engine, versions: applied }, "store: migrations applied");
  }
  return applied;
}
