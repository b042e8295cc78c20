/**
 * "Do this once" across processes: the first SET NX of a key wins until the key expires. Replayed
 * webhooks and provider retries that arrive while the key lives are recognised and skipped.
 */
import { z } from "zod";
import { ValidationError } from "../../src/errors.js";
import type { OnceGuard } from "../../src/ports/work-queue.js";
import { adapterKeys, type AdapterKeys } from "./keys.js";
import type { RedisLease } from "./redis-connection.js";

const KeySchema = z.string().min(1).max(1_000);
const TtlSchema = z.number().int().min(1).max(365 * 24 * 3_600_000);

function checkKey(key: string, ttlMs?: number): void {
  if (!KeySchema.safeParse(key).success) throw new ValidationError("a once-guard key must be 1-1000 characters");
  if (ttlMs !== undefined && !TtlSchema.safeParse(ttlMs).success) throw new ValidationError("a once-guard ttlMs must be a whole number of milliseconds from 1 to one year");
}

export class RedisOnceGuard implements OnceGuard {
  private readonly keys: AdapterKeys;

  constructor(
    private readonly lease: RedisLease,
    prefix: string,
  ) {
    this.keys = adapterKeys(prefix);
  }

  async firstTime(key: string, ttlMs: number): Promise<boolean> {
    checkKey(key, ttlMs);
    const answer = await this.lease.client.set(this.keys.once(key), "1", "PX", ttlMs, "NX");
    return answer === "OK";
  }

  async seen(key: string): Promise<boolean> {
    checkKey(key);
    return (await this.lease.client.exists(this.keys.once(key))) === 1;
  }

  async remember(key: string, ttlMs: number): Promise<void> {
    checkKey(key, ttlMs);
    await this.lease.client.set(this.keys.once(key), "1", "PX", ttlMs);
  }

  async close(): Promise<void> {
    await this.lease.release();
  }
}
