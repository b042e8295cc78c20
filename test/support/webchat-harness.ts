/**
 * Web chat on a whole in-process Switchboard for integration and e2e tests (real PostgreSQL and Redis
 * through the core's harness), plus a `ws` client that speaks the protocol and records every frame.
 */
import { once } from "node:events";
import WebSocket from "ws";
import { createWebchatAdapter, type WebchatAdapter } from "../../channels/webchat/index.js";
import type { WebchatAdapterOptions } from "../../channels/webchat/config.js";
import { verifySessionToken, type WebchatSession } from "../../channels/webchat/session-token.js";
import type { Message } from "../../src/domain/model.js";
import type { RunningSwitchboard, StartOptions } from "../../src/main.js";
import type { NewOutboundMessage } from "../../src/ports/conversation-store.js";
import type { Harness } from "./switchboard-harness.js";

export const WEBCHAT_TEST_SECRET = "webchat-test-secret-0123456789abcdef";

export interface WebchatServer {
  running: RunningSwitchboard;
  adapter: WebchatAdapter;
  baseUrl: string;
  wsUrl: string;
}

export interface WebchatStartOptions extends Omit<WebchatAdapterOptions, "settings" | "sessionSecret"> {
  settings?: Record<string, unknown>;
  role?: StartOptions["role"];
  brain?: StartOptions["brain"];
  desk?: StartOptions["desk"];
}

/** Start a Switchboard (web role unless told) whose only channel is a web chat channel `webchat`. */
export async function startWebchat(harness: Harness, options: WebchatStartOptions = {}): Promise<WebchatServer> {
  const { settings, role, brain, desk, ...adapterOptions } = options;
  const adapter = createWebchatAdapter({ ...adapterOptions, sessionSecret: WEBCHAT_TEST_SECRET, settings: { id: "webchat", kind: "webchat", ...settings } });
  const running = await harness.start({ role: role ?? "web", channels: [adapter], ...(brain ? { brain } : {}), ...(desk ? { desk } : {}) });
  const baseUrl = running.url!.replace("0.0.0.0", "127.0.0.1");
  return { running, adapter, baseUrl, wsUrl: `${baseUrl.replace(/^http/, "ws")}/webchat/ws` };
}

/** The session a token names (the test knows the secret). */
export function sessionOf(token: string): WebchatSession {
  const verified = verifySessionToken(token, WEBCHAT_TEST_SECRET, "webchat", new Date());
  if (!verified.ok) throw new Error(`token refused: ${verified.problem}`);
  return verified.session;
}

/** Store an outbound message and hand it to the channel, as the send worker does. */
export async function replyThrough(server: WebchatServer, message: NewOutboundMessage): Promise<Message> {
  const stored = await server.running.store.appendOutbound(message);
  const conversation = await server.running.store.getConversation(message.conversationId);
  const receipt = await server.adapter.send({ message: stored, conversation: conversation! });
  if (receipt.status !== "sent") throw new Error(`send answered ${receipt.status}`);
  return stored;
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
