/**
 * The HTTP client the official `twilio` SDK sends through. Twilio's SDK has no base-URL option, so this
 * subclass of `twilio.RequestClient` rewrites the `https://api.twilio.com` origin to `TWILIO_API_URL`
 * (a loopback fake in tests, a proxy in some deployments). It also keeps `Retry-After`, which the SDK's
 * own `RestException` drops: a 429 or 503 carrying it is raised here as `TwilioRetryAfterException`.
 */
import twilio from "twilio";
import type RequestClient from "twilio/lib/base/RequestClient.js";

const TWILIO_API_ORIGIN = "https://api.twilio.com";

export class TwilioRetryAfterException extends twilio.RestException {
  readonly retryAfterMs: number;

  constructor(response: { statusCode: number; body: unknown; headers: unknown }, retryAfterMs: number) {
    super(response);
    this.retryAfterMs = retryAfterMs;
  }
}

export interface TwilioHttpClientOptions {
  /** Replace `https://api.twilio.com` with this origin (no trailing slash). */
  apiBaseUrl?: string;
  /** Per-request timeout; a hung Twilio edge must not hold a send worker for the SDK's default 30 s. */
  timeoutMs?: number;
  now?: () => Date;
}

export class TwilioHttpClient extends twilio.RequestClient {
  private readonly apiBaseUrl: string | undefined;
  private readonly now: () => Date;

  constructor(options: TwilioHttpClientOptions = {}) {
    // autoRetry stays off: retries belong to the send queue, which backs off and survives restarts.
    super({ timeout: options.timeoutMs ?? 15_000, autoRetry: false });
    this.apiBaseUrl = options.apiBaseUrl;
    this.now = options.now ?? (() => new Date());
  }

  override async request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const uri = this.apiBaseUrl === undefined ? opts.uri : rewriteOrigin(opts.uri, this.apiBaseUrl);
    const response = await super.request<TData>({ ...opts, uri });
    if (response.statusCode === 429 || response.statusCode >= 500) {
      const retryAfterMs = parseRetryAfter(headerValue(response.headers, "retry-after"), this.now());
      if (retryAfterMs !== undefined) throw new TwilioRetryAfterException(response, retryAfterMs);
    }
    return response;
  }
}

export function rewriteOrigin(uri: string, apiBaseUrl: string): string {
  return uri.startsWith(TWILIO_API_ORIGIN) ? apiBaseUrl + uri.slice(TWILIO_API_ORIGIN.length) : uri;
}

function headerValue(headers: unknown, name: string): string | undefined {
  if (headers === null || typeof headers !== "object") return undefined;
  const value = (headers as Record<string, unknown>)[name];
  if (typeof value === "string") return value;
  if (Array.isArray(value) && typeof value[0] === "string") return value[0];
  return undefined;
}

/** `Retry-After` is either delta-seconds or an HTTP date (RFC 9110 10.2.3). Capped at an hour. */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const trimmed = value.trim();
  let ms: number;
  if (/^\d+$/.test(trimmed)) {
    ms = Number(trimmed) * 1000;
  } else {
    const at = Date.parse(trimmed);
    if (Number.isNaN(at)) return undefined;
    ms = at - now.getTime();
  }
  return Math.min(Math.max(ms, 0), 3_600_000);
}
