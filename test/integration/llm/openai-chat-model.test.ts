/**
 * The OpenAI adapter through the real SDK against the fake Chat Completions server: the wire format it
 * sends (tools, response_format, auth), what it makes of answers, and how each failure is classified.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createOpenAIChatModel, retryAfterMsFrom } from "../../../adapters/llm/index.js";
import { ModelCallError } from "../../../src/errors.js";
import type { ChatModel } from "../../../src/ports/chat-model.js";
import { startFakeOpenAI, type FakeOpenAIServer } from "../../fakes/openai-server.js";

let fake: FakeOpenAIServer;
let model: ChatModel;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  model = createOpenAIChatModel({ apiKey: fake.apiKey, baseURL: fake.baseURL, model: "gpt-test", timeoutMs: 2_500, temperature: 0.1, maxTokens: 300 });
});
afterAll(async () => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
  fake.setScript(undefined);
});

async function failure(promise: Promise<unknown>): Promise<ModelCallError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ModelCallError);
    return error as ModelCallError;
  }
  throw new Error("expected the call to fail");
}

const hello = { messages: [{ role: "system" as const, content: "be brief" }, { role: "user" as const, content: "hi" }] };

describe("OpenAI chat model adapter", () => {
  it("sends tools, tool choice, response format, temperature and max tokens on the wire, with bearer auth", async () => {
    fake.enqueue({ kind: "tool_calls", calls: [{ name: "search_knowledge_base", arguments: { query: "late fee" }, id: "call_1" }], usage: { prompt_tokens: 50, completion_tokens: 7 } });
    const response = await model.complete({
      ...hello,
      tools: [{ name: "search_knowledge_base", description: "search", parameters: { type: "object", properties: { query: { type: "string" } }, required: ["query"], additionalProperties: false } }],
      responseFormat: { name: "final_answer", schema: { type: "object", properties: {}, additionalProperties: false } },
    });
    expect(response.finishReason).toBe("tool_calls");
    expect(response.toolCalls).toEqual([{ id: "call_1", name: "search_knowledge_base", arguments: '{"query":"late fee"}' }]);
    expect(response.usage).toEqual({ promptTokens: 50, completionTokens: 7, totalTokens: 57 });
    const [request] = fake.requests;
    expect(request?.authorization).toBe(`Bearer ${fake.apiKey}`);
    expect(request?.body.model).toBe("gpt-test");
    expect(request?.body.temperature).toBe(0.1);
    expect(request?.body.max_tokens).toBe(300);
    expect(request?.body.tool_choice).toBe("auto");
    expect(request?.body.tools?.[0]).toMatchObject({ type: "function", function: { name: "search_knowledge_base" } });
    expect(request?.body.response_format).toMatchObject({ type: "json_schema", json_schema: { name: "final_answer", strict: true } });
  });

  it("sends tool results back with their call ids", async () => {
    fake.enqueue({ kind: "json", json: { ok: true } });
    const response = await model.complete({
      messages: [
        { role: "user", content: "q" },
        { role: "assistant", content: null, toolCalls: [{ id: "call_9", name: "f", arguments: "{}" }] },
        { role: "tool", toolCallId: "call_9", content: "result" },
      ],
    });
    expect(response.content).toBe('{"ok":true}');
    const messages = fake.requests[0]?.body.messages ?? [];
    expect(messages[1]).toMatchObject({ role: "assistant", tool_calls: [{ id: "call_9", type: "function", function: { name: "f", arguments: "{}" } }] });
    expect(messages[2]).toEqual({ role: "tool", tool_call_id: "call_9", content: "result" });
  });

  it("reports a refusal", async () => {
    fake.enqueue({ kind: "refusal", refusal: "I can't help with that." });
    const response = await model.complete(hello);
    expect(response.refusal).toBe("I can't help with that.");
    expect(response.content).toBeNull();
  });

  it("classifies 429 with retry-after as rate_limited and retryable, honouring the header", async () => {
    fake.enqueue({ kind: "error", status: 429, headers: { "retry-after": "2" } });
    const error = await failure(model.complete(hello));
    expect(error.kind).toBe("rate_limited");
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(2_000);
    expect(error.status).toBe(429);
  });

  it("classifies 500 as a retryable server failure and 400 as a bad request that is not retried", async () => {
    fake.enqueue({ kind: "error", status: 500 }, { kind: "error", status: 400, message: "bad schema" });
    const server = await failure(model.complete(hello));
    expect(server.kind).toBe("server");
    expect(server.retryable).toBe(true);
    const bad = await failure(model.complete(hello));
    expect(bad.kind).toBe("bad_request");
    expect(bad.retryable).toBe(false);
  });

  it("times out on a slow answer (the SDK's own retries are off: exactly one request)", async () => {
    fake.enqueue({ kind: "slow", delayMs: 6_000, then: { kind: "json", json: {} } });
    const error = await failure(model.complete(hello));
    expect(error.kind).toBe("timeout");
    expect(error.retryable).toBe(true);
    expect(fake.requests).toHaveLength(1);
  });

  it("treats a body that is not JSON as malformed", async () => {
    fake.enqueue({ kind: "broken_body" });
    const error = await failure(model.complete(hello));
    expect(error.kind).toBe("malformed");
  });

  it("refuses a wrong key as an auth failure that is not retried", async () => {
    const wrong = createOpenAIChatModel({ apiKey: "sk-wrong", baseURL: fake.baseURL, model: "gpt-test" });
    const error = await failure(wrong.complete(hello));
    expect(error.kind).toBe("auth");
    expect(error.retryable).toBe(false);
    expect(error.message).not.toContain("sk-wrong");
  });

  it("reports an unreachable server as a connection failure", async () => {
    const nowhere = createOpenAIChatModel({ apiKey: "k", baseURL: "http://127.0.0.1:9/v1", model: "m", timeoutMs: 1_000 });
    const error = await failure(nowhere.complete(hello));
    expect(["connection", "timeout"]).toContain(error.kind);
    expect(error.retryable).toBe(true);
  });

  it("reads Retry-After as seconds, an HTTP date or retry-after-ms", () => {
    expect(retryAfterMsFrom(new Headers({ "retry-after": "3" }))).toBe(3_000);
    expect(retryAfterMsFrom(new Headers({ "retry-after-ms": "250", "retry-after": "9" }))).toBe(250);
    expect(retryAfterMsFrom(new Headers({ "retry-after": new Date(10_000).toUTCString() }), 4_000)).toBe(6_000);
    expect(retryAfterMsFrom(new Headers({ "retry-after": "soon" }))).toBeUndefined();
  });
});
