/**
 * Customer media lives on Twilio. We keep its URL as attachment metadata at intake (the webhook must
 * answer at once) and fetch the bytes lazily, when an agent or the desk asks (`fetchAttachment`).
 * Fetches go only to Twilio's own hosts, carry the account's Basic credentials only to the API host,
 * follow redirects by hand so one off Twilio's hosts is refused, and stop at the size cap.
 */
import { BodyTooLargeError, readCappedBody } from "../../src/http/read-capped-body.js";
import { NotFoundError, PayloadTooLargeError, UpstreamError, ValidationError } from "../../src/errors.js";
import type { TwilioCredentials } from "./config.js";
import { rewriteOrigin } from "./api/http-client.js";

const API_HOST = "api.twilio.com";
const MAX_REDIRECTS = 5;

export interface MediaPolicy {
  /** `TWILIO_API_URL` origin, trusted like api.twilio.com (tests, proxies). */
  apiBaseUrl?: string;
}

/**
 * Twilio's media hosts: the API (which redirects), its CDN (`mms.twiliocdn.com`, `media.twiliocdn.com`)
 * and the S3 bucket named after the CDN that serves media when HTTP auth on media is off.
 */
export function isTwilioMediaUrl(raw: string, policy: MediaPolicy = {}): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.username !== "" || url.password !== "") return false;
  if (policy.apiBaseUrl !== undefined && url.origin === new URL(policy.apiBaseUrl).origin) return true;
  if (url.protocol !== "https:" || (url.port !== "" && url.port !== "443")) return false;
  const host = url.hostname.toLowerCase();
  if (host === API_HOST || host === "twiliocdn.com" || host.endsWith(".twiliocdn.com")) return true;
  return /^s3(?:-external-1|[.-][a-z0-9-]+)?\.amazonaws\.com$/.test(host) && url.pathname.startsWith("/media.twiliocdn.com/");
}

/** Credentials go to the REST API's account resources only, never to a CDN or storage URL. */
function wantsCredentials(url: URL, policy: MediaPolicy): boolean {
  if (!url.pathname.startsWith("/2010-04-01/Accounts/")) return false;
  if (policy.apiBaseUrl !== undefined && url.origin === new URL(policy.apiBaseUrl).origin) return true;
  return url.protocol === "https:" && url.hostname.toLowerCase() === API_HOST;
}

export interface FetchedMedia {
  contentType: string;
  bytes: Buffer;
}

export interface FetchMediaOptions {
  credentials: TwilioCredentials;
  fetch: typeof globalThis.fetch;
  maxBytes: number;
  policy: MediaPolicy;
  timeoutMs?: number;
}

export async function fetchTwilioMedia(mediaUrl: string, options: FetchMediaOptions): Promise<FetchedMedia> {
  if (!isTwilioMediaUrl(mediaUrl, options.policy)) {
    throw new ValidationError("media URL is not on Twilio's hosts; refusing to fetch it");
  }
  let current = new URL(options.policy.apiBaseUrl ? rewriteOrigin(mediaUrl, options.policy.apiBaseUrl) : mediaUrl);
  const signal = AbortSignal.timeout(options.timeoutMs ?? 20_000);
  for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
    const headers: Record<string, string> = {};
    if (wantsCredentials(current, options.policy)) {
      const basic = Buffer.from(`${options.credentials.accountSid}:${options.credentials.authToken}`).toString("base64");
      headers.authorization = `Basic ${basic}`;
    }
    let response: Response;
    try {
      response = await options.fetch(current, { headers, redirect: "manual", signal });
    } catch (error) {
      throw new UpstreamError("twilio_media", "Twilio media could not be fetched (network)", { cause: error });
    }
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      const location = response.headers.get("location");
      if (location === null) throw new UpstreamError("twilio_media", `redirect ${response.status} without a Location`);
      const next = new URL(location, current);
      if (!isTwilioMediaUrl(next.toString(), options.policy)) {
        throw new ValidationError(`Twilio media redirected off Twilio's hosts (${next.hostname}); refusing to follow`);
      }
      current = next;
      continue;
    }
    if (response.status === 404) {
      await response.body?.cancel();
      throw new NotFoundError("Twilio media");
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new UpstreamError("twilio_media", `Twilio media fetch answered HTTP ${response.status}`);
    }
    const bytes = await readCapped(response, options.maxBytes);
    return { contentType: response.headers.get("content-type") ?? "application/octet-stream", bytes };
  }
  throw new UpstreamError("twilio_media", `more than ${MAX_REDIRECTS} redirects fetching Twilio media`);
}

/** The media bytes, capped: over the cap is a PayloadTooLargeError. */
export async function readCapped(response: Response, maxBytes: number): Promise<Buffer> {
  try {
    return await readCappedBody(response, maxBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw new PayloadTooLargeError(`media: ${error.message}`);
    throw error;
  }
}
