/**
 * Slack's Socket Mode side on loopback: the WebSocket that `apps.connections.open` points at. It greets
 * the client with `hello`, pushes envelopes (`events_api`, `interactive`) and collects the client's acks
 * (`{ envelope_id, payload }`), as Slack does.
 */
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import type { FakeSlackApi } from "./slack-api.js";

export class FakeSlackSocket {
  private readonly server: WebSocketServer;
  private client: WebSocket | undefined;
  private readonly waiting = new Map<string, (ack: Record<string, unknown>) => void>();
  readonly acks: Array<Record<string, unknown>> = [];

  private constructor(server: WebSocketServer) {
    this.server = server;
    server.on("connection", (socket) => {
      this.client = socket;
      socket.on("message", (data: Buffer) => {
        const ack = JSON.parse(data.toString("utf8")) as Record<string, unknown>;
        this.acks.push(ack);
        const resolve = this.waiting.get(String(ack.envelope_id));
        if (resolve) {
          this.waiting.delete(String(ack.envelope_id));
          resolve(ack);
        }
      });
      socket.send(JSON.stringify({ type: "hello", num_connections: 1, debug_info: { host: "fake", approximate_connection_time: 18060 }, connection_info: { app_id: "A0FAKE" } }));
    });
  }

  /** Start the socket server and point the fake Web API's `apps.connections.open` at it. */
  static async start(api: FakeSlackApi): Promise<FakeSlackSocket> {
    const server = new WebSocketServer({ port: 0, host: "127.0.0.1" });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    api.socketUrl = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/link/?ticket=${randomUUID()}`;
    return new FakeSlackSocket(server);
  }

  get connected(): boolean {
    return this.client !== undefined;
  }

  /** Push an envelope and wait for the client's ack. */
  async push(type: "events_api" | "interactive", payload: Record<string, unknown>, options: { retryAttempt?: number; timeoutMs?: number } = {}): Promise<Record<string, unknown>> {
    if (!this.client) throw new Error("no Socket Mode client is connected");
    const envelopeId = randomUUID();
    const acked = new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ack for envelope ${envelopeId}`)), options.timeoutMs ?? 3_000);
      this.waiting.set(envelopeId, (ack) => {
        clearTimeout(timer);
        resolve(ack);
      });
    });
    this.client.send(
      JSON.stringify({
        envelope_id: envelopeId,
        type,
        payload,
        accepts_response_payload: type === "interactive",
        ...(type === "events_api" ? { retry_attempt: options.retryAttempt ?? 0, retry_reason: options.retryAttempt ? "timeout" : "" } : {}),
      }),
    );
    return acked;
  }

  async stop(): Promise<void> {
    for (const socket of this.server.clients) socket.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
