/**
 * The model's final answer for a turn, as structured output: the reply, whether the AI handles it or a
 * person should, the topic, and how sure the model is. Parsed with zod: content that is not this JSON is
 * a malformed answer (retried, then the fallback answers).
 */
import { z } from "zod";
import { ModelCallError } from "../../errors.js";
import type { ChatResponse, ChatResponseFormat } from "../../ports/chat-model.js";
import { strictJsonSchema } from "./json-schema.js";

export const FinalAnswer = z.object({
  reply: z.string().max(4_000),
  route: z.enum(["ai", "human"]),
  category: z
    .string()
    .max(60)
    .transform((value) => value.trim().toLowerCase().replace(/[^a-z0-9_]+/g, "_").replace(/^_+|_+$/g, "") || "other"),
  confidence: z.number().min(0).max(1),
  /** The reply asks the customer a question to understand them (the routing counts these). */
  clarifying_question: z.boolean(),
  escalation_reason: z.string().max(300).nullable(),
});
export type FinalAnswer = z.infer<typeof FinalAnswer>;

export interface CategoryChoice {
  id: string;
  name: string;
}

/**
 * The structured-output format of the final answer. With the knowledge base's categories the model must
 * pick one of their ids (or `other`), so the routing's category rules apply to its drafts as to the
 * embedded engine's.
 */
export function finalAnswerFormat(categories: readonly CategoryChoice[] = []): ChatResponseFormat {
  const schema = strictJsonSchema(FinalAnswer) as { properties: Record<string, unknown> };
  if (categories.length > 0) {
    const ids = [...new Set([...categories.map((category) => category.id), "other"])];
    schema.properties.category = {
      type: "string",
      enum: ids,
      description: `The topic: ${categories.map((category) => `${category.id} (${category.name})`).join(", ")}, or other.`,
    };
  }
  return { name: "support_reply", description: "The reply to the customer and how to route the conversation", schema, strict: true };
}

export const FINAL_ANSWER_FORMAT: ChatResponseFormat = finalAnswerFormat();

/** A category outside the knowledge base's list (a server that does not enforce the enum) becomes `other`. */
export function knownCategory(answer: FinalAnswer, categories: readonly CategoryChoice[]): FinalAnswer {
  if (categories.length === 0 || categories.some((category) => category.id === answer.category)) return answer;
  return { ...answer, category: "other" };
}

/** Parse JSON content against a zod schema; refusals and anything else become a ModelCallError. */
export function parseStructured<T>(response: ChatResponse, schema: z.ZodType<T>, what: string): T {
  if (response.refusal !== null) throw new ModelCallError("refusal", `the model declined: ${response.refusal.slice(0, 200)}`);
  if (response.finishReason === "content_filter") throw new ModelCallError("refusal", "the provider's content filter stopped the answer");
  if (response.content === null || response.content.trim() === "") throw new ModelCallError("malformed", `the model sent no ${what}`);
  let data: unknown;
  try {
    data = JSON.parse(stripCodeFence(response.content));
  } catch {
    const cut = response.finishReason === "length" ? " (cut off at the token limit)" : "";
    throw new ModelCallError("malformed", `the model's ${what} is not JSON${cut}`);
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ModelCallError("malformed", `the model's ${what} does not match its schema: ${issue ? `${issue.path.join(".")}: ${issue.message}` : "invalid"}`);
  }
  return parsed.data;
}

/** Some compatible servers wrap JSON in a Markdown code fence even in JSON mode. */
function stripCodeFence(text: string): string {
  const match = /^\s*```(?:json)?\s*\n([\s\S]*?)\n\s*```\s*$/.exec(text);
  return match?.[1] ?? text;
}
