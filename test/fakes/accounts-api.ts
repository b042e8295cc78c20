/**
 * A loopback HTTP server speaking the company account API in the shape documented in
 * adapters/accounts/http-provider.ts, serving a `DemoAccountProvider`'s records. `mode` switches it into
 * the failures the HTTP provider must survive: 5xx, a hang, a body that is not JSON, a body of the wrong
 * shape, a body over the size cap.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { DemoAccountProvider } from "../../adapters/accounts/index.js";

export type FakeAccountsMode = "normal" | "error500" | "hang" | "malformed" | "invalid_shape" | "huge";

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

export interface FakeAccountsApi {
  url: string;
  requests: RecordedRequest[];
  mode: FakeAccountsMode;
  close(): Promise<void>;
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  response.end(text);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startFakeAccountsApi(provider: DemoAccountProvider, options: { auth?: { header: string; value: string } } = {}): Promise<FakeAccountsApi> {
  const hanging = new Set<ServerResponse>();
  const state: { mode: FakeAccountsMode } = { mode: "normal" };
  const requests: RecordedRequest[] = [];

  const server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      requests.push({ method: request.method ?? "", url: request.url ?? "", headers: request.headers, body });
      if (options.auth && request.headers[options.auth.header.toLowerCase()] !== options.auth.value) return send(response, 401, { error: "unauthorized" });
      switch (state.mode) {
        case "error500":
          return send(response, 503, { error: "maintenance" });
        case "hang":
          hanging.add(response);
          return;
        case "malformed":
          response.writeHead(200, { "content-type": "application/json" });
          return response.end('{"plans": [ {"id": "P-1", ');
        case "invalid_shape":
          return send(response, 200, { plans: [{ id: 42, installments: "soon" }], customers: [{ name: null }] });
        case "huge":
          response.writeHead(200, { "content-type": "application/json" });
          return response.end(`{"plans":[],"padding":"${"x".repeat(3_000_000)}"}`);
        case "normal":
          return route(provider, request, response, body);
      }
    })().catch((error: unknown) => send(response, 500, { error: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get mode() {
      return state.mode;
    },
    set mode(mode: FakeAccountsMode) {
      state.mode = mode;
    },
    async close() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function route(provider: DemoAccountProvider, request: IncomingMessage, response: ServerResponse, body: string): Promise<void> {
  const url = new URL(request.url ?? "/", "http://fake");
  const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  if (request.method === "GET" && parts.length === 1 && parts[0] === "customers") {
    const phone = url.searchParams.get("phone");
    const email = url.searchParams.get("email");
    const customer = await provider.findCustomer({ ...(phone ? { phone } : {}), ...(email ? { email } : {}) });
    return send(response, 200, { customers: customer ? [customer] : [] });
  }
  if (parts[0] !== "customers" || parts[1] === undefined) return send(response, 404, { error: "no such route" });
  const record = provider.snapshot(parts[1]);
  if (!record) return send(response, 404, { error: "no such customer" });
  if (request.method === "GET") {
    if (parts.length === 2) return send(response, 200, record.customer);
    const collection = parts[2];
    if (parts.length === 3 && collection === "plans") return send(response, 200, { plans: record.plans });
    if (parts.length === 3 && collection === "orders") return send(response, 200, { orders: record.orders });
    if (parts.length === 3 && collection === "refunds") return send(response, 200, { refunds: record.refunds });
    if (parts.length === 3 && collection === "disputes") return send(response, 200, { disputes: record.disputes });
    return send(response, 404, { error: "no such route" });
  }
  if (request.method === "POST") {
    const input = JSON.parse(body || "{}") as Record<string, unknown>;
    const idempotencyKey = String(request.headers["idempotency-key"] ?? "");
    if (idempotencyKey === "") return send(response, 400, { error: "Idempotency-Key required" });
    const customerId = record.customer.id;
    if (parts[2] === "plans" && parts[4] === "installments" && parts[6] === "due-date") {
      const result = await provider.actions.changeDueDate({ customerId, planId: parts[3] ?? "", installmentNumber: Number(parts[5]), newDueDate: String(input.newDueDate), idempotencyKey });
      return send(response, 200, result);
    }
    if (parts[2] === "autopay") {
      const result = await provider.actions.setAutopay({ customerId, enabled: input.enabled === true, idempotencyKey, ...(typeof input.planId === "string" ? { planId: input.planId } : {}) });
      return send(response, 200, result);
    }
    if (parts[2] === "card-update-link") {
      const result = await provider.actions.sendCardUpdateLink({ customerId, via: input.via === "sms" ? "sms" : "email", idempotencyKey });
      return send(response, 200, result);
    }
  }
  return send(response, 404, { error: "no such route" });
}
