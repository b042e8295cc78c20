/**
 * A second process for the rate limiter suite: takes TAKE tokens from KEY under QUEUE_PREFIX and prints
 * each answer as a JSON line, then "ready".
 */
import { createRedisRateLimiter } from "../../../adapters/queue/index.js";
import { silentLogger } from "../../../src/logging/logger.js";

const limiter = createRedisRateLimiter({
  redisUrl: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  prefix: process.env.QUEUE_PREFIX ?? "",
  logger: silentLogger(),
});
const limit = JSON.parse(process.env.LIMIT ?? "{}") as { perSecond: number; burst?: number };
for (let index = 0; index < Number(process.env.TAKE ?? 1); index += 1) {
  process.stdout.write(`${JSON.stringify(await limiter.take(process.env.KEY ?? "", limit))}\n`);
}
await limiter.close();
process.stdout.write("ready\n");
