/**
 * Twilio's refusals, translated into the send queue's terms: retry later (429, 5xx, network) or give up
 * with the Twilio code and a sentence an agent understands (opted out, bad number, WhatsApp window).
 */
import twilio from "twilio";
import { DeliveryFailedError, errorMessage } from "../../../src/errors.js";
import { TwilioRetryAfterException } from "./http-client.js";

/** Twilio's "Attempt to send to unsubscribed recipient": the number texted STOP to this sender. */
const UNSUBSCRIBED_RECIPIENT = 21610;

/** Sentences for the codes agents meet most; they are shown on the desk next to the failed message. */
const PERMANENT_EXPLANATIONS: Record<number, string> = {
  [UNSUBSCRIBED_RECIPIENT]: "The customer has opted out of messages from this number (they replied STOP). They must text START before we can write again.",
  21211: "The customer's phone number is not a valid phone number, so the message cannot be sent.",
  21614: "The customer's number cannot receive text messages (it is not a mobile number).",
  21612: "Twilio cannot route a message between this sender and the customer's number.",
  21408: "This Twilio account is not allowed to send to the customer's country.",
  63016: "WhatsApp's 24-hour window has closed: only an approved template may be sent until the customer writes again.",
  63003: "The customer's WhatsApp address could not be reached (the number may not use WhatsApp).",
  63024: "WhatsApp refused the message: the recipient is not a valid WhatsApp user.",
  20003: "Twilio refused our credentials; an administrator must check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN.",
};

const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ECONNABORTED", "ENOTFOUND", "EAI_AGAIN", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "ERR_SOCKET_CONNECTION_TIMEOUT"]);

export function isOptOutCode(code: number | string): boolean {
  return Number(code) === UNSUBSCRIBED_RECIPIENT;
}

export function explainTwilioCode(code: number | string | undefined): string | undefined {
  const numeric = typeof code === "string" ? Number(code) : code;
  return numeric === undefined || Number.isNaN(numeric) ? undefined : PERMANENT_EXPLANATIONS[numeric];
}

export function toDeliveryFailure(error: unknown): DeliveryFailedError {
  if (error instanceof DeliveryFailedError) return error;
  if (error instanceof twilio.RestException) {
    const status = error.status;
    const code = error.code;
    const providerCode = code !== undefined ? String(code) : `http_${status}`;
    if (status === 429 || code === 20429) {
      return new DeliveryFailedError(providerCode, "Twilio is rate limiting this account; the message will be retried.", {
        permanent: false,
        cause: error,
        ...(error instanceof TwilioRetryAfterException ? { retryAfterMs: error.retryAfterMs } : {}),
      });
    }
    if (status >= 500) {
      return new DeliveryFailedError(providerCode, `Twilio had a server error (HTTP ${status}); the message will be retried.`, {
        permanent: false,
        cause: error,
        ...(error instanceof TwilioRetryAfterException ? { retryAfterMs: error.retryAfterMs } : {}),
      });
    }
    const explanation = explainTwilioCode(code) ?? `Twilio refused the message (error ${providerCode}: ${error.message}).`;
    return new DeliveryFailedError(providerCode, explanation, { permanent: true, cause: error });
  }
  if (isNetworkError(error)) {
    return new DeliveryFailedError("network", `Twilio could not be reached (${networkCode(error)}); the message will be retried.`, {
      permanent: false,
      cause: error,
    });
  }
  return new DeliveryFailedError("twilio_unexpected", `Sending through Twilio failed unexpectedly: ${errorMessage(error)}`, {
    permanent: false,
    cause: error,
  });
}

function networkCode(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : "no response";
}

function isNetworkError(error: unknown): boolean {
  if (error === null || typeof error !== "object") return false;
  const candidate = error as { code?: unknown; isAxiosError?: unknown; response?: unknown };
  if (typeof candidate.code === "string" && NETWORK_CODES.has(candidate.code)) return true;
  // axios (inside the SDK) rejects with no `response` when the request never got an answer.
  return candidate.isAxiosError === true && candidate.response === undefined;
}
