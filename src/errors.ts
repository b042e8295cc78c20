/**
 * One error taxonomy: every error the core raises has a stable, namespaced `code` and an optional
 * `cause`. `httpStatusFor` is the one place that maps them to HTTP; `queueOutcomeFor` to job outcomes.
 */
export class SwitchboardError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bad configuration: start-up stops and the message says what to set. */
export class ConfigError extends SwitchboardError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("config.invalid", message, options);
  }
}

/** Input from outside failed validation (malformed webhook, frame, file row). */
export class ValidationError extends SwitchboardError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("input.invalid", message, options);
  }
}

/** The request could not be authenticated (missing signature, bad token). */
export class AuthenticationError extends SwitchboardError {
  readonly missing: boolean;
  constructor(message: string, options?: { cause?: unknown; missing?: boolean }) {
    super(options?.missing ? "auth.missing" : "auth.invalid", message, options);
    this.missing = options?.missing ?? false;
  }
}

export class NotFoundError extends SwitchboardError {
  constructor(what: string) {
    super("not_found", `${what} not found`);
  }
}

export class PayloadTooLargeError extends SwitchboardError {
  constructor(message: string) {
    super("input.too_large", message);
  }
}

export class RateLimitedError extends SwitchboardError {
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number) {
    super("rate_limited", message);
    this.retryAfterMs = retryAfterMs;
  }
}

export class InvalidTransitionError extends SwitchboardError {
  constructor(from: string, to: string, by: string) {
    super("conversation.invalid_transition", `a ${by} may not move a conversation from ${from} to ${to}`);
  }
}

/** Optimistic concurrency lost: someone else changed the row first. The caller re-reads and decides. */
export class ConflictError extends SwitchboardError {
  constructor(message: string) {
    super("conflict", message);
  }
}

/** A channel adapter cannot do this (for example media on a text-only channel). */
export class NotImplementedError extends SwitchboardError {
  constructor(feature: string) {
    super("not_implemented", `not supported by this channel: ${feature}`);
  }
}

/**
 * A provider refused or failed a send. `permanent` decides the job's fate: retried with backoff, or
 * recorded on the message and shown to the agent. `retryAfterMs` honours a provider's Retry-After.
 */
export class DeliveryFailedError extends SwitchboardError {
  readonly permanent: boolean;
  readonly providerCode: string;
  readonly retryAfterMs: number | undefined;

  constructor(
    providerCode: string,
    message: string,
    options: { permanent: boolean; retryAfterMs?: number; cause?: unknown },
  ) {
    super(options.permanent ? "delivery.permanent" : "delivery.transient", message, { cause: options.cause });
    this.permanent = options.permanent;
    this.providerCode = providerCode;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** A send arrived before the channel was started (workers can be a moment ahead): retried shortly. */
export class ChannelNotStartedError extends DeliveryFailedError {
  constructor(channelId: string) {
    super("channel_not_started", `Channel "${channelId}" is still starting; the message will be retried.`, { permanent: false, retryAfterMs: 1_000 });
  }
}

/** A dependency (account API, model provider) failed in a way the brain must treat as "escalate". */
export class UpstreamError extends SwitchboardError {
  constructor(service: string, message: string, options?: { cause?: unknown }) {
    super(`upstream.${service}`, message, options);
  }
}

/**
 * One model request failed. `kind` says what happened; `retryable` whether the same request may succeed
 * later (timeouts, connection drops, 429, 5xx, malformed output); `retryAfterMs` honours the provider's
 * Retry-After. A refusal or a bad request is not retried.
 */
export type ModelFailureKind =
  | "timeout"
  | "connection"
  | "rate_limited"
  | "server"
  | "auth"
  | "bad_request"
  | "malformed"
  | "refusal"
  | "circuit_open"
  | "budget_exhausted";

const RETRYABLE_MODEL_FAILURES: ReadonlySet<ModelFailureKind> = new Set(["timeout", "connection", "rate_limited", "server", "malformed"]);

export class ModelCallError extends UpstreamError {
  readonly kind: ModelFailureKind;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;

  constructor(kind: ModelFailureKind, message: string, options: { status?: number; retryAfterMs?: number; cause?: unknown } = {}) {
    super("model", message, { cause: options.cause });
    this.kind = kind;
    this.retryable = RETRYABLE_MODEL_FAILURES.has(kind);
    this.retryAfterMs = options.retryAfterMs;
    this.status = options.status;
  }
}

export function httpStatusFor(error: unknown): number {
  if (error instanceof AuthenticationError) return error.missing ? 400 : 403;
  if (error instanceof ValidationError) return 400;
  if (error instanceof NotFoundError) return 404;
  if (error instanceof PayloadTooLargeError) return 413;
  if (error instanceof RateLimitedError) return 429;
  if (error instanceof ConflictError || error instanceof InvalidTransitionError) return 409;
  if (error instanceof NotImplementedError) return 501;
  return 500;
}

export type QueueOutcome = { kind: "retry"; delayMs?: number } | { kind: "give_up"; reason: string };

export function queueOutcomeFor(error: unknown): QueueOutcome {
  if (error instanceof DeliveryFailedError) {
    return error.permanent
      ? { kind: "give_up", reason: `${error.providerCode}: ${error.message}` }
      : { kind: "retry", ...(error.retryAfterMs !== undefined ? { delayMs: error.retryAfterMs } : {}) };
  }
  if (error instanceof ValidationError || error instanceof InvalidTransitionError || error instanceof NotFoundError) {
    return { kind: "give_up", reason: error.message };
  }
  return { kind: "retry" };
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
