/**
 * The conversation history the model sees: the newest messages verbatim, up to a token budget, and the
 * older part as a short summary. The summary is incremental and cached in `conversation.context`
 * (`openai.summary`), so each message is summarised once, and turns that fell out of the pipeline's
 * bounded history window stay represented. Extractive by default (free, deterministic); a cheap model
 * call when configured, with the extractive summary as its fallback.
 */
import { z } from "zod";
import type { Message } from "../../domain/model.js";

export const SummaryCache = z.object({
  /** Highest message seq folded into `text`. */
  throughSeq: z.number().int().nonnegative(),
  text: z.string().max(4_000),
});
export type SummaryCache = z.infer<typeof SummaryCache>;

const MAX_MESSAGE_CHARS = 2_000;
const EXTRACT_CHARS = 160;
const MAX_SUMMARY_CHARS = 1_200;

/** About four characters per token for English text: close enough to budget a prompt. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4) + 4;
}

export function speaker(message: Message): string {
  if (message.author === "customer") return "Customer";
  if (message.author === "ai") return "Assistant";
  if (message.author === "agent") return "Agent";
  return "System";
}

export interface HistorySplit {
  /** Newest messages that fit the budget, oldest first. */
  recent: Message[];
  /** Older messages not shown verbatim, oldest first. */
  older: Message[];
}

export function splitHistory(history: readonly Message[], budgetTokens: number): HistorySplit {
  const recent: Message[] = [];
  let used = 0;
  let index = history.length - 1;
  for (; index >= 0; index -= 1) {
    const message = history[index] as Message;
    const cost = estimateTokens(message.text.slice(0, MAX_MESSAGE_CHARS));
    if (used + cost > budgetTokens && recent.length > 0) break;
    used += cost;
    recent.unshift(message);
  }
  return { recent, older: history.slice(0, index + 1) };
}

export function transcript(messages: readonly Message[], mask: (text: string) => string): string {
  return messages
    .map((message) => `${speaker(message)}: ${mask(message.text.length > MAX_MESSAGE_CHARS ? `${message.text.slice(0, MAX_MESSAGE_CHARS)}...` : message.text)}`)
    .join("\n");
}

function firstWords(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  const sentence = /^(.{20,}?[.!?])(\s|$)/.exec(flat)?.[1] ?? flat;
  return sentence.length > EXTRACT_CHARS ? `${sentence.slice(0, EXTRACT_CHARS)}...` : sentence;
}

/** One line per message (its first sentence), newest lines kept when it grows too long. */
export function extractiveSummary(previous: string | undefined, messages: readonly Message[], mask: (text: string) => string): string {
  const lines = [...(previous ? previous.split("\n") : []), ...messages.map((message) => `${speaker(message)}: ${mask(firstWords(message.text))}`)];
  const kept: string[] = [];
  let length = 0;
  for (let index = lines.length - 1; index >= 0; index -= 1) {
    const line = lines[index] as string;
    if (line === "(earlier turns omitted)") continue;
    if (length + line.length + 1 > MAX_SUMMARY_CHARS) {
      kept.unshift("(earlier turns omitted)");
      break;
    }
    kept.unshift(line);
    length += line.length + 1;
  }
  return kept.join("\n");
}

export function cachedSummary(context: Record<string, unknown>, key: string): SummaryCache | undefined {
  const holder = context[key];
  if (holder === null || typeof holder !== "object") return undefined;
  const parsed = SummaryCache.safeParse((holder as Record<string, unknown>).summary);
  return parsed.success ? parsed.data : undefined;
}

/** Messages of `older` the cache does not cover yet. */
export function unsummarised(older: readonly Message[], cache: SummaryCache | undefined): Message[] {
  return cache ? older.filter((message) => message.seq > cache.throughSeq) : [...older];
}
