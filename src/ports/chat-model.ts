/**
 * A chat model with function tools and structured output, as the OpenAI engine and the model-assisted
 * tools (kb build, QA review) see it. `adapters/llm` implements it over the official `openai` SDK (any
 * OpenAI-compatible server); the engine never imports the SDK. One `complete` is one HTTP request: the
 * caller owns retries, the circuit breaker and the budget (src/agent/openai/resilience.ts).
 *
 * Failures surface as `ModelCallError` (src/errors.ts) with a `kind` that says whether a retry may help.
 */

/** A function the model may call; `parameters` is a JSON Schema object (from zod via `z.toJSONSchema`). */
export interface ChatToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export interface ChatToolCall {
  /** The provider's id; the tool result message must quote it. */
  id: string;
  name: string;
  /** The raw JSON text the model wrote; validated by the tool's own zod schema, never trusted. */
  arguments: string;
}

export type ChatMessage =
  | { role: "system"; content: string }
  | { role: "user"; content: string }
  | { role: "assistant"; content: string | null; toolCalls?: ChatToolCall[] }
  | { role: "tool"; toolCallId: string; content: string };

/** Structured output: the final content must be JSON matching `schema` (`response_format: json_schema`). */
export interface ChatResponseFormat {
  name: string;
  description?: string;
  schema: Record<string, unknown>;
  /** Ask the provider to enforce the schema exactly (OpenAI strict mode). */
  strict?: boolean;
}

export interface ChatRequest {
  messages: ChatMessage[];
  tools?: ChatToolSpec[];
  /** `none` makes the model answer without calling a tool (the last allowed round). */
  toolChoice?: "auto" | "none" | "required";
  responseFormat?: ChatResponseFormat;
  /** Overrides of the model's configured defaults for this call. */
  temperature?: number;
  maxTokens?: number;
  /** What the call is for (`answer`, `summary`, `kb_build`, `qa_review`): labels metrics. */
  purpose?: string;
}

export interface ChatUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface ChatResponse {
  /** The assistant's text (JSON when a response format was asked for); null when it only called tools. */
  content: string | null;
  /** Set when the model declined to answer (OpenAI's `refusal`). */
  refusal: string | null;
  toolCalls: ChatToolCall[];
  /** `stop`, `tool_calls`, `length`, `content_filter`... as the provider said it. */
  finishReason: string;
  usage: ChatUsage;
  /** The model that actually served the request. */
  model: string;
}

export interface ChatModel {
  /** The configured model name (`gpt-4o-mini`, `llama3.1:8b`...). */
  readonly model: string;
  complete(request: ChatRequest): Promise<ChatResponse>;
}

/** Money spent on models per calendar day, shared by every worker (Redis in production). */
export interface SpendLedger {
  /** Add `usd` to the total of `day` (YYYY-MM-DD, UTC) and return the new total. */
  add(day: string, usd: number): Promise<number>;
  /** The total spent on `day` so far. */
  total(day: string): Promise<number>;
}
