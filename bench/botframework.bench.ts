/**
 * The Bot Framework channel's two paths, measured from the outside:
 * - inbound: `POST /api/messages/<id>` until the answer (botbuilder's turn in anonymous mode, parsing,
 *   the core's intake storing in PostgreSQL and enqueueing the turn in BullMQ; no worker runs);
 * - outbound: `send` through botbuilder's CloudAdapter (a proactive turn, the connector client) to the
 *   fake Bot Connector on loopback, the conversation reference read from the store.
 *
 *   npx tsx bench/botframework.bench.ts [--requests 1000] [--concurrency 20] [--sends 500]
 *
 * Uses Redis at TEST_REDIS_URL under a fresh prefix and a scratch PostgreSQL database (dropped afterwards).
 */
import { parseArgs } from "node:util";
import Fastify from "fastify";
import { createBullWorkQueue, createRedisBus, createRedisOnceGuard, createRedisRateLimiter } from "../adapters/queue/index.js";
import { createPostgresStore } from "../adapters/store/index.js";
import { createBotFrameworkAdapter } from "../channels/botframework/index.js";
import { silentLogger } from "../src/logging/logger.js";
import { SwitchboardMetrics } from "../src/observability/metrics.js";
import { createInboundIntake } from "../src/pipeline/intake.js";
import type { ChannelContext } from "../src/ports/channel-adapter.js";
import { startFakeBotConnector } from "../test/fakes/bot-connector.js";
import { messageActivity } from "../test/support/bot-activities.js";
import { createScratchDatabase } from "../test/support/postgres.js";
import { TEST_REDIS_URL, uniqueName } from "../test/support/services.js";

const { values } = parseArgs({ options: { requests: { type: "string", default: "1000" }, concurrency: { type: "string", default: "20" }, sends: { type: "string", default: "500" } } });
const REQUESTS = Number(values.requests);
const CONCURRENCY = Number(values.concurrency);
const SENDS = Number(values.sends);
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const summary = (latencies: number[]) => {
  const sorted = [...latencies].sort((a, b) => a - b);
  return `p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms`;
};

const database = await createScratchDatabase();
const prefix = uniqueName("sbbench");
const logger = silentLogger();
const connector = await startFakeBotConnector();
const redis = { redisUrl: TEST_REDIS_URL, prefix, logger };
const store = createPostgresStore({ url: database.url, poolSize: 4 });
await store.migrate();
const queue = createBullWorkQueue(redis);
const context: ChannelContext = {
  intake: createInboundIntake({ store, queue, metrics: new SwitchboardMetrics(), logger }),
  store, bus: createRedisBus(redis), rateLimiter: createRedisRateLimiter(redis), once: createRedisOnceGuard(redis),
  logger, publicUrl: "http://127.0.0.1", dataDir: ".data", now: () => new Date(),
};
const channel = createBotFrameworkAdapter({ id: "teams", kind: "botframework" }, { env: {}, logger });
await channel.start(context);
const server = Fastify({ bodyLimit: 1024 * 1024 });
await channel.registerRoutes(server, context);
const url = `${await server.listen({ port: 0, host: "127.0.0.1" })}/api/messages/teams`;

const post = (index: number) =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    // One conversation per 10 messages: a mix of new and existing conversations, as in real traffic.
    body: JSON.stringify(messageActivity({ serviceUrl: connector.url, conversationId: `bench-${Math.floor(index / 10)}`, userId: `user-${Math.floor(index / 10)}`, text: `message ${index}` })),
  });

for (let index = 0; index < 20; index += 1) await post(1_000_000 + index); // warm-up

const inbound: number[] = [];
let failures = 0;
let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < REQUESTS) {
      const index = next++;
      const begin = performance.now();
      const response = await post(index);
      inbound.push(performance.now() - begin);
      if (response.status !== 200) failures += 1;
    }
  }),
);
const inboundSeconds = (performance.now() - started) / 1000;
console.log(`inbound: ${REQUESTS} activities, concurrency ${CONCURRENCY}: ${(REQUESTS / inboundSeconds).toFixed(0)}/s, ${summary(inbound)}, ${failures} not 200`);

const conversations = await store.listConversations({ limit: 50 });
const outbound: number[] = [];
const sendStarted = performance.now();
for (let index = 0; index < SENDS; index += 1) {
  const conversation = conversations[index % conversations.length]!;
  const message = await store.appendOutbound({ conversationId: conversation.id, author: "ai", text: `reply ${index}` });
  const begin = performance.now();
  await channel.send({ message, conversation });
  outbound.push(performance.now() - begin);
}
const sendSeconds = (performance.now() - sendStarted) / 1000;
console.log(`outbound: ${SENDS} sends, one at a time: ${(SENDS / sendSeconds).toFixed(0)}/s, ${summary(outbound)}; the connector recorded ${connector.activities.length}`);

await server.close();
await connector.close();
await queue.close();
for (const closable of [context.bus, context.rateLimiter, context.once] as unknown as Array<{ close(): Promise<void> }>) await closable.close();
await store.close();
await database.drop();
