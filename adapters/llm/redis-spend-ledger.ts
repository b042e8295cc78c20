/**
 * The daily model spend shared by every worker process: one Redis counter per UTC day, in micro-dollars
 * (integers: INCRBY is exact and atomic, so two workers adding at once never lose a cent). Keys expire a
 * few days after their day, so the ledger never grows.
 */
import { Redis } from "ioredis";
import { ConfigError, UpstreamError, errorMessage } from "../../src/errors.js";
import type { Logger } from "../../src/logging/logger.js";
import type { SpendLedger } from "../../src/ports/chat-model.js";

const MICRO = 1_000_000;
const KEEP_SECONDS = 3 * 24 * 3_600;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export interface RedisSpendLedgerOptions {
  /** Either a URL (the ledger owns and closes its connection) or a client (the caller's). */
  redisUrl?: string;
  connection?: Redis;
  /** Key prefix (QUEUE_PREFIX), so deployments sharing a Redis keep separate budgets. */
  prefix: string;
  logger?: Logger;
}

export class RedisSpendLedger implements SpendLedger {
  private readonly client: Redis;
  private readonly owned: boolean;

  constructor(private readonly options: RedisSpendLedgerOptions) {
    if (!options.connection && !options.redisUrl) throw new ConfigError("The spend ledger needs redisUrl or connection.");
    this.owned = !options.connection;
    this.client = options.connection ?? new Redis(options.redisUrl as string, { maxRetriesPerRequest: 2, connectionName: "llm-spend" });
    if (this.owned) {
      this.client.on("error", (error: Error) => options.logger?.debug({ err: error }, "spend ledger redis error"));
    }
  }

  private key(day: string): string {
    if (!DAY.test(day)) throw new ConfigError(`spend ledger: "${day}" is not a YYYY-MM-DD day`);
    return `${this.options.prefix}:llm:spend:${day}`;
  }

  async add(day: string, usd: number): Promise<number> {
    const micro = Math.max(0, Math.round(usd * MICRO));
    const key = this.key(day);
    try {
      const results = await this.client.multi().incrby(key, micro).expire(key, KEEP_SECONDS).exec();
      const total = Number(results?.[0]?.[1] ?? 0);
      return total / MICRO;
    } catch (error) {
      throw new UpstreamError("redis", `cannot record model spend: ${errorMessage(error)}`, { cause: error });
    }
  }

  async total(day: string): Promise<number> {
    try {
      const value = await this.client.get(this.key(day));
      return value === null ? 0 : Number(value) / MICRO;
    } catch (error) {
      throw new UpstreamError("redis", `cannot read model spend: ${errorMessage(error)}`, { cause: error });
    }
  }

  async close(): Promise<void> {
    if (!this.owned) return;
    if (this.client.status !== "ready") {
      this.client.disconnect();
      return;
    }
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
