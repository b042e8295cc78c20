/**
 * Abuse control for one socket: per-session token buckets (shared by every process through the core's
 * `RateLimiter`) and a strike count. Refused and invalid frames are strikes; too many within the window
 * and the socket is closed with 1008 (policy violation), while everyone else keeps being served.
 */
import type { RateLimiter } from "../../src/ports/work-queue.js";
import type { WebchatChannelSettings } from "./config.js";

export type Bucket = "messages" | "frames";

export class SocketGuard {
  private strikes: number[] = [];

  constructor(
    private readonly rateLimiter: RateLimiter,
    private readonly limits: WebchatChannelSettings["rateLimit"],
    /** `webchat:<channelId>:<visitorId>`: the session, not the socket, so new sockets share the budget. */
    private readonly keyPrefix: string,
    private readonly now: () => Date,
    private readonly strikeWindowMs: number,
  ) {}

  /** Take a token from the bucket; `retryAfterMs` when refused. */
  async take(bucket: Bucket): Promise<{ allowed: boolean; retryAfterMs: number }> {
    return this.rateLimiter.take(`${this.keyPrefix}:${bucket}`, this.limits[bucket]);
  }

  /** Record a strike; true when the socket has now earned a close. */
  strike(): boolean {
    const at = this.now().getTime();
    this.strikes = this.strikes.filter((time) => at - time < this.strikeWindowMs);
    this.strikes.push(at);
    return this.strikes.length >= this.limits.maxStrikes;
  }
}
