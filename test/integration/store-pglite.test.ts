/**
 * The store contract on embedded PGlite (one instance for the file: about 4 s and 800 MB each), plus
 * what only an on-disk PGlite can show: data survives a close and a re-open.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createPgliteClient, createPgliteStore, StoreClosedError } from "../../adapters/store/index.js";
import { ConfigError } from "../../src/errors.js";
import { describeConversationStoreContract } from "./store/contract.js";
import { inbound, openHarness } from "./store/harness.js";

const dataDir = await mkdtemp(join(tmpdir(), "switchboard-pglite-"));

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
  await rm(`${dataDir}.lock`, { force: true });
});

describeConversationStoreContract("PGlite", async () => openHarness(await createPgliteClient({ dataDir })));

describe("PGlite on disk", () => {
  it("keeps conversations across close and re-open, refuses a second opener and calls once closed", async () => {
    // Runs after the contract closed its instance on the same directory.
    const store = await createPgliteStore({ dataDir });
    await store.migrate();
    const { conversation, message } = await store.recordInbound(inbound("visitor-persist"));
    // PGlite serves one process: a second open of the same directory is refused, not allowed to corrupt it.
    await expect(createPgliteStore({ dataDir })).rejects.toBeInstanceOf(ConfigError);
    await store.close();
    await expect(store.ping()).rejects.toBeInstanceOf(StoreClosedError);
    await store.close();

    const reopened = await createPgliteStore({ dataDir });
    try {
      await reopened.migrate();
      expect(await reopened.getConversation(conversation.id)).toEqual(conversation);
      expect((await reopened.listMessages(conversation.id)).map((stored) => stored.id)).toEqual([message.id]);
    } finally {
      await reopened.close();
    }
  });
});
