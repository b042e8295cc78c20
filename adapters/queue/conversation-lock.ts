/**
 * The per-conversation lock that keeps two turn handlers off one conversation, across every worker and
 * process: SET NX PX with a random token, renewed while the handler runs, released only by its holder
 * (compare-and-delete in Lua). A crashed holder's lock simply expires after its TTL.
 */
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { Logger } from "../../src/logging/logger.js";
import type { AdapterKeys } from "./keys.js";

const RENEW_IF_HELD = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) else return 0 end`;
const DELETE_IF_HELD = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end`;

export interface HeldConversationLock {
  /** Became true when a renewal found the lock gone or taken (the handler outlived the TTL). */
  readonly lost: boolean;
  /** Stops renewing and deletes the lock if still ours; never throws (an unreleased lock expires). */
  release(): Promise<void>;
}

export class ConversationLock {
  constructor(
    private readonly redis: Redis,
    private readonly keys: AdapterKeys,
    private readonly ttlMs: number,
    private readonly logger: Logger,
  ) {}

  /** The lock, or undefined when another handler holds this conversation. */
  async tryAcquire(conversationId: string): Promise<HeldConversationLock | undefined> {
    const key = this.keys.turnLock(conversationId);
    const token = randomUUID();
    const answer = await this.redis.set(key, token, "PX", this.ttlMs, "NX");
    if (answer !== "OK") return undefined;
    return this.holding(key, token, conversationId);
  }

  private holding(key: string, token: string, conversationId: string): HeldConversationLock {
    const { redis, ttlMs, logger } = this;
    let lost = false;
    let renewing: Promise<unknown> = Promise.resolve();
    const renew = async () => {
      try {
        const renewed = await redis.eval(RENEW_IF_HELD, 1, key, token, ttlMs);
        if (renewed !== 1 && !lost) {
          lost = true;
          clearInterval(timer);
          // Someone else may now run this conversation: loud, because exclusion is the point of the lock.
          logger.error({ conversationId }, "turn lock lost while the handler was still running (handler outlived the lock TTL)");
        }
      } catch (error) {
        logger.warn({ err: error, conversationId }, "turn lock renewal failed; retrying at the next interval");
      }
    };
    const timer = setInterval(() => {
      renewing = renew();
    }, Math.max(100, Math.floor(ttlMs / 3)));
    timer.unref();
    return {
      get lost() {
        return lost;
      },
      release: async () => {
        clearInterval(timer);
        await renewing;
        if (lost) return;
        try {
          await redis.eval(DELETE_IF_HELD, 1, key, token);
        } catch (error) {
          logger.warn({ err: error, conversationId }, "turn lock release failed; it expires on its own");
        }
      },
    };
  }
}
