/**
 * The HTTP side of one Bot Framework channel: `POST /api/messages/<id>`, the bot's messaging endpoint.
 * Each channel registers its own literal path, so an id no channel owns falls through to the server's
 * 404 without reading the body. The route lives in its own Fastify scope that accepts only JSON bodies
 * (anything else: 415) up to a limit (413), and maps every refusal to a status in one place.
 */
import type { Activity, InvokeResponse } from "botbuilder";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { z } from "zod";
import { httpStatusFor, SwitchboardError, ValidationError } from "../../../src/errors.js";

/** Activities are small (Teams caps a message near 28 KB); cards and entities fit well under this. */
export const ACTIVITY_BODY_LIMIT = 256 * 1024;

export function messagesPath(channelId: string): string {
  return `/api/messages/${channelId}`;
}

/** A refusal with the HTTP status the Bot Framework expects (401 for a failed token check). */
export class ActivityRefusedError extends SwitchboardError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** What every activity has; the rest is checked once the sender is authenticated. */
const ActivityEnvelope = z.object({ type: z.string().min(1).max(64) }).passthrough();

export interface BotFrameworkRouteHandlers {
  channelId: string;
  logger: Logger;
  /** Authenticate and handle one activity; resolves with the turn's invoke response, if any. */
  onActivity: (activity: Activity, authHeader: string) => Promise<InvokeResponse | undefined>;
}

export async function registerBotFrameworkRoutes(app: FastifyInstance, handlers: BotFrameworkRouteHandlers): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("application/json", { parseAs: "string", bodyLimit: ACTIVITY_BODY_LIMIT }, (_request, body, done) => {
      try {
        done(null, JSON.parse(body as string));
      } catch (error) {
        done(new ValidationError("the body is not valid JSON", { cause: error }), undefined);
      }
    });
    scope.setErrorHandler((error: FastifyError | SwitchboardError, request, reply) => refuse(error, request, reply, handlers.logger));

    scope.post(messagesPath(handlers.channelId), { bodyLimit: ACTIVITY_BODY_LIMIT }, async (request, reply) => {
      const envelope = ActivityEnvelope.safeParse(request.body);
      if (!envelope.success) throw new ValidationError("the body is not a Bot Framework activity (a JSON object with a `type`)");
      const activity = withDates(envelope.data as unknown as Activity);
      const authorization = request.headers.authorization;
      const answer = await handlers.onActivity(activity, typeof authorization === "string" ? authorization : "");
      if (answer?.body !== undefined && answer.body !== null) return reply.code(answer.status).send(answer.body);
      return reply.code(answer?.status ?? 200).send();
    });
  });
}

function refuse(error: FastifyError | SwitchboardError, request: FastifyRequest, reply: FastifyReply, logger: Logger): FastifyReply {
  const status =
    error instanceof ActivityRefusedError
      ? error.status
      : error instanceof SwitchboardError
        ? httpStatusFor(error)
        : typeof error.statusCode === "number" && error.statusCode >= 400
          ? error.statusCode
          : 500;
  const code = error instanceof SwitchboardError ? error.code : (error.code ?? "internal");
  if (status >= 500) logger.error({ err: error, path: request.url }, "Bot Framework activity failed; the channel may retry it");
  else if (status === 401 || status === 403) logger.warn({ code, path: request.url, ip: request.ip }, "refused an unauthenticated Bot Framework activity");
  else logger.info({ code, status, path: request.url }, "refused a Bot Framework activity");
  const message = status >= 500 ? "internal error" : error.message;
  return reply.code(status).type("application/json").send({ error: code, message });
}

/** As botbuilder's own `process` does: timestamps arrive as strings, the SDK types them as dates. */
function withDates(activity: Activity): Activity {
  const raw = activity as unknown as Record<string, unknown>;
  for (const field of ["timestamp", "localTimestamp", "expiration"] as const) {
    const value = raw[field];
    if (typeof value !== "string") continue;
    const date = new Date(value);
    raw[`raw${field[0]!.toUpperCase()}${field.slice(1)}`] = value;
    if (Number.isNaN(date.getTime())) delete raw[field];
    else raw[field] = date;
  }
  return activity;
}
