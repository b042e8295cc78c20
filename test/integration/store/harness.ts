/**
 * What the store contract suite needs from each engine: a migrated store, a way to empty it between
 * tests (TRUNCATE: one PGlite instance per file, see STACK.md), and a direct SQL handle for checks the
 * port does not expose (schema_migrations).
 */
import { SqlConversationStore, type SqlClient } from "../../../adapters/store/index.js";
import type { InboundMessage } from "../../../src/domain/model.js";

export interface StoreHarness {
  store: SqlConversationStore;
  client: SqlClient;
  /** Empty every table (schema and migrations stay). */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** A strictly increasing clock: every timestamp the store writes is distinct and predictable. */
export function steppingClock(start = Date.parse("2025-03-01T09:00:00.000Z")): () => Date {
  let current = start;
  return () => new Date((current += 1_000));
}

export async function openHarness(client: SqlClient): Promise<StoreHarness> {
  const store = new SqlConversationStore(client, { now: steppingClock() });
  await store.migrate();
  return {
    store,
    client,
    async reset() {
      await client.query("TRUNCATE conversation_events, messages, conversations, contacts RESTART IDENTITY CASCADE");
    },
    close: () => store.close(),
  };
}

let counter = 0;

/** A web chat message from `address`; each call gets a fresh provider id unless one is given. */
export function inbound(address: string, overrides: Partial<InboundMessage> = {}): InboundMessage {
  counter += 1;
  return {
    channelId: "webchat",
    channelMessageId: `cm-${process.pid}-${counter}`,
    customerAddress: address,
    text: `hello ${counter}`,
    attachments: [],
    receivedAt: new Date("2025-03-01T08:00:00.000Z"),
    meta: {},
    ...overrides,
  };
}

let addresses = 0;
export function freshAddress(): string {
  addresses += 1;
  return `visitor-${addresses}`;
}

/** Fisher-Yates with a seeded generator, so a failing order can be replayed. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const copy = [...items];
  let state = seed;
  const random = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  for (let index = copy.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [copy[index], copy[other]] = [copy[other]!, copy[index]!];
  }
  return copy;
}
