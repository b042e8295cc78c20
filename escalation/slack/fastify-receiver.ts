/**
 * A Bolt `Receiver` on our Fastify server: `POST /slack/events` takes Events API callbacks (JSON) and
 * interactivity (form-encoded `payload=<json>`) on one URL. It only moves bytes: keep the raw body,
 * verify Slack's signature over it, parse, hand the body to `app.processEvent` and answer as soon as a
 * listener acknowledges (listeners enqueue work and ack; Slack wants an answer within three seconds).
 *
 * The core registers @fastify/formbody globally, which would parse form bodies before we could sign
 * them; so the route lives in its own encapsulated plugin whose content-type parsers keep every body
 * as a Buffer. Nothing outside that plugin is affected.
 */
import { parse as parseQuery } from "node:querystring";
import { ReceiverMultipleAckError, type App, type Receiver } from "@slack/bolt";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { AuthenticationError, errorMessage } from "../../src/errors.js";
import type { Logger } from "../../src/logging/logger.js";
import { verifySlackSignature } from "./verify.js";

export interface FastifyReceiverOptions {
  signingSecret: string;
  path?: string;
  logger: Logger;
  now: () => Date;
  /** Answer 200 after this long even if no listener acknowledged (below Slack's 3 s). */
  ackTimeoutMs?: number;
}

type Outcome = { kind: "acked"; body: unknown } | { kind: "finished" } | { kind: "failed"; error: unknown } | { kind: "timeout" };

const headerOf = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

export class FastifySlackReceiver implements Receiver {
  private app: App | undefined;
  private initializing: Promise<void> | undefined;
  readonly path: string;

  constructor(private readonly options: FastifyReceiverOptions) {
    this.path = options.path ?? "/slack/events";
  }

  init(app: App): void {
    this.app = app;
  }

  /** Fastify owns the port: nothing to start or stop here. */
  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  /** Register `POST /slack/events` on the shared server. */
  readonly registerRoutes = async (server: FastifyInstance): Promise<void> => {
    await server.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      // Every body stays raw: the signature covers the exact bytes Slack sent.
      scope.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));
      scope.post(this.path, (request, reply) => this.handle(request, reply));
    });
  };

  private async handle(request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    try {
      verifySlackSignature({
        signingSecret: this.options.signingSecret,
        rawBody,
        signature: headerOf(request, "x-slack-signature"),
        timestamp: headerOf(request, "x-slack-request-timestamp"),
        now: this.options.now(),
      });
    } catch (error) {
      if (!(error instanceof AuthenticationError)) throw error;
      this.options.logger.warn({ code: error.code, reason: error.message }, "Slack request refused");
      return reply.status(401).send({ error: error.code, message: error.message });
    }

    const body = parseBody(rawBody, headerOf(request, "content-type"));
    if (!body) return reply.status(400).send({ error: "input.invalid", message: "body is not a Slack event or interaction" });
    if (body.type === "url_verification" && typeof body.challenge === "string") return reply.send({ challenge: body.challenge });
    if (body.ssl_check !== undefined) return reply.status(200).send();
    if (!this.app || !(await this.ready(this.app))) {
      // Slack retries events after a 5xx; a click shows the agent an error and can be clicked again.
      return reply.status(503).send({ error: "not_ready", message: "the Slack app could not initialise (auth.test failed)" });
    }

    const retryHeader = headerOf(request, "x-slack-retry-num");
    const retryNum = retryHeader !== undefined && /^\d+$/.test(retryHeader) ? Number(retryHeader) : undefined;
    const retryReason = headerOf(request, "x-slack-retry-reason");
    const outcome = await this.dispatch(this.app, body, retryNum, retryReason);
    switch (outcome.kind) {
      case "acked":
        if (outcome.body === undefined || outcome.body === "") return reply.status(200).send();
        return typeof outcome.body === "string" ? reply.status(200).type("text/plain").send(outcome.body) : reply.status(200).send(outcome.body);
      case "finished":
        // Authentic but nothing listens (another app's button, an event we do not use): 2xx, no retries.
        return reply.status(200).send();
      case "timeout":
        this.options.logger.warn({ type: body.type }, "no Slack listener acknowledged in time; answered 200");
        return reply.status(200).send();
      case "failed":
        this.options.logger.error({ err: outcome.error, type: body.type }, "Slack request failed before it was acknowledged");
        return reply.status(500).send({ error: "internal", message: "internal error" });
    }
  }

  /** Bolt's `init()` (auth.test) once, retried on the next request when it failed. */
  private async ready(app: App): Promise<boolean> {
    this.initializing ??= app.init().catch((error: unknown) => {
      this.initializing = undefined;
      throw error;
    });
    try {
      await this.initializing;
      return true;
    } catch (error) {
      this.options.logger.error({ err: error }, "Slack app initialisation failed; answering 503 until it succeeds");
      return false;
    }
  }

  private async dispatch(app: App, body: Record<string, unknown>, retryNum: number | undefined, retryReason: string | undefined): Promise<Outcome> {
    let settle: (outcome: Outcome) => void = () => undefined;
    const first = new Promise<Outcome>((resolve) => {
      settle = resolve;
    });
    let acknowledged = false;
    const ack = async (response?: unknown): Promise<void> => {
      if (acknowledged) throw new ReceiverMultipleAckError();
      acknowledged = true;
      settle({ kind: "acked", body: response });
    };
    const timer = setTimeout(() => settle({ kind: "timeout" }), this.options.ackTimeoutMs ?? 2_500);
    app
      .processEvent({ body, ack, ...(retryNum !== undefined ? { retryNum } : {}), ...(retryReason ? { retryReason } : {}) })
      .then(
        () => settle({ kind: "finished" }),
        (error: unknown) => {
          if (acknowledged) this.options.logger.error({ err: error }, `Slack listener failed after acknowledging: ${errorMessage(error)}`);
          settle({ kind: "failed", error });
        },
      );
    try {
      return await first;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** JSON events, or form-encoded interactions (`payload=<json>`); null when neither. */
export function parseBody(rawBody: Buffer, contentType: string | undefined): Record<string, unknown> | null {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  try {
    if (type === "application/json") return asObject(JSON.parse(rawBody.toString("utf8")));
    if (type === "application/x-www-form-urlencoded") {
      const form = parseQuery(rawBody.toString("utf8"));
      if (typeof form.payload === "string") return asObject(JSON.parse(form.payload));
      return Object.fromEntries(Object.entries(form).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
    }
  } catch {
    return null;
  }
  return null;
}

function asObject(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}
