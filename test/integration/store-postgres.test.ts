/**
 * The store contract on the real PostgreSQL server (a scratch database for this file), plus what only
 * several processes can show: two pools (as two processes would) migrating at once, racing for `seq`,
 * duplicates and claims on the same rows.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createPostgresClient,
  createPostgresStore,
  MIGRATIONS,
  StoreClosedError,
  type SqlConversationStore,
} from "../../adapters/store/index.js";
import { ConflictError } from "../../src/errors.js";
import { createScratchDatabase, type ScratchDatabase } from "../support/postgres.js";
import { describeConversationStoreContract } from "./store/contract.js";
import { freshAddress, inbound, openHarness } from "./store/harness.js";

let database: ScratchDatabase;

beforeAll(async () => {
  database = await createScratchDatabase();
});
afterAll(async () => {
  await database.drop();
});

describeConversationStoreContract("PostgreSQL", () => openHarness(createPostgresClient({ url: database.url, poolSize: 8 })));

describe("PostgreSQL with two pools (two processes)", () => {
  let fresh: ScratchDatabase;
  let first: SqlConversationStore;
  let second: SqlConversationStore;

  beforeAll(async () => {
    // A database of its own, so that migrating it from both pools at once is the very first touch.
    fresh = await createScratchDatabase();
    first = createPostgresStore({ url: fresh.url, poolSize: 5 });
    second = createPostgresStore({ url: fresh.url, poolSize: 5 });
    await Promise.all([first.migrate(), second.migrate(), first.migrate(), second.migrate()]);
  });
  afterAll(async () => {
    await first.close();
    await second.close();
    await fresh.drop();
  });

  it("migrated the fresh database exactly once", async () => {
    const reader = createPostgresClient({ url: fresh.url, poolSize: 1 });
    try {
      const { rows } = await reader.query<{ version: number }>("SELECT version FROM schema_migrations ORDER BY version");
      expect(rows.map((row) => row.version)).toEqual(MIGRATIONS.map((migration) => migration.version));
    } finally {
      await reader.close();
    }
  });

  it("keeps seqs 1..50 gap-free when both pools write one conversation at once", async () => {
    const address = freshAddress();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, index) => (index % 2 === 0 ? first : second).recordInbound(inbound(address))),
    );
    expect(new Set(results.map((result) => result.conversation.id)).size).toBe(1);
    expect(results.map((result) => result.message.seq).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, index) => index + 1),
    );
  });

  it("stores a message sent to both pools at once exactly once", async () => {
    const message = inbound(freshAddress());
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, index) => (index % 2 === 0 ? first : second).recordInbound(message)),
    );
    expect(results.filter((result) => !result.duplicate)).toHaveLength(1);
    expect(await first.listMessages(results[0]!.conversation.id)).toHaveLength(1);
  });

  it("lets one of two claims from different pools win, and commits a turn once", async () => {
    const { conversation } = await first.recordInbound(inbound(freshAddress()));
    await first.transition(conversation.id, { to: "awaiting_human", by: "ai", actor: "brain", reason: "dispute" });
    const claims = await Promise.allSettled(
      [first, second].map((store, index) =>
        store.transition(conversation.id, {
          to: "human",
          by: "agent",
          actor: `slack:U${index}`,
          reason: "claimed",
          assignee: `U${index}`,
          expectedState: "awaiting_human",
        }),
      ),
    );
    expect(claims.filter((claim) => claim.status === "fulfilled")).toHaveLength(1);
    const rejected = claims.find((claim) => claim.status === "rejected");
    expect(rejected?.reason).toBeInstanceOf(ConflictError);

    const turns = await Promise.all(
      [first, second].map((store) => store.commitTurn({ conversationId: conversation.id, inboundSeq: 1, replies: [] })),
    );
    expect(turns.filter((turn) => turn === null)).toHaveLength(1);
  });
});

describe("PostgreSQL store lifecycle", () => {
  it("closes its pool once and refuses calls afterwards", async () => {
    const store = createPostgresStore({ url: database.url, poolSize: 2 });
    await store.ping();
    await Promise.all([store.close(), store.close()]);
    await expect(store.ping()).rejects.toBeInstanceOf(StoreClosedError);
    await expect(store.recordInbound(inbound(freshAddress()))).rejects.toBeInstanceOf(StoreClosedError);
  });
});
