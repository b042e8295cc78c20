/**
 * A token bucket per key, kept in Redis and updated by one Lua script, so every process shares it.
 * The script reads the clock with Redis TIME: processes on different hosts need not agree on time.
 */
import { z } from "zod";
import { ValidationError } from "../../src/errors.js";
import type { RateLimiter } from "../../src/ports/work-queue.js";
import { adapterKeys, type AdapterKeys } from "./keys.js";
import type { RedisLease } from "./redis-connection.js";

/**
 * KEYS[1] the bucket (hash: tokens, at); ARGV[1] tokens per second; ARGV[2] burst (capacity).
 * Returns {allowed 0/1, retryAfterMs}. A bucket left alone long enough to be full again expires.
 */
const TAKE_TOKEN = `
local rate = tonumber(ARGV[1]) / 1000
local burst = tonumber(ARGV[2])
local time = redis.call("TIME")
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local state = redis.call("HMGET", KEYS[1], "tokens", "at")
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = burst
  at = now
end
if tokens > burst then tokens = burst end
if now > at then
  tokens = math.min(burst, tokens + (now - at) * rate)
  at = now
end
local allowed = 0
local retry = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  retry = math.ceil((1 - tokens) / rate)
end
redis.call("HSET", KEYS[1], "tokens", tostring(tokens), "at", tostring(at))
redis.call("PEXPIRE", KEYS[1], math.ceil(burst / rate) + 1000)
return {allowed, retry}
`;

const LimitSchema = z.object({
  perSecond: z.number().positive().max(1_000_000),
  burst: z.number().int().min(1).max(1_000_000).optional(),
});
const KeySchema = z.string().min(1).max(1_000);

export class RedisRateLimiter implements RateLimiter {
  private readonly keys: AdapterKeys;

  constructor(
    private readonly lease: RedisLease,
    prefix: string,
  ) {
    this.keys = adapterKeys(prefix);
  }

  /** Default burst: one second's worth of tokens (at least one). */
  async take(key: string, limit: { perSecond: number; burst?: number }): Promise<{ allowed: boolean; retryAfterMs: number }> {
    const parsedKey = KeySchema.safeParse(key);
    if (!parsedKey.success) throw new ValidationError("a rate-limit key must be 1-1000 characters");
    const parsedLimit = LimitSchema.safeParse(limit);
    if (!parsedLimit.success) {
      throw new ValidationError(`invalid rate limit: ${parsedLimit.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")}`);
    }
    const { perSecond } = parsedLimit.data;
    const burst = parsedLimit.data.burst ?? Math.max(1, Math.ceil(perSecond));
    const reply = await this.lease.client.eval(TAKE_TOKEN, 1, this.keys.rateBucket(parsedKey.data), String(perSecond), String(burst));
    if (!Array.isArray(reply) || typeof reply[0] !== "number" || typeof reply[1] !== "number") {
      throw new TypeError(`unexpected rate limiter reply: ${JSON.stringify(reply)}`);
    }
    return { allowed: reply[0] === 1, retryAfterMs: reply[1] };
  }

  async close(): Promise<void> {
    await this.lease.release();
  }
}
