/**
 * A circuit breaker for the model provider. Closed: requests go through and consecutive failures are
 * counted. After `failureThreshold` of them it opens: requests fail at once (the engine falls back
 * without making a customer wait for timeouts). After `cooldownMs` one probe is let through (half-open):
 * its success closes the breaker, its failure opens it again for another cool-down.
 * Per process: each worker learns about an outage from its own requests, within a few of them.
 */
export type BreakerState = "closed" | "open" | "half_open";

export interface CircuitBreakerOptions {
  failureThreshold: number;
  cooldownMs: number;
  /** Milliseconds; injected for tests. */
  clock?: () => number;
  onStateChange?: (state: BreakerState, previous: BreakerState) => void;
}

export class CircuitBreaker {
  private current: BreakerState = "closed";
  private consecutiveFailures = 0;
  private openedAt = 0;
  private probeInFlight = false;
  private readonly clock: () => number;

  constructor(private readonly options: CircuitBreakerOptions) {
    if (!Number.isInteger(options.failureThreshold) || options.failureThreshold < 1) throw new RangeError("failureThreshold must be a positive integer");
    if (!(options.cooldownMs > 0)) throw new RangeError("cooldownMs must be positive");
    this.clock = options.clock ?? (() => Date.now());
  }

  /** The state as a caller would see it now (an expired cool-down reads as half-open). */
  get state(): BreakerState {
    if (this.current === "open" && this.clock() - this.openedAt >= this.options.cooldownMs) return "half_open";
    return this.current;
  }

  get failures(): number {
    return this.consecutiveFailures;
  }

  /** May a request go out now? In half-open, only one probe at a time. */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === "closed") return true;
    if (state === "open") return false;
    if (this.current === "open") this.move("half_open");
    if (this.probeInFlight) return false;
    this.probeInFlight = true;
    return true;
  }

  recordSuccess(): void {
    this.probeInFlight = false;
    this.consecutiveFailures = 0;
    if (this.current !== "closed") this.move("closed");
  }

  recordFailure(): void {
    this.probeInFlight = false;
    this.consecutiveFailures += 1;
    if (this.current === "half_open" || (this.current === "closed" && this.consecutiveFailures >= this.options.failureThreshold)) {
      this.openedAt = this.clock();
      this.move("open");
    }
  }

  /** A request that was let through ended without telling us anything about the provider. */
  release(): void {
    this.probeInFlight = false;
  }

  private move(next: BreakerState): void {
    const previous = this.current;
    this.current = next;
    if (previous !== next) this.options.onStateChange?.(next, previous);
  }
}
