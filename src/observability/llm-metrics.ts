/**
 * Prometheus metrics of the model engine, registered on the running Switchboard's registry (the
 * composition root passes `SwitchboardMetrics.registry`) or a private one (CLI, tests): requests by
 * outcome, tokens, cost, the day's spend, fallbacks and the circuit breaker's state.
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";
/** Mirrors the breaker in src/agent/openai/circuit-breaker.ts (observability depends on nothing above it). */
type BreakerState = "closed" | "open" | "half_open";

const BREAKER_VALUE: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2 };

export class LlmMetrics {
  readonly requests: Counter<"model" | "purpose" | "outcome">;
  readonly tokens: Counter<"model" | "kind">;
  readonly costUsd: Counter<"model">;
  readonly spendTodayUsd: Gauge;
  readonly requestSeconds: Histogram<"purpose">;
  readonly fallbacks: Counter<"reason" | "to">;
  readonly breakerState: Gauge;
  readonly breakerOpened: Counter;

  constructor(readonly registry: Registry = new Registry()) {
    const registers = [registry];
    this.requests = new Counter({
      name: "switchboard_llm_requests_total",
      help: "Model requests by model, purpose (answer, summary, kb_build, qa_review) and outcome (ok or the failure kind)",
      labelNames: ["model", "purpose", "outcome"] as const,
      registers,
    });
    this.tokens = new Counter({
      name: "switchboard_llm_tokens_total",
      help: "Tokens billed by the model provider, by model and kind (prompt, completion)",
      labelNames: ["model", "kind"] as const,
      registers,
    });
    this.costUsd = new Counter({
      name: "switchboard_llm_cost_usd_total",
      help: "Model cost in US dollars at the configured prices, by model",
      labelNames: ["model"] as const,
      registers,
    });
    this.spendTodayUsd = new Gauge({
      name: "switchboard_llm_spend_today_usd",
      help: "Model spend of the current UTC day across all workers (from the shared ledger)",
      registers,
    });
    this.requestSeconds = new Histogram({
      name: "switchboard_llm_request_seconds",
      help: "Duration of one model request, by purpose",
      labelNames: ["purpose"] as const,
      buckets: [0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32],
      registers,
    });
    this.fallbacks = new Counter({
      name: "switchboard_llm_fallbacks_total",
      help: "Turns the model did not answer, by reason (circuit_open, budget_exhausted, timeout...) and what answered instead (local, escalate)",
      labelNames: ["reason", "to"] as const,
      registers,
    });
    this.breakerState = new Gauge({
      name: "switchboard_llm_breaker_state",
      help: "Circuit breaker of the model provider: 0 closed, 1 half-open, 2 open",
      registers,
    });
    this.breakerOpened = new Counter({
      name: "switchboard_llm_breaker_opened_total",
      help: "Times the model provider's circuit breaker opened",
      registers,
    });
  }

  breakerChanged(state: BreakerState): void {
    this.breakerState.set(BREAKER_VALUE[state]);
    if (state === "open") this.breakerOpened.inc();
  }
}
