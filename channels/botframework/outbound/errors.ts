/**
 * The connector's refusals, in the send queue's terms: retry later (429, 5xx, timeouts, network), with
 * the service's Retry-After, or give up with a sentence an agent understands (the bot was removed from
 * the conversation, the conversation is gone, our credentials are refused).
 */
import { DeliveryFailedError, errorMessage } from "../../../src/errors.js";

const NETWORK_CODES = new Set([
  "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ECONNABORTED", "ENOTFOUND", "EAI_AGAIN", "EPIPE", "EHOSTUNREACH", "ENETUNREACH",
  "REQUEST_SEND_ERROR", "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT",
]);

/** Microsoft Entra answers these when the bot's id or secret is wrong: retrying cannot help. */
const REFUSED_CREDENTIALS = new Set(["invalid_client", "unauthorized_client", "invalid_request", "invalid_grant", "invalid_scope"]);

/** Longest Retry-After we pass on; anything longer is the queue's ordinary backoff's business. */
const MAX_RETRY_AFTER_MS = 10 * 60_000;

interface RestErrorLike {
  statusCode?: unknown;
  code?: unknown;
  errorCode?: unknown;
  name?: unknown;
  response?: { headers?: { get?: (name: string) => string | undefined | null } };
}

export function toDeliveryFailure(error: unknown, now: Date = new Date()): DeliveryFailedError {
  if (error instanceof DeliveryFailedError) return error;
  const candidate = (error !== null && typeof error === "object" ? error : {}) as RestErrorLike;
  const status = typeof candidate.statusCode === "number" ? candidate.statusCode : undefined;
  const serviceCode = typeof candidate.code === "string" && candidate.code !== "" ? candidate.code : undefined;

  if (status !== undefined) {
    const providerCode = serviceCode ?? `http_${status}`;
    const retryAfterMs = retryAfterOf(candidate, now);
    const transient = (message: string) =>
      new DeliveryFailedError(providerCode, message, { permanent: false, cause: error, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
    const permanent = (message: string) => new DeliveryFailedError(providerCode, message, { permanent: true, cause: error });
    if (status === 429) return transient("The Bot Framework is throttling this bot; the message will be retried.");
    if (status === 408 || status >= 500) return transient(`The Bot Framework connector had a server error (HTTP ${status}); the message will be retried.`);
    if (status === 401) return permanent("The Bot Framework refused the bot's credentials; an administrator must check MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD.");
    if (status === 403) return permanent("The Bot Framework refused the message: the bot is no longer in this conversation (removed or blocked by the customer), or may not write to it.");
    if (status === 404) return permanent("The Bot Framework no longer knows this conversation; the customer must write to the bot again.");
    if (status === 413) return permanent("The message is too large for this channel.");
    return permanent(`The Bot Framework refused the message (HTTP ${status}${serviceCode ? `, ${serviceCode}` : ""}).`);
  }

  if (candidate.name === "AbortError") {
    return new DeliveryFailedError("timeout", "The Bot Framework connector did not answer in time; the message will be retried.", { permanent: false, cause: error });
  }
  if (serviceCode !== undefined && NETWORK_CODES.has(serviceCode)) {
    return new DeliveryFailedError("network", `The Bot Framework connector could not be reached (${serviceCode}); the message will be retried.`, { permanent: false, cause: error });
  }
  const tokenCode = typeof candidate.errorCode === "string" ? candidate.errorCode : undefined;
  if (tokenCode !== undefined && REFUSED_CREDENTIALS.has(tokenCode)) {
    return new DeliveryFailedError(tokenCode, "Microsoft Entra refused the bot's credentials; an administrator must check MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD and the app type or tenant.", { permanent: true, cause: error });
  }
  return new DeliveryFailedError("botframework_unexpected", `Sending through the Bot Framework failed unexpectedly: ${errorMessage(error)}`, { permanent: false, cause: error });
}

/** Retry-After as seconds or an HTTP date, in milliseconds from `now`. */
function retryAfterOf(error: RestErrorLike, now: Date): number | undefined {
  const header = error.response?.headers?.get?.("retry-after")?.trim();
  if (!header) return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now.getTime();
  if (!Number.isFinite(ms) || ms < 0) return undefined;
  return Math.min(Math.ceil(ms), MAX_RETRY_AFTER_MS);
}
