/**
 * The `ConversationStore` contract: every engine (PostgreSQL, PGlite) passes the same suite.
 * Call it from a test file with a function that opens a migrated store for that engine.
 */
import { afterAll, beforeAll, beforeEach, describe } from "vitest";
import { inboundContract } from "./contract-inbound.js";
import { messagesContract } from "./contract-messages.js";
import { ownershipContract } from "./contract-ownership.js";
import { turnsContract } from "./contract-turns.js";
import type { StoreHarness } from "./harness.js";

export function describeConversationStoreContract(engine: string, open: () => Promise<StoreHarness>): void {
  describe(`ConversationStore contract on ${engine}`, () => {
    let harness: StoreHarness | undefined;
    const current = (): StoreHarness => {
      if (!harness) throw new Error("store harness not open");
      return harness;
    };

    beforeAll(async () => {
      harness = await open();
    });
    beforeEach(async () => {
      await current().reset();
    });
    afterAll(async () => {
      await harness?.close();
    });

    inboundContract(current);
    ownershipContract(current);
    turnsContract(current);
    messagesContract(current);
  });
}
