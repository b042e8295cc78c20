/**
 * A web chat server for integration tests: the core's HTTP server with the web chat channel on port 0,
 * plus a `ws` client that speaks the protocol and records every frame it receives.
 */
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import WebSocket from "ws";
import { createWebchatAdapter, type WebchatAdapter } from "../../channels/webchat/index.js";
import type { WebchatAdapterOptions } from "../../channels/webchat/config.js";
import { silentLogger } from "../../src/logging/logger.js";
import type { ChannelContext } from "../../src/ports/channel-adapter.js";

export const WEBCHAT_TEST_SECRET = "webchat-test-secret-0123456789abcdef";

export interface ServedWebchat {
  app: FastifyInstance;
  adapter: WebchatAdapter;
  baseUrl: string;
  wsUrl: string;
  close(): Promise<void>;
}

/** Serve the channel on a bare Fastify app (the channel registers @fastify/websocket itself) or on `app`. */
export async function serveWebchat(
  app: FastifyInstance,
  context: ChannelContext,
  options: Partial<WebchatAdapterOptions> & { settings?: Record<string, unknown> } = {},
): Promise<ServedWebchat> {
  const adapter = createWebchatAdapter({
    sessionSecret: WEBCHAT_TEST_SECRET,
    ...options,
    settings: { id: "webchat", kind: "webchat", ...options.settings },
  });
  await adapter.registerRoutes(app, context);
  await app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = app.server.address() as AddressInfo;
  return {
    app,
    adapter,
    baseUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/webchat/ws`,
    async close() {
      await adapter.stop();
      await app.close();
    },
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- frames are untyped JSON; tests assert their shape
export type Frame = Record<string, any>;

export async function newSession(baseUrl: string, body: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const response = await fetch(`${baseUrl}/webchat/sessions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Frame };
}

/** A protocol client that keeps every frame and lets a test wait for the one it expects. */
export class ChatClient {
  readonly frames: Frame[] = [];
  closed: { code: number; reason: string } | undefined;
  private waiters: Array<{ match: (frame: Frame) => boolean; resolve: (frame: Frame) => void }> = [];
  private closeWaiters: Array<(info: { code: number; reason: string }) => void> = [];

  private constructor(readonly socket: WebSocket) {
    socket.on("message", (data) => {
      const frame = JSON.parse((data as Buffer).toString("utf8")) as Frame;
      this.frames.push(frame);
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.match(frame)) return true;
        waiter.resolve(frame);
        return false;
      });
    });
    socket.on("close", (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      for (const resolve of this.closeWaiters) resolve(this.closed);
    });
    socket.on("error", () => undefined);
  }

  static async open(wsUrl: string, headers: Record<string, string> = {}): Promise<ChatClient> {
    const socket = new WebSocket(wsUrl, { headers });
    const client = new ChatClient(socket);
    await once(socket, "open");
    return client;
  }

  /** Open and authenticate; resolves with the `ready` frame. */
  static async connect(wsUrl: string, token: string): Promise<{ client: ChatClient; ready: Frame }> {
    const client = await ChatClient.open(wsUrl);
    const ready = client.next((frame) => frame.type === "ready");
    client.send({ type: "auth", token });
    return { client, ready: await ready };
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /** The next frame (from now on) that matches. */
  next(match: (frame: Frame) => boolean, timeoutMs = 5_000): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames.slice(-5))}`)), timeoutMs);
      this.waiters.push({
        match,
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
      });
    });
  }

  /** A frame already received or the next one that matches. */
  seen(match: (frame: Frame) => boolean, timeoutMs = 5_000): Promise<Frame> {
    const earlier = this.frames.find(match);
    return earlier ? Promise.resolve(earlier) : this.next(match, timeoutMs);
  }

  waitClose(timeoutMs = 5_000): Promise<{ code: number; reason: string }> {
    if (this.closed) return Promise.resolve(this.closed);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`socket still open after ${timeoutMs} ms`)), timeoutMs);
      this.closeWaiters.push((info) => {
        clearTimeout(timer);
        resolve(info);
      });
    });
  }

  close(): void {
    this.socket.close();
  }
}

export const quietLogger = silentLogger;
