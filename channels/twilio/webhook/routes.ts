/**
 * The HTTP side of one Twilio channel: `POST /webhooks/<id>` (messages) and `POST /webhooks/<id>/status`
 * (delivery status). Each channel registers its own literal paths, so an id no channel owns falls
 * through to the server's 404 without reading the body. The routes live in their own Fastify scope
 * that accepts only form bodies (anything else: 415) up to a small limit (413), whether or not the
 * core registered @fastify/formbody.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { AuthenticationError, httpStatusFor, SwitchboardError } from "../../../src/errors.js";
import { verifyTwilioSignature, type FormParams } from "./verify.js";

export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';
/** Twilio's webhook bodies are a few KB (a 4,096-character WhatsApp body, ten media URLs). */
export const WEBHOOK_BODY_LIMIT = 64 * 1024;

export interface TwilioRouteHandlers {
  channelId: string;
  authToken: string;
  publicUrl: string;
  logger: Logger;
  onMessage: (params: FormParams) => Promise<void>;
  onStatus: (params: FormParams) => Promise<void>;
}

export function webhookPaths(channelId: string): { inbound: string; status: string } {
  return { inbound: `/webhooks/${channelId}`, status: `/webhooks/${channelId}/status` };
}

export function parseFormBody(body: string): FormParams {
  const params: FormParams = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const existing = params[key];
    if (existing === undefined) params[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else params[key] = [existing, value];
  }
  return params;
}

export async function registerTwilioRoutes(app: FastifyInstance, handlers: TwilioRouteHandlers): Promise<void> {
  const paths = webhookPaths(handlers.channelId);
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      "application/x-www-form-urlencoded",
      { parseAs: "string", bodyLimit: WEBHOOK_BODY_LIMIT },
      (_request, body, done) => done(null, parseFormBody(body as string)),
    );

    const handle = (work: (params: FormParams) => Promise<void>) => async (request: FastifyRequest, reply: FastifyReply) => {
      const params = (request.body ?? {}) as FormParams;
      try {
        verifyTwilioSignature(handlers.authToken, {
          signature: request.headers["x-twilio-signature"],
          publicUrl: handlers.publicUrl,
          pathAndQuery: request.url,
          params,
        });
        await work(params);
      } catch (error) {
        const status = httpStatusFor(error);
        const code = error instanceof SwitchboardError ? error.code : "internal";
        if (error instanceof AuthenticationError) {
          handlers.logger.warn({ code, path: request.url, ip: request.ip }, "refused an unauthenticated Twilio webhook");
        } else {
          handlers.logger.error({ err: error, path: request.url }, "Twilio webhook failed; Twilio will retry it");
        }
        const message = status >= 500 ? "internal error" : (error as Error).message;
        return reply.code(status).type("application/json").send({ error: code, message });
      }
      return reply.code(200).type("text/xml").send(EMPTY_TWIML);
    };

    scope.post(paths.inbound, { bodyLimit: WEBHOOK_BODY_LIMIT }, handle(handlers.onMessage));
    scope.post(paths.status, { bodyLimit: WEBHOOK_BODY_LIMIT }, handle(handlers.onStatus));
  });
}
