/**
 * The one Fastify server: health, readiness, metrics, and every channel's inbound routes (webhooks,
 * the web chat page and socket). Errors map to HTTP statuses in one place (`httpStatusFor`).
 */
import formbody from "@fastify/formbody";
import websocket from "@fastify/websocket";
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from "fastify";
import { SwitchboardError, httpStatusFor } from "../errors.js";
import type { Logger } from "../logging/logger.js";
import type { SwitchboardMetrics } from "../observability/metrics.js";
import type { ChannelAdapter, ChannelContext } from "../ports/channel-adapter.js";

export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

export interface HttpServerOptions {
  logger: Logger;
  metrics: SwitchboardMetrics;
  readiness: readonly ReadinessCheck[];
  channels: readonly ChannelAdapter[];
  channelContext: ChannelContext;
  /** Extra routes (desks, admin) registered after the channels. */
  routes?: ReadonlyArray<(app: FastifyInstance) => void | Promise<void>>;
  /** Largest request body accepted, bytes (webhooks are small; media arrives by URL). */
  bodyLimit?: number;
  /** Fastify's trustProxy: which proxies may set X-Forwarded-For (default: none). */
  trustProxy?: boolean | number | string[];
  /** WebSocket frames larger than this close the socket (1009). */
  maxWebSocketPayload?: number;
  readinessTimeoutMs?: number;
}

async function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A hop count becomes "trust the nearest N proxies" (proxy-addr's hop index starts at 0). */
function trustProxySetting(value: boolean | number | string[] | undefined): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof value === "number") return (_address, hop) => hop < value;
  return value ?? false;
}

export async function createHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  // Typed as Fastify's base logger so the instance type matches what channels receive.
  const loggerInstance: FastifyBaseLogger = options.logger;
  const app = Fastify({
    loggerInstance,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    trustProxy: trustProxySetting(options.trustProxy),
    // Request lines would carry URLs with tokens and add noise; refusals and failures are logged below.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
  });

  await app.register(formbody);
  await app.register(websocket, { options: { maxPayload: options.maxWebSocketPayload ?? 64 * 1024 } });

  app.setErrorHandler((error: FastifyError | SwitchboardError, request, reply) => {
    const status =
      error instanceof SwitchboardError
        ? httpStatusFor(error)
        : typeof error.statusCode === "number" && error.statusCode >= 400
          ? error.statusCode
          : 500;
    if (status >= 500) request.log.error({ err: error, url: request.url }, "request failed");
    else request.log.info({ code: error.code, status, url: request.url }, "request refused");
    const code = error instanceof SwitchboardError ? error.code : (error.code ?? "internal");
    const message = status >= 500 ? "internal error" : error.message;
    void reply.status(status).send({ error: code, message });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ error: "not_found", message: `no route for ${request.method} ${request.url.split("?")[0]}` });
  });

  app.get("/healthz", async () => ({ status: "ok" }));

  app.get("/readyz", async (_request, reply) => {
    const timeout = options.readinessTimeoutMs ?? 2_000;
    const results = await Promise.all(
      options.readiness.map(async (probe) => {
        const name = probe.name;
        try {
          await withTimeout(probe.check(), timeout);
          return { name, ok: true as const };
        } catch (error) {
          return { name, ok: false as const, error: error instanceof Error ? error.message : String(error) };
        }
      }),
    );
    const ready = results.every((result) => result.ok);
    return reply.status(ready ? 200 : 503).send({ status: ready ? "ready" : "not_ready", checks: results });
  });

  app.get("/metrics", async (_request, reply) => {
    const { contentType, body } = await options.metrics.render();
    return reply.type(contentType).send(body);
  });

  for (const channel of options.channels) {
    if (channel.registerRoutes) await channel.registerRoutes(app, options.channelContext);
  }
  for (const register of options.routes ?? []) await register(app);
  return app;
}
