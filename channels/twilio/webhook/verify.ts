/**
 * Is this request from Twilio? Twilio signs every webhook with HMAC-SHA1 over the exact URL it called
 * plus the sorted form parameters (`X-Twilio-Signature`). Behind a reverse proxy the URL we see is not
 * the one Twilio called, so it is rebuilt from `PUBLIC_URL`; `twilio.validateRequest` then tries it
 * with and without the default port, as Twilio's own middleware does.
 */
import twilio from "twilio";
import { AuthenticationError } from "../../../src/errors.js";

export type FormParams = Record<string, string | string[]>;

export interface SignedRequest {
  /** The `X-Twilio-Signature` header as received. */
  signature: string | string[] | undefined;
  /** The server's public base URL (no trailing slash), e.g. `https://support.example.com`. */
  publicUrl: string;
  /** The path and query as received (`request.url`), e.g. `/webhooks/sms?x=1`. */
  pathAndQuery: string;
  params: FormParams;
}

/** The URL Twilio called, as it signed it. */
export function signedUrlOf(publicUrl: string, pathAndQuery: string): string {
  return publicUrl.replace(/\/+$/, "") + (pathAndQuery.startsWith("/") ? pathAndQuery : `/${pathAndQuery}`);
}

/** Throws `AuthenticationError` (missing: HTTP 400, mismatch: HTTP 403); returns when authentic. */
export function verifyTwilioSignature(authToken: string, request: SignedRequest): void {
  const signature = Array.isArray(request.signature) ? request.signature[0] : request.signature;
  if (signature === undefined || signature.trim() === "") {
    throw new AuthenticationError("X-Twilio-Signature header is missing", { missing: true });
  }
  const url = signedUrlOf(request.publicUrl, request.pathAndQuery);
  let valid: boolean;
  try {
    valid = twilio.validateRequest(authToken, signature.trim(), url, request.params);
  } catch (error) {
    // A URL the validator cannot parse cannot have been signed by Twilio either.
    throw new AuthenticationError("X-Twilio-Signature could not be checked", { cause: error });
  }
  if (!valid) throw new AuthenticationError("X-Twilio-Signature does not match this request");
}
