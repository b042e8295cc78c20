/**
 * recordInbound throughput of the conversation store on PostgreSQL vs embedded PGlite.
 *
 *   npx tsx bench/store.bench.ts [--messages 2000] [--runs 5] [--concurrency 16]
 *
 * Two workloads per engine, each run on emptied tables, median of the runs reported:
 * - spread: messages over 200 conversations (the normal case: contention only per conversation);
 * - hot: every message to one conversation (worst case: all writers queue on one row lock).
 * PostgreSQL uses a scratch database on TEST_DATABASE_URL; PGlite runs in memory.
 */
import { parseArgs } from "node:util";
import {
  createPgliteClient,
  createPostgresClient,
  SqlConversationStore,
  type SqlClient,
} from "../adapters/store/index.js";
import type { InboundMessage } from "../src/domain/model.js";
import { createScratchDatabase } from "../test/support/postgres.js";

const { values } = parseArgs({
  options: {
    messages: { type: "string", default: "2000" },
    runs: { type: "string", default: "5" },
    concurrency: { type: "string", default: "16" },
  },
});
const MESSAGES = Number(values.messages);
const RUNS = Number(values.runs);
const CONCURRENCY = Number(values.concurrency);

function median(numbers: number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function message(run: number, index: number, conversations: number): InboundMessage {
  return {
    channelId: "bench",
    channelMessageId: `r${run}-m${index}`,
    customerAddress: `visitor-${index % conversations}`,
    text: "Hi, when is my next payment due?",
    attachments: [],
    receivedAt: new Date(),
    meta: {},
  };
}

/** Messages per second for one run: CONCURRENCY callers pulling from one shared list. */
async function measure(store: SqlConversationStore, run: number, conversations: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < MESSAGES) {
        const index = next++;
        await store.recordInbound(message(run, index, conversations));
      }
    }),
  );
  return MESSAGES / ((performance.now() - started) / 1_000);
}

async function benchEngine(name: string, client: SqlClient): Promise<Record<string, number | string>> {
  const store = new SqlConversationStore(client);
  await store.migrate();
  const result: Record<string, number | string> = { engine: name };
  for (const [workload, conversations] of [["spread", 200], ["hot", 1]] as const) {
    const rates: number[] = [];
    // Run 0 warms up (JIT, plan cache, PGlite's first pages) and is not counted.
    for (let run = 0; run <= RUNS; run += 1) {
      await client.query("TRUNCATE conversation_events, messages, conversations, contacts");
      const rate = await measure(store, run, conversations);
      if (run > 0) rates.push(rate);
    }
    result[`${workload}_msgs_per_s_median`] = Math.round(median(rates));
    result[`${workload}_runs`] = rates.map((rate) => Math.round(rate)).join(",");
  }
  await store.close();
  return result;
}

const database = await createScratchDatabase();
try {
  const rows = [
    await benchEngine("postgres", createPostgresClient({ url: database.url, poolSize: 10 })),
    await benchEngine("pglite", await createPgliteClient({ inMemory: true })),
  ];
  console.log(JSON.stringify({ messages: MESSAGES, runs: RUNS, concurrency: CONCURRENCY, results: rows }, null, 2));
} finally {
  await database.drop();
}
