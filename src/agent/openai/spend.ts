/**
 * What model calls cost, and the daily cap. Prices are configured per 1,000 prompt and completion tokens
 * (OPENAI_PRICE_INPUT_PER_1K / OPENAI_PRICE_OUTPUT_PER_1K); the day is the UTC calendar day. The ledger
 * is shared by every worker (Redis in production, memory for one-process tools such as `ask`).
 */
import type { ChatUsage, SpendLedger } from "../../ports/chat-model.js";

export interface ModelPrices {
  inputPer1k: number;
  outputPer1k: number;
}

export function costOf(usage: ChatUsage, prices: ModelPrices): number {
  return (usage.promptTokens / 1_000) * prices.inputPer1k + (usage.completionTokens / 1_000) * prices.outputPer1k;
}

export function addUsage(a: ChatUsage, b: ChatUsage): ChatUsage {
  return { promptTokens: a.promptTokens + b.promptTokens, completionTokens: a.completionTokens + b.completionTokens, totalTokens: a.totalTokens + b.totalTokens };
}

export const NO_USAGE: ChatUsage = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };

export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** One process's ledger: enough for the CLI and tests; the server uses the Redis ledger. */
export class InMemorySpendLedger implements SpendLedger {
  private readonly days = new Map<string, number>();

  async add(day: string, usd: number): Promise<number> {
    // Micro-dollars, like the Redis ledger, so both round the same way.
    const total = (this.days.get(day) ?? 0) + Math.max(0, Math.round(usd * 1_000_000));
    this.days.set(day, total);
    return total / 1_000_000;
  }

  async total(day: string): Promise<number> {
    return (this.days.get(day) ?? 0) / 1_000_000;
  }
}

export type BudgetStatus = { available: true; spentUsd: number } | { available: false; spentUsd: number | null; reason: "budget_exhausted" | "budget_unknown" };

/** The daily cap. Without a cap it never says no; with one, an unreadable ledger counts as spent (money first). */
export class DailyBudget {
  constructor(
    private readonly ledger: SpendLedger,
    private readonly capUsd: number | undefined,
    private readonly onTotal?: (usd: number) => void,
  ) {}

  get cap(): number | undefined {
    return this.capUsd;
  }

  async status(now: Date): Promise<BudgetStatus> {
    if (this.capUsd === undefined) return { available: true, spentUsd: 0 };
    let spent: number;
    try {
      spent = await this.ledger.total(utcDay(now));
    } catch {
      return { available: false, spentUsd: null, reason: "budget_unknown" };
    }
    this.onTotal?.(spent);
    return spent >= this.capUsd ? { available: false, spentUsd: spent, reason: "budget_exhausted" } : { available: true, spentUsd: spent };
  }

  async record(now: Date, usd: number): Promise<void> {
    if (usd <= 0) return;
    const total = await this.ledger.add(utcDay(now), usd);
    this.onTotal?.(total);
  }
}
