/**
 * How fast `POST /slack/events` acknowledges (Slack wants an answer within 3 s): signature check,
 * once-guard (Redis), Bolt's routing and the task enqueue (BullMQ), measured from the client.
 *
 *   npx tsx bench/slack-ack.bench.ts [--requests 1000] [--concurrency 20]
 *
 * Half the requests are thread replies (Events API JSON), half are button clicks (form-encoded). No
 * worker runs: only the acknowledging path is measured. Uses Redis at TEST_REDIS_URL under a fresh
 * prefix (deleted afterwards) and a scratch PostgreSQL database (the desk needs a store to start).
 */
import { parseArgs } from "node:util";
import formbody from "@fastify/formbody";
import Fastify from "fastify";
import { Redis } from "ioredis";
import { createBullWorkQueue, createRedisOnceGuard, createRedisRateLimiter, createRedisBus } from "../adapters/queue/index.js";
import { createPostgresStore } from "../adapters/store/index.js";
import { ACTION_IDS, createSlackDesk, slackDeskConfigFrom } from "../escalation/slack/index.js";
import { silentLogger } from "../src/logging/logger.js";
import { ConversationEvents } from "../src/pipeline/conversation-events.js";
import { Handoff } from "../src/pipeline/handoff.js";
import { FakeSlackApi } from "../test/fakes/slack-api.js";
import { blockActionRequest, eventRequest } from "../test/fakes/slack-requests.js";
import { createScratchDatabase } from "../test/support/postgres.js";
import { TEST_REDIS_URL, uniqueName } from "../test/support/services.js";

const { values } = parseArgs({ options: { requests: { type: "string", default: "1000" }, concurrency: { type: "string", default: "20" } } });
const REQUESTS = Number(values.requests);
const CONCURRENCY = Number(values.concurrency);
const SECRET = "bench-signing-secret-0123456789";

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

const database = await createScratchDatabase();
const prefix = uniqueName("sbbench");
const logger = silentLogger();
const fake = await new FakeSlackApi().start();
fake.addChannel("C0BENCH", ["U0AGENT"]).addUser({ id: "U0AGENT", name: "agent", firstName: "Agent" });
const redis = { redisUrl: TEST_REDIS_URL, prefix, logger };
const store = createPostgresStore({ url: database.url, poolSize: 2 });
await store.migrate();
const queue = createBullWorkQueue(redis);
const once = createRedisOnceGuard(redis);
const rateLimiter = createRedisRateLimiter(redis);
const bus = createRedisBus(redis);
const config = slackDeskConfigFrom({ SLACK_BOT_TOKEN: fake.botToken, SLACK_SIGNING_SECRET: SECRET, SLACK_ESCALATION_CHANNEL: "C0BENCH", SLACK_API_URL: fake.apiUrl })!;
const bundle = createSlackDesk(config, { store, handoff: new Handoff({ store, queue, events: new ConversationEvents(bus, logger), now: () => new Date() }), queue, rateLimiter, once, logger, now: () => new Date() });
const server = Fastify();
await server.register(formbody);
await bundle.registerRoutes(server);
const url = `${await server.listen({ port: 0, host: "127.0.0.1" })}/slack/events`;
const post = { channel: "C0BENCH", ts: "1700000000.000100", text: "escalation", blocks: [], replyBroadcast: false, user: fake.botUserId, updates: 0 };

function request(index: number) {
  if (index % 2 === 0) {
    return eventRequest(SECRET, fake, { type: "message", channel: "C0BENCH", user: "U0AGENT", text: `reply ${index}`, ts: `1700000001.${String(index).padStart(6, "0")}`, thread_ts: post.ts });
  }
  return blockActionRequest(SECRET, fake, { user: "U0AGENT", message: post, actionId: ACTION_IDS.claim, value: "6f1c1a52-8f0e-4a39-9a55-6f0e3c1b2a10" });
}

// Warm up (Bolt's auth.test, connections, JIT).
for (let index = 0; index < 20; index += 1) await fetch(url, { method: "POST", ...(({ body, headers }) => ({ body, headers }))(request(index)) });

const latencies: number[] = [];
let next = 0;
let failures = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < REQUESTS) {
      const { body, headers } = request(1_000 + next++);
      const begin = performance.now();
      const response = await fetch(url, { method: "POST", body, headers });
      latencies.push(performance.now() - begin);
      if (response.status !== 200) failures += 1;
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
console.log(
  JSON.stringify({
    requests: REQUESTS,
    concurrency: CONCURRENCY,
    failures,
    perSecond: Math.round(REQUESTS / seconds),
    ackMs: { p50: +percentile(latencies, 50).toFixed(1), p99: +percentile(latencies, 99).toFixed(1), max: +latencies.at(-1)!.toFixed(1) },
  }),
);

await server.close();
for (const part of [queue, once, rateLimiter, bus, store]) await part.close();
await fake.stop();
await database.drop();
const cleaner = new Redis(TEST_REDIS_URL);
let cursor = "0";
do {
  const [nextCursor, keys] = await cleaner.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
  cursor = nextCursor;
  if (keys.length > 0) await cleaner.del(...keys);
} while (cursor !== "0");
await cleaner.quit();
