/**
 * Every model request of the engine and the model-assisted tools goes through here: the daily budget is
 * checked, the circuit breaker asked, the request sent, its tokens and cost counted (metrics, the shared
 * ledger, the caller's per-conversation totals), the answer parsed, and a failure retried with
 * exponential backoff and full jitter (a provider's Retry-After is honoured, unless it asks for a longer
 * wait than a customer should sit through: then we give up at once and the caller falls back).
 */
import { ModelCallError, errorMessage } from "../../errors.js";
import type { Logger } from "../../logging/logger.js";
import type { LlmMetrics } from "../../observability/llm-metrics.js";
import type { ChatModel, ChatRequest, ChatResponse, ChatUsage } from "../../ports/chat-model.js";
import type { CircuitBreaker } from "./circuit-breaker.js";
import { costOf, type DailyBudget, type ModelPrices } from "./spend.js";

export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the request fails now. */
  maxRetryAfterMs: number;
  /** No new attempt starts this long after the first one began. */
  deadlineMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 2, baseDelayMs: 250, maxDelayMs: 4_000, maxRetryAfterMs: 8_000, deadlineMs: 45_000 };

export interface ResilientModelOptions {
  model: ChatModel;
  breaker: CircuitBreaker;
  budget: DailyBudget;
  prices: ModelPrices;
  retry?: Partial<RetryPolicy>;
  metrics?: LlmMetrics;
  logger?: Logger;
  /** Injected for tests: waiting, randomness, the clock of the budget day, elapsed milliseconds. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => Date;
  elapsed?: () => number;
}

export interface CallOptions {
  /** Told about every billed response, failed parses included (per-conversation accounting). */
  onUsage?: (usage: ChatUsage, costUsd: number) => void;
}

export interface ModelCallResult<T> {
  response: ChatResponse;
  value: T;
  attempts: number;
}

/** Turns a response into the caller's value; throws ModelCallError (`malformed`, `refusal`) when it cannot. */
export type ResponseParser<T> = (response: ChatResponse) => T;

/** Full jitter: a random wait between 0 and the exponential ceiling; at least the provider's Retry-After. */
export function retryDelayMs(attempt: number, policy: RetryPolicy, random: () => number, retryAfterMs?: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  const jittered = Math.round(random() * ceiling);
  return retryAfterMs !== undefined ? Math.max(retryAfterMs, jittered) : jittered;
}

export class ResilientChatModel {
  private readonly retry: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => Date;
  private readonly elapsed: () => number;

  constructor(private readonly options: ResilientModelOptions) {
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    this.now = options.now ?? (() => new Date());
    this.elapsed = options.elapsed ?? (() => performance.now());
  }

  get modelName(): string {
    return this.options.model.model;
  }

  get breaker(): CircuitBreaker {
    return this.options.breaker;
  }

  async call<T>(request: ChatRequest, parse: ResponseParser<T>, callOptions: CallOptions = {}): Promise<ModelCallResult<T>> {
    const purpose = request.purpose ?? "answer";
    const model = this.options.model.model;
    const started = this.elapsed();
    for (let attempt = 0; ; attempt += 1) {
      const budget = await this.options.budget.status(this.now());
      if (!budget.available) {
        throw new ModelCallError("budget_exhausted", budget.reason === "budget_exhausted" ? `the daily model budget of $${this.options.budget.cap} is spent` : "the model spend of today cannot be read");
      }
      if (!this.options.breaker.tryAcquire()) throw new ModelCallError("circuit_open", "the model provider's circuit breaker is open after repeated failures");

      const timer = this.options.metrics?.requestSeconds.startTimer({ purpose });
      let failure: ModelCallError;
      try {
        const response = await this.options.model.complete(request);
        timer?.();
        await this.account(response, callOptions);
        const value = parse(response);
        this.options.breaker.recordSuccess();
        this.options.metrics?.requests.inc({ model, purpose, outcome: "ok" });
        return { response, value, attempts: attempt + 1 };
      } catch (error) {
        timer?.();
        failure = error instanceof ModelCallError ? error : new ModelCallError("malformed", `the model answer could not be used: ${errorMessage(error)}`, { cause: error });
      }

      this.options.metrics?.requests.inc({ model, purpose, outcome: failure.kind });
      // A refusal is an answer: the provider works, the breaker must not count it as an outage.
      if (failure.kind === "refusal") this.options.breaker.recordSuccess();
      else this.options.breaker.recordFailure();
      this.options.logger?.warn({ kind: failure.kind, status: failure.status, attempt: attempt + 1, purpose, model }, `model request failed: ${failure.message}`);

      if (!failure.retryable || attempt >= this.retry.maxRetries) throw failure;
      if (failure.retryAfterMs !== undefined && failure.retryAfterMs > this.retry.maxRetryAfterMs) throw failure;
      const delay = retryDelayMs(attempt, this.retry, this.random, failure.retryAfterMs);
      if (this.elapsed() - started + delay > this.retry.deadlineMs) throw failure;
      await this.sleep(delay);
    }
  }

  private async account(response: ChatResponse, callOptions: CallOptions): Promise<void> {
    const cost = costOf(response.usage, this.options.prices);
    const metrics = this.options.metrics;
    const model = this.options.model.model;
    metrics?.tokens.inc({ model, kind: "prompt" }, response.usage.promptTokens);
    metrics?.tokens.inc({ model, kind: "completion" }, response.usage.completionTokens);
    metrics?.costUsd.inc({ model }, cost);
    callOptions.onUsage?.(response.usage, cost);
    try {
      await this.options.budget.record(this.now(), cost);
    } catch (error) {
      // The answer is already paid for; losing one ledger entry must not lose the answer.
      this.options.logger?.warn({ err: error }, "could not record model spend in the ledger");
    }
  }
}
