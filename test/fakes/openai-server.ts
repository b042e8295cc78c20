/**
 * A fake OpenAI Chat Completions server on loopback: a real HTTP server speaking the wire protocol
 * (`POST {baseURL}/chat/completions`, bearer auth, `choices[0].message` with `tool_calls`, `finish_reason`,
 * `usage`), used through the official SDK with `baseURL`. Each test scripts it: a queue of replies, or a
 * function of the request. Every request is recorded so tests assert what the model was shown.
 *
 * On demand: 429 with `retry-after`, 500, a slow answer (beyond the client's timeout), a body that is not
 * JSON, content that is not the asked-for JSON, and a refusal.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  path: string;
  authorization: string | undefined;
  body: {
    model: string;
    messages: Array<{ role: string; content?: string | null; tool_call_id?: string; tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }> }>;
    tools?: Array<{ type: string; function: { name: string; description?: string; parameters: Record<string, unknown> } }>;
    tool_choice?: unknown;
    response_format?: { type: string; json_schema?: { name: string; schema: Record<string, unknown>; strict?: boolean } };
    temperature?: number;
    max_tokens?: number;
    [key: string]: unknown;
  };
}

export type FakeReply =
  /** The model calls tools (`finish_reason: tool_calls`). `arguments` objects are JSON-encoded. */
  | { kind: "tool_calls"; calls: Array<{ name: string; arguments: unknown; id?: string }>; usage?: FakeUsage }
  /** Final structured content: `json` is JSON-encoded into `message.content`. */
  | { kind: "json"; json: unknown; usage?: FakeUsage }
  /** Raw assistant text (a model ignoring the response format). */
  | { kind: "text"; content: string; finishReason?: string; usage?: FakeUsage }
  | { kind: "refusal"; refusal: string; usage?: FakeUsage }
  /** An HTTP error with OpenAI's error body, e.g. 429 with `{"retry-after": "1"}`, or 500. */
  | { kind: "error"; status: number; message?: string; headers?: Record<string, string> }
  /** A response body that is not JSON at all. */
  | { kind: "broken_body" }
  /** Wait, then send `then` (or never answer when `then` is absent: the client times out). */
  | { kind: "slow"; delayMs: number; then?: FakeReply };

export interface FakeUsage {
  prompt_tokens: number;
  completion_tokens: number;
}

export type FakeScript = (request: RecordedRequest, index: number) => FakeReply | Promise<FakeReply>;

export interface FakeOpenAIServer {
  /** The SDK's `baseURL` (ends with `/v1`). */
  baseURL: string;
  apiKey: string;
  requests: RecordedRequest[];
  /** Append replies to the queue (used when no script function is set). */
  enqueue(...replies: FakeReply[]): void;
  /** Answer every request with this function instead of the queue. */
  setScript(script: FakeScript | undefined): void;
  /** Replies still queued. */
  pending(): number;
  close(): Promise<void>;
}

const DEFAULT_USAGE: FakeUsage = { prompt_tokens: 120, completion_tokens: 30 };

function completion(model: string, message: Record<string, unknown>, finishReason: string, usage: FakeUsage = DEFAULT_USAGE) {
  return {
    id: `chatcmpl-${randomUUID()}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    system_fingerprint: "fp_fake",
    choices: [{ index: 0, message: { role: "assistant", refusal: null, annotations: [], ...message }, logprobs: null, finish_reason: finishReason }],
    usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
  };
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), "x-request-id": `req_${randomUUID()}`, ...headers });
  response.end(text);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startFakeOpenAI(options: { apiKey?: string; script?: FakeScript } = {}): Promise<FakeOpenAIServer> {
  const apiKey = options.apiKey ?? `sk-test-${randomUUID()}`;
  const queue: FakeReply[] = [];
  const requests: RecordedRequest[] = [];
  let script = options.script;
  const timers = new Set<NodeJS.Timeout>();
  const open = new Set<ServerResponse>();

  async function respond(reply: FakeReply, model: string, response: ServerResponse): Promise<void> {
    switch (reply.kind) {
      case "tool_calls":
        return sendJson(
          response,
          200,
          completion(
            model,
            {
              content: null,
              tool_calls: reply.calls.map((call) => ({
                id: call.id ?? `call_${randomUUID().replace(/-/g, "").slice(0, 24)}`,
                type: "function",
                function: { name: call.name, arguments: typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments) },
              })),
            },
            "tool_calls",
            reply.usage,
          ),
        );
      case "json":
        return sendJson(response, 200, completion(model, { content: JSON.stringify(reply.json) }, "stop", reply.usage));
      case "text":
        return sendJson(response, 200, completion(model, { content: reply.content }, reply.finishReason ?? "stop", reply.usage));
      case "refusal":
        return sendJson(response, 200, completion(model, { content: null, refusal: reply.refusal }, "stop", reply.usage));
      case "error":
        return sendJson(
          response,
          reply.status,
          { error: { message: reply.message ?? `fake error ${reply.status}`, type: reply.status === 429 ? "rate_limit_exceeded" : "server_error", param: null, code: null } },
          reply.headers ?? {},
        );
      case "broken_body":
        response.writeHead(200, { "content-type": "application/json" });
        response.end('{"id": "chatcmpl-broken", "choices": [');
        return;
      case "slow": {
        const then = reply.then;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            timers.delete(timer);
            resolve();
          }, reply.delayMs);
          timers.add(timer);
          response.once("close", () => {
            clearTimeout(timer);
            timers.delete(timer);
            resolve();
          });
        });
        if (response.destroyed || response.writableEnded) return;
        if (then) return respond(then, model, response);
        response.destroy();
        return;
      }
    }
  }

  const server: Server = createServer((request, response) => {
    open.add(response);
    response.once("close", () => open.delete(response));
    void (async () => {
      const path = request.url ?? "/";
      if (request.method !== "POST" || path !== "/v1/chat/completions") {
        return sendJson(response, 404, { error: { message: `fake: no route ${request.method} ${path}`, type: "invalid_request_error" } });
      }
      const authorization = request.headers.authorization;
      if (authorization !== `Bearer ${apiKey}`) {
        return sendJson(response, 401, { error: { message: "Incorrect API key provided.", type: "invalid_request_error", code: "invalid_api_key" } });
      }
      let body: RecordedRequest["body"];
      try {
        body = JSON.parse(await readBody(request)) as RecordedRequest["body"];
      } catch {
        return sendJson(response, 400, { error: { message: "fake: the request body is not JSON", type: "invalid_request_error" } });
      }
      const recorded: RecordedRequest = { path, authorization, body };
      requests.push(recorded);
      const reply = script ? await script(recorded, requests.length - 1) : queue.shift();
      if (!reply) {
        return sendJson(response, 500, { error: { message: "fake: no scripted response left for this request", type: "fake_error" } });
      }
      await respond(reply, body.model, response);
    })().catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { error: { message: `fake failed: ${String(error)}`, type: "fake_error" } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    apiKey,
    requests,
    enqueue: (...replies) => queue.push(...replies),
    setScript: (next) => {
      script = next;
    },
    pending: () => queue.length,
    async close() {
      for (const timer of timers) clearTimeout(timer);
      for (const response of open) response.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Everything the model was shown in one request, as one string (for "never shown" assertions). */
export function shownText(request: RecordedRequest): string {
  return request.body.messages.map((message) => `${message.content ?? ""}${JSON.stringify(message.tool_calls ?? [])}`).join("\n");
}
