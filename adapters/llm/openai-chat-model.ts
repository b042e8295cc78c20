/**
 * `ChatModel` over the official `openai` SDK (v6): Chat Completions with function tools and
 * `response_format: json_schema`. `baseURL` points it at any OpenAI-compatible server (vLLM, Ollama,
 * llama.cpp server, Azure OpenAI's v1 endpoint, a gateway). The SDK's own retries are off
 * (`maxRetries: 0`): retries, backoff, the circuit breaker and the budget belong to the caller, which sees
 * every failure as a `ModelCallError` with a kind that says whether a retry may help.
 */
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import type {
  ChatCompletion,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from "openai/resources/chat/completions";
import { z } from "zod";
import { ConfigError, ModelCallError, errorMessage } from "../../src/errors.js";
import type { ChatMessage, ChatModel, ChatRequest, ChatResponse, ChatToolCall } from "../../src/ports/chat-model.js";

export interface OpenAIChatModelOptions {
  apiKey: string;
  model: string;
  /** Unset: api.openai.com. Any OpenAI-compatible server's `/v1` base otherwise. */
  baseURL?: string;
  /** Per request, in milliseconds (the SDK aborts and we report `timeout`). */
  timeoutMs?: number;
  temperature?: number;
  maxTokens?: number;
  /** Injected for tests and proxies; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Extra headers for gateways (for example an `api-key` header some proxies want). */
  defaultHeaders?: Record<string, string>;
}

const Options = z.object({
  apiKey: z.string().min(1, "OPENAI_API_KEY is empty"),
  model: z.string().min(1, "OPENAI_MODEL is empty"),
  baseURL: z.string().url("OPENAI_BASE_URL must be a URL").optional(),
  timeoutMs: z.number().int().min(100).max(600_000).default(20_000),
  temperature: z.number().min(0).max(2).default(0.2),
  maxTokens: z.number().int().min(16).max(32_000).default(800),
});

function toWireMessage(message: ChatMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case "system":
      return { role: "system", content: message.content };
    case "user":
      return { role: "user", content: message.content };
    case "tool":
      return { role: "tool", tool_call_id: message.toolCallId, content: message.content };
    case "assistant":
      return {
        role: "assistant",
        content: message.content,
        ...(message.toolCalls && message.toolCalls.length > 0
          ? { tool_calls: message.toolCalls.map((call) => ({ id: call.id, type: "function" as const, function: { name: call.name, arguments: call.arguments } })) }
          : {}),
      };
  }
}

/** Seconds, an HTTP date, or OpenAI's `retry-after-ms`. */
export function retryAfterMsFrom(headers: Headers | undefined, now: number = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get("retry-after-ms");
  if (ms !== null && Number.isFinite(Number(ms)) && Number(ms) >= 0) return Number(ms);
  const value = headers.get("retry-after");
  if (value === null) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1_000;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

/** SDK errors -> one taxonomy the resilience layer understands. */
export function classifyProviderError(error: unknown): ModelCallError {
  if (error instanceof ModelCallError) return error;
  if (error instanceof APIConnectionTimeoutError) return new ModelCallError("timeout", "the model provider did not answer in time", { cause: error });
  if (error instanceof APIUserAbortError) return new ModelCallError("timeout", "the model request was aborted", { cause: error });
  if (error instanceof APIConnectionError) return new ModelCallError("connection", `cannot reach the model provider: ${error.message}`, { cause: error });
  if (error instanceof APIError) {
    // Read defensively: the SDK's declared types resolve loosely under this project's settings.
    const rawStatus: unknown = error.status;
    const rawHeaders: unknown = error.headers;
    const status = typeof rawStatus === "number" ? rawStatus : undefined;
    const retryAfterMs = retryAfterMsFrom(rawHeaders instanceof Headers ? rawHeaders : undefined);
    const extra = { ...(status !== undefined ? { status } : {}), ...(retryAfterMs !== undefined ? { retryAfterMs } : {}), cause: error };
    if (status === 429) return new ModelCallError("rate_limited", `the model provider is rate limiting (429): ${error.message}`, extra);
    if (status === 401 || status === 403) return new ModelCallError("auth", `the model provider refused the credentials (${status}); check OPENAI_API_KEY`, extra);
    if (status === 408) return new ModelCallError("timeout", "the model provider timed out (408)", extra);
    if (status !== undefined && status >= 500) return new ModelCallError("server", `the model provider failed (${status}): ${error.message}`, extra);
    return new ModelCallError("bad_request", `the model provider rejected the request (${status ?? "no status"}): ${error.message}`, extra);
  }
  // A body that is not JSON surfaces as a SyntaxError from the SDK's parser.
  if (error instanceof SyntaxError) return new ModelCallError("malformed", `the model provider sent a malformed response: ${error.message}`, { cause: error });
  return new ModelCallError("connection", `the model call failed: ${errorMessage(error)}`, { cause: error });
}

const WireToolCall = z.object({
  id: z.string().min(1),
  type: z.literal("function"),
  function: z.object({ name: z.string().min(1), arguments: z.string() }),
});

/** The provider's answer, validated: a compatible server that sends something else is a malformed response. */
function fromCompletion(completion: ChatCompletion, fallbackModel: string): ChatResponse {
  const choice = completion.choices?.[0];
  if (!choice?.message) throw new ModelCallError("malformed", "the model response has no choices");
  const toolCalls: ChatToolCall[] = [];
  for (const raw of choice.message.tool_calls ?? []) {
    const parsed = WireToolCall.safeParse(raw);
    if (!parsed.success) throw new ModelCallError("malformed", "the model response holds a tool call that is not a function call");
    toolCalls.push({ id: parsed.data.id, name: parsed.data.function.name, arguments: parsed.data.function.arguments });
  }
  const usage = completion.usage;
  return {
    content: typeof choice.message.content === "string" ? choice.message.content : null,
    refusal: typeof choice.message.refusal === "string" && choice.message.refusal.length > 0 ? choice.message.refusal : null,
    toolCalls,
    finishReason: choice.finish_reason ?? "stop",
    usage: {
      promptTokens: usage?.prompt_tokens ?? 0,
      completionTokens: usage?.completion_tokens ?? 0,
      totalTokens: usage?.total_tokens ?? (usage?.prompt_tokens ?? 0) + (usage?.completion_tokens ?? 0),
    },
    model: completion.model || fallbackModel,
  };
}

export class OpenAIChatModel implements ChatModel {
  readonly model: string;
  private readonly client: OpenAI;
  private readonly temperature: number;
  private readonly maxTokens: number;

  constructor(options: OpenAIChatModelOptions) {
    const parsed = Options.safeParse(options);
    if (!parsed.success) {
      throw new ConfigError(`OpenAI client: ${parsed.error.issues.map((issue) => issue.message).join("; ")}`);
    }
    this.model = parsed.data.model;
    this.temperature = parsed.data.temperature;
    this.maxTokens = parsed.data.maxTokens;
    this.client = new OpenAI({
      apiKey: parsed.data.apiKey,
      timeout: parsed.data.timeoutMs,
      maxRetries: 0,
      ...(parsed.data.baseURL ? { baseURL: parsed.data.baseURL } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.defaultHeaders ? { defaultHeaders: options.defaultHeaders } : {}),
    });
  }

  async complete(request: ChatRequest): Promise<ChatResponse> {
    const tools: ChatCompletionTool[] | undefined = request.tools?.map((tool) => ({
      type: "function",
      function: { name: tool.name, description: tool.description, parameters: tool.parameters },
    }));
    const params: ChatCompletionCreateParamsNonStreaming = {
      model: this.model,
      messages: request.messages.map(toWireMessage),
      temperature: request.temperature ?? this.temperature,
      // `max_tokens` is what every compatible server understands (vLLM, Ollama, llama.cpp); OpenAI still accepts it.
      max_tokens: request.maxTokens ?? this.maxTokens,
      ...(tools && tools.length > 0 ? { tools, tool_choice: request.toolChoice ?? "auto" } : {}),
      ...(request.responseFormat
        ? {
            response_format: {
              type: "json_schema",
              json_schema: {
                name: request.responseFormat.name,
                schema: request.responseFormat.schema,
                strict: request.responseFormat.strict ?? true,
                ...(request.responseFormat.description ? { description: request.responseFormat.description } : {}),
              },
            },
          }
        : {}),
    };
    let completion: ChatCompletion;
    try {
      completion = await this.client.chat.completions.create(params);
    } catch (error) {
      throw classifyProviderError(error);
    }
    if (completion === null || typeof completion !== "object") throw new ModelCallError("malformed", "the model provider sent an empty response");
    return fromCompletion(completion, this.model);
  }
}

export function createOpenAIChatModel(options: OpenAIChatModelOptions): ChatModel {
  return new OpenAIChatModel(options);
}
