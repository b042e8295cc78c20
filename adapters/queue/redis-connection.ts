/**
 * Redis connections for the queue adapter. BullMQ in ESM cannot load ioredis itself, so every
 * connection is an ioredis client built here (or handed in). A connection the adapter created is closed
 * by the adapter; one handed in belongs to the caller and is never closed here.
 */
import { Redis } from "ioredis";
import { ConfigError, UpstreamError } from "../../src/errors.js";
import type { Logger } from "../../src/logging/logger.js";
import type { RedisSource } from "./options.js";

export interface RedisLease {
  readonly client: Redis;
  /** Quits the connection when the adapter created it; does nothing for a caller's client. */
  release(): Promise<void>;
  /** Like release, without waiting for pending replies (shutdown after a drain timeout). */
  abandon(): void;
}

export function leaseRedis(source: RedisSource, purpose: string, logger: Logger): RedisLease {
  if (source.connection && source.redisUrl) {
    throw new ConfigError("Pass either redisUrl or connection to the queue adapter, not both.");
  }
  if (source.connection) {
    assertBlockingSafe(source.connection);
    return { client: source.connection, release: async () => {}, abandon: () => {} };
  }
  if (!source.redisUrl) throw new ConfigError("The queue adapter needs redisUrl (e.g. redis://127.0.0.1:6379) or a connection.");
  return ownedLease(new Redis(source.redisUrl, { maxRetriesPerRequest: null, connectionName: purpose }), purpose, logger);
}

/** A second connection to the same server (a subscriber cannot send ordinary commands). */
export function leaseDuplicate(source: RedisSource, purpose: string, logger: Logger): RedisLease {
  if (source.connection) {
    assertBlockingSafe(source.connection);
    return ownedLease(source.connection.duplicate({ connectionName: purpose }), purpose, logger);
  }
  return leaseRedis(source, purpose, logger);
}

function ownedLease(client: Redis, purpose: string, logger: Logger): RedisLease {
  // Without a listener ioredis prints every reconnect failure as an unhandled error event.
  let lastLoggedAt = 0;
  client.on("error", (error: Error) => {
    const now = Date.now();
    if (now - lastLoggedAt < 5_000) return;
    lastLoggedAt = now;
    logger.warn({ err: error, connection: purpose }, "redis connection error");
  });
  let released = false;
  return {
    client,
    release: async () => {
      if (released) return;
      released = true;
      // QUIT would wait in the offline queue behind every command sent while Redis was away.
      if (client.status !== "ready") {
        client.disconnect();
        return;
      }
      try {
        await client.quit();
      } catch {
        client.disconnect();
      }
    },
    abandon: () => {
      released = true;
      client.disconnect();
    },
  };
}

function assertBlockingSafe(client: Redis): void {
  if (client.options.maxRetriesPerRequest !== null) {
    throw new ConfigError("The ioredis connection given to the queue adapter must be created with { maxRetriesPerRequest: null }.");
  }
  if (client.options.keyPrefix) {
    throw new ConfigError("The ioredis connection given to the queue adapter must not set keyPrefix; use the adapter's prefix option.");
  }
}

/** PING that gives up after `timeoutMs` (with maxRetriesPerRequest null a command waits for Redis forever). */
export async function pingWithin(client: Redis, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new UpstreamError("redis", `Redis did not answer PING within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const answer = await Promise.race([client.ping(), timeout]);
    if (answer !== "PONG") throw new UpstreamError("redis", `unexpected PING answer: ${String(answer)}`);
  } finally {
    clearTimeout(timer);
  }
}
