/**
 * A fake Bot Framework Connector on loopback, speaking the REST protocol botbuilder's connector client
 * uses: `POST /v3/conversations/{conversationId}/activities` (send to conversation) and
 * `POST /v3/conversations/{conversationId}/activities/{activityId}` (reply to activity), JSON bodies,
 * answered with a `ResourceResponse` (`{id}`) or an `ErrorResponse` (`{error: {code, message}}`), with
 * 429/5xx/4xx and Retry-After on demand. Its URL is the `serviceUrl` of the activities tests post. It
 * also serves the OpenID metadata and signing keys of the channel-token issuer
 * (`/v1/.well-known/openidconfiguration`, `/v1/.well-known/keys`) for tokens made by `ChannelTokenSigner`.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { CHANNEL_TOKEN_ISSUER, type ChannelTokenSigner } from "../support/bot-framework-tokens.js";

/** An activity as the bot posted it (the fields tests read; the rest is kept as sent). */
export interface SentActivity {
  type: string;
  text?: string;
  textFormat?: string;
  replyToId?: string;
  suggestedActions?: unknown;
  attachments?: unknown[];
  [field: string]: unknown;
}

export interface RecordedActivity {
  /** The id the connector gave the activity (returned to the bot). */
  id: string;
  conversationId: string;
  /** The activity replied to (the `/activities/{activityId}` form), if any. */
  replyToId?: string;
  activity: SentActivity;
  authorization: string | undefined;
  receivedAt: Date;
}

export interface ConnectorFailure {
  status: number;
  code?: string;
  message?: string;
  /** Sent as the `Retry-After` header (seconds). */
  retryAfterSeconds?: number;
  /** Accept the connection and never answer (a hung service). */
  hang?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
}

const BODY_LIMIT = 1024 * 1024;
const ACTIVITY_PATH = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?\/?$/;

export class FakeBotConnector {
  readonly activities: RecordedActivity[] = [];
  readonly requests: RecordedRequest[] = [];
  private readonly failures: ConnectorFailure[] = [];
  private readonly failuresByConversation = new Map<string, ConnectorFailure[]>();
  private readonly signers: ChannelTokenSigner[];
  private server: Server | undefined;
  private origin = "";

  constructor(signers: ChannelTokenSigner[] = []) {
    this.signers = signers;
  }

  /** The `serviceUrl` activities carry (with the trailing slash channels send). */
  get url(): string {
    return `${this.origin}/`;
  }

  get openIdMetadataUrl(): string {
    return `${this.origin}/v1/.well-known/openidconfiguration`;
  }

  /** The next sends fail like this, in order, whatever the conversation. */
  failNext(...failures: ConnectorFailure[]): void {
    this.failures.push(...failures);
  }

  /** The next sends into one conversation fail like this, in order. */
  failConversation(conversationId: string, ...failures: ConnectorFailure[]): void {
    this.failuresByConversation.set(conversationId, [...(this.failuresByConversation.get(conversationId) ?? []), ...failures]);
  }

  sentTo(conversationId: string): RecordedActivity[] {
    return this.activities.filter((recorded) => recorded.conversationId === conversationId);
  }

  async start(): Promise<this> {
    const server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        if (!response.headersSent) this.json(response, 500, { error: { code: "ServiceError", message: String(error) } });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    this.server = server;
    this.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? "/").split("?")[0]!;
    const authorization = request.headers.authorization;
    this.requests.push({ method: request.method ?? "", path, authorization });

    if (request.method === "GET" && path === "/v1/.well-known/openidconfiguration") {
      return this.json(response, 200, {
        issuer: CHANNEL_TOKEN_ISSUER,
        authorization_endpoint: `${this.origin}/v1/auth`,
        jwks_uri: `${this.origin}/v1/.well-known/keys`,
        id_token_signing_alg_values_supported: ["RS256"],
        token_endpoint_auth_methods_supported: ["private_key_jwt"],
      });
    }
    if (request.method === "GET" && path === "/v1/.well-known/keys") {
      return this.json(response, 200, { keys: this.signers.map((signer) => signer.jwk()) });
    }

    const match = ACTIVITY_PATH.exec(path);
    if (!match) return this.json(response, 404, { error: { code: "NotFound", message: `no route for ${request.method} ${path}` } });
    if (request.method !== "POST") return this.json(response, 405, { error: { code: "MethodNotAllowed", message: "POST only" } });

    const body = await readBody(request);
    if (body === undefined) return this.json(response, 413, { error: { code: "MessageSizeTooBig", message: "activity too large" } });
    const conversationId = decodeURIComponent(match[1]!);
    const replyToId = match[2] !== undefined ? decodeURIComponent(match[2]) : undefined;

    const failure = this.failuresByConversation.get(conversationId)?.shift() ?? this.failures.shift();
    if (failure?.hang) return; // the socket stays open until the client gives up
    if (failure) {
      const headers: Record<string, string> = failure.retryAfterSeconds !== undefined ? { "retry-after": String(failure.retryAfterSeconds) } : {};
      return this.json(response, failure.status, { error: { code: failure.code ?? defaultCode(failure.status), message: failure.message ?? `fake failure ${failure.status}` } }, headers);
    }

    let activity: unknown;
    try {
      activity = JSON.parse(body);
    } catch {
      return this.json(response, 400, { error: { code: "BadSyntax", message: "the body is not JSON" } });
    }
    if (activity === null || typeof activity !== "object" || typeof (activity as { type?: unknown }).type !== "string") {
      return this.json(response, 400, { error: { code: "BadArgument", message: "an activity needs a type" } });
    }
    const id = randomUUID();
    this.activities.push({ id, conversationId, ...(replyToId !== undefined ? { replyToId } : {}), activity: activity as SentActivity, authorization, receivedAt: new Date() });
    this.json(response, 200, { id });
  }

  private json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    response.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
    response.end(JSON.stringify(body));
  }
}

function defaultCode(status: number): string {
  if (status === 429) return "Throttled";
  if (status === 401) return "Unauthorized";
  if (status === 403) return "BotNotInConversationRoster";
  if (status === 404) return "ConversationNotFound";
  return status >= 500 ? "ServiceError" : "BadArgument";
}

async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of request) {
    total += (chunk as Buffer).length;
    if (total > BODY_LIMIT) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export async function startFakeBotConnector(signers: ChannelTokenSigner[] = []): Promise<FakeBotConnector> {
  return new FakeBotConnector(signers).start();
}
