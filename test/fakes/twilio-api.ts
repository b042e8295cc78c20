/**
 * A fake Twilio REST API on loopback, speaking the wire protocol the official `twilio` SDK uses:
 * `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` (form body, Basic auth) answered with
 * Twilio-shaped JSON, error bodies `{code, message, more_info, status}` on demand, and media at
 * `/2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}/Media/{MediaSid}` that redirects to a CDN
 * path the way Twilio redirects to mms.twiliocdn.com.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";

export interface SentMessage {
  sid: string;
  accountSid: string;
  to: string;
  from?: string;
  messagingServiceSid?: string;
  body?: string;
  mediaUrls: string[];
  contentSid?: string;
  contentVariables?: Record<string, string>;
  statusCallback?: string;
  receivedAt: Date;
}

export interface FakeFailure {
  status: number;
  code: number;
  message?: string;
  /** Sent as the `Retry-After` header (seconds). */
  retryAfterSeconds?: number;
}

export interface FakeMedia {
  contentType: string;
  bytes: Buffer;
  /** Where the API URL redirects instead of the fake CDN (to test off-host redirects). */
  redirectTo?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
}

const KNOWN_ERRORS: Record<number, { status: number; message: string }> = {
  20003: { status: 401, message: "Authenticate" },
  20429: { status: 429, message: "Too Many Requests" },
  20500: { status: 500, message: "Internal Server Error" },
  21211: { status: 400, message: "The 'To' number +1555 is not a valid phone number." },
  21610: { status: 400, message: "Attempt to send to unsubscribed recipient" },
  21614: { status: 400, message: "'To' number is not a valid mobile number" },
  63016: { status: 400, message: "Failed to send freeform message because you are outside the allowed window. If you are using WhatsApp, please use a Message Template." },
};

export function twilioError(code: number, overrides: Partial<FakeFailure> = {}): FakeFailure {
  const known = KNOWN_ERRORS[code] ?? { status: 400, message: `Error ${code}` };
  return { status: overrides.status ?? known.status, code, message: overrides.message ?? known.message, ...(overrides.retryAfterSeconds !== undefined ? { retryAfterSeconds: overrides.retryAfterSeconds } : {}) };
}

const hex = (bytes: number) => randomBytes(bytes).toString("hex");
export const fakeSid = (prefix: string) => `${prefix}${hex(16)}`;

export class FakeTwilioApi {
  readonly sent: SentMessage[] = [];
  readonly requests: RecordedRequest[] = [];
  private readonly failures: FakeFailure[] = [];
  private readonly failuresByRecipient = new Map<string, FakeFailure>();
  private readonly delayedFailures: Array<{ afterSent: number; failure: FakeFailure; remaining: number }> = [];
  private readonly media = new Map<string, FakeMedia>();
  private readonly cdn = new Map<string, FakeMedia>();
  private server: Server | undefined;
  private origin = "";

  constructor(
    readonly accountSid: string,
    readonly authToken: string,
  ) {}

  get url(): string {
    return this.origin;
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        response.statusCode = 500;
        response.end(String(error));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    const address = this.server.address() as AddressInfo;
    this.origin = `http://127.0.0.1:${address.port}`;
    return this;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** Forget what was sent and every failure still planned (between tests sharing one server). */
  reset(): void {
    this.sent.length = 0;
    this.requests.length = 0;
    this.failures.length = 0;
    this.delayedFailures.length = 0;
    this.failuresByRecipient.clear();
  }

  /** The next `count` message creations fail with this error, in order. */
  failNext(failure: FakeFailure, count = 1): void {
    for (let index = 0; index < count; index += 1) this.failures.push(failure);
  }

  /** After `accepted` more messages are created, the next `count` creations fail with this error. */
  failAfter(accepted: number, failure: FakeFailure, count = 1): void {
    this.delayedFailures.push({ afterSent: this.sent.length + accepted, failure, remaining: count });
  }

  /** Every message to this recipient fails with this error (until cleared with undefined). */
  failFor(to: string, failure: FakeFailure | undefined): void {
    if (failure === undefined) this.failuresByRecipient.delete(to);
    else this.failuresByRecipient.set(to, failure);
  }

  /** Store media for an inbound message; returns the MediaUrl Twilio would put in the webhook. */
  addMedia(messageSid: string, media: FakeMedia): string {
    const mediaSid = fakeSid("ME");
    const path = `/2010-04-01/Accounts/${this.accountSid}/Messages/${messageSid}/Media/${mediaSid}`;
    this.media.set(path, media);
    return this.origin + path;
  }

  sentTo(to: string): SentMessage[] {
    return this.sent.filter((message) => message.to === to);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", this.origin);
    this.requests.push({ method: request.method ?? "", path: url.pathname, authorization: request.headers.authorization });
    const cdnMatch = /^\/mms-cdn\/([0-9a-f]+)$/.exec(url.pathname);
    if (request.method === "GET" && cdnMatch) return this.serveCdn(cdnMatch[1]!, response);

    const messagesMatch = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(url.pathname);
    const mediaMatch = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\/[^/]+\/Media\/[^/]+$/.exec(url.pathname);
    if (!messagesMatch && !mediaMatch) return this.json(response, 404, this.errorBody({ status: 404, code: 20404, message: "The requested resource was not found" }));
    if (!this.authorized(request) || (messagesMatch ?? mediaMatch)![1] !== this.accountSid) {
      return this.json(response, 401, this.errorBody(twilioError(20003)));
    }
    if (mediaMatch && request.method === "GET") return this.serveMedia(url.pathname, response);
    if (messagesMatch && request.method === "POST") return this.createMessage(request, response);
    return this.json(response, 405, this.errorBody({ status: 405, code: 20004, message: "Method not allowed" }));
  }

  private authorized(request: IncomingMessage): boolean {
    const expected = `Basic ${Buffer.from(`${this.accountSid}:${this.authToken}`).toString("base64")}`;
    return request.headers.authorization === expected;
  }

  private async createMessage(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!(request.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) {
      return this.json(response, 400, this.errorBody({ status: 400, code: 20001, message: "Expected a form body" }));
    }
    const form = new URLSearchParams(await readBody(request));
    const to = form.get("To");
    const from = form.get("From") ?? undefined;
    const messagingServiceSid = form.get("MessagingServiceSid") ?? undefined;
    const body = form.get("Body") ?? undefined;
    const mediaUrls = form.getAll("MediaUrl");
    const contentSid = form.get("ContentSid") ?? undefined;
    const contentVariablesRaw = form.get("ContentVariables") ?? undefined;
    if (!to) return this.json(response, 400, this.errorBody({ status: 400, code: 21604, message: "A 'To' phone number is required." }));
    if (!from && !messagingServiceSid) return this.json(response, 400, this.errorBody({ status: 400, code: 21603, message: "A 'From' phone number is required." }));
    if (!body && mediaUrls.length === 0 && !contentSid) return this.json(response, 400, this.errorBody({ status: 400, code: 21602, message: "Message body is required." }));
    if (body !== undefined && body.length > 1600) return this.json(response, 400, this.errorBody({ status: 400, code: 21617, message: "The concatenated message body exceeds the 1600 character limit." }));
    let contentVariables: Record<string, string> | undefined;
    if (contentVariablesRaw !== undefined) {
      try {
        contentVariables = JSON.parse(contentVariablesRaw) as Record<string, string>;
      } catch {
        return this.json(response, 400, this.errorBody({ status: 400, code: 21656, message: "The ContentVariables Parameter is invalid." }));
      }
    }

    const failure = this.failures.shift() ?? this.takeDelayedFailure() ?? this.failuresByRecipient.get(to);
    if (failure) {
      const headers: Record<string, string> = failure.retryAfterSeconds !== undefined ? { "retry-after": String(failure.retryAfterSeconds) } : {};
      return this.json(response, failure.status, this.errorBody(failure), headers);
    }

    const sid = fakeSid(mediaUrls.length > 0 ? "MM" : "SM");
    const now = new Date();
    const statusCallback = form.get("StatusCallback") ?? undefined;
    this.sent.push({
      sid, accountSid: this.accountSid, to, mediaUrls, receivedAt: now,
      ...(from ? { from } : {}), ...(messagingServiceSid ? { messagingServiceSid } : {}), ...(body !== undefined ? { body } : {}),
      ...(contentSid ? { contentSid } : {}), ...(contentVariables ? { contentVariables } : {}), ...(statusCallback ? { statusCallback } : {}),
    });
    const uri = `/2010-04-01/Accounts/${this.accountSid}/Messages/${sid}.json`;
    return this.json(response, 201, {
      account_sid: this.accountSid,
      api_version: "2010-04-01",
      body: body ?? "",
      date_created: now.toUTCString().replace("GMT", "+0000"),
      date_sent: null,
      date_updated: now.toUTCString().replace("GMT", "+0000"),
      direction: "outbound-api",
      error_code: null,
      error_message: null,
      from: from ?? null,
      messaging_service_sid: messagingServiceSid ?? null,
      num_media: String(mediaUrls.length),
      num_segments: "1",
      price: null,
      price_unit: "USD",
      sid,
      status: messagingServiceSid ? "accepted" : "queued",
      subresource_uris: { media: uri.replace(".json", "/Media.json") },
      to,
      uri,
    });
  }

  private takeDelayedFailure(): FakeFailure | undefined {
    const due = this.delayedFailures.find((pending) => this.sent.length >= pending.afterSent && pending.remaining > 0);
    if (due === undefined) return undefined;
    due.remaining -= 1;
    return due.failure;
  }

  private serveMedia(path: string, response: ServerResponse): void {
    const media = this.media.get(path);
    if (!media) return this.json(response, 404, this.errorBody({ status: 404, code: 20404, message: "The requested resource was not found" }));
    if (media.redirectTo) {
      response.writeHead(307, { location: media.redirectTo });
      response.end();
      return;
    }
    const token = hex(12);
    this.cdn.set(token, media);
    // Like Twilio: a short-lived, credential-free URL on the media CDN.
    response.writeHead(307, { location: `/mms-cdn/${token}` });
    response.end();
  }

  private serveCdn(token: string, response: ServerResponse): void {
    const media = this.cdn.get(token);
    if (!media) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "content-type": media.contentType, "content-length": String(media.bytes.length) });
    response.end(media.bytes);
  }

  private errorBody(failure: FakeFailure): Record<string, unknown> {
    return {
      code: failure.code,
      message: failure.message ?? KNOWN_ERRORS[failure.code]?.message ?? `Error ${failure.code}`,
      more_info: `https://www.twilio.com/docs/errors/${failure.code}`,
      status: failure.status,
    };
  }

  private json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    response.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": String(Buffer.byteLength(text)), ...headers });
    response.end(text);
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startFakeTwilioApi(options: { accountSid?: string; authToken?: string } = {}): Promise<FakeTwilioApi> {
  return new FakeTwilioApi(options.accountSid ?? fakeSid("AC"), options.authToken ?? hex(16)).start();
}
