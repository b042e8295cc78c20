/** Small, exact statistics for the audit: shares, means, percentiles, and a counter that cannot grow without end. */

export function round(value: number, digits = 4): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** hits / total, rounded; null when there is nothing to divide by (a figure that does not exist is not 0). */
export function share(hits: number, total: number): number | null {
  return total === 0 ? null : round(hits / total);
}

export function mean(sum: number, count: number): number | null {
  return count === 0 ? null : round(sum / count, 2);
}

/** Nearest-rank percentile of an ascending array; null when empty. */
export function percentile(sorted: readonly number[], fraction: number): number | null {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return round(sorted[index] as number, 2);
}

/**
 * Counts values by key, keeping at most `limit` distinct keys: a hostile file with a new channel name on
 * every row must not grow the report or the memory; the rest is counted under `overflowKey`.
 */
export class BoundedTally {
  private readonly counts = new Map<string, number>();
  overflowed = 0;

  constructor(
    private readonly limit: number,
    readonly overflowKey = "(other)",
  ) {}

  add(key: string, amount = 1): void {
    const current = this.counts.get(key);
    if (current !== undefined) this.counts.set(key, current + amount);
    else if (this.counts.size < this.limit) this.counts.set(key, amount);
    else this.overflowed += amount;
  }

  /** Largest first, then by key, with the overflow last. */
  entries(): Array<[string, number]> {
    const sorted = [...this.counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return this.overflowed > 0 ? [...sorted, [this.overflowKey, this.overflowed]] : sorted;
  }
}
