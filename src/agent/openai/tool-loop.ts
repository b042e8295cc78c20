/**
 * The model's tool loop for one turn: ask, run the tools it calls (arguments validated by each tool's
 * zod schema), hand the results back as fenced data, and repeat until it gives its final structured
 * answer, a tool ends the turn (escalation, identity check), or the round limit is reached. The last
 * allowed request sets `tool_choice: none`, so a well-behaved model must answer then; one that still
 * calls tools ends the turn with `tool_rounds_exceeded`. Every grounding fact a tool returned is
 * collected: they, and only they, ground the reply's amounts and dates.
 */
import type { z } from "zod";
import type { GroundingFact } from "../../ports/agent-engine.js";
import type { ChatMessage, ChatResponse, ChatResponseFormat, ChatToolCall, ChatToolSpec } from "../../ports/chat-model.js";
import { fence } from "./data-fence.js";
import { FINAL_ANSWER_FORMAT, FinalAnswer, parseStructured } from "./final-answer.js";
import { strictJsonSchema } from "./json-schema.js";
import type { CallOptions, ResilientChatModel } from "./resilient-model.js";

export type ToolResult<Stop> = { kind: "data"; text: string; facts: GroundingFact[] } | { kind: "stop"; stop: Stop };

export interface EngineTool<Stop> {
  readonly spec: ChatToolSpec;
  /** Validates the model's arguments and runs; a thrown error becomes an error result for the model. */
  invoke(rawArguments: unknown): Promise<ToolResult<Stop>>;
}

export class ToolArgumentsError extends Error {}

export function defineTool<Args, Stop>(definition: {
  name: string;
  description: string;
  args: z.ZodType<Args>;
  run: (args: Args) => Promise<ToolResult<Stop>>;
}): EngineTool<Stop> {
  return {
    spec: { name: definition.name, description: definition.description, parameters: strictJsonSchema(definition.args) },
    async invoke(rawArguments) {
      const parsed = definition.args.safeParse(rawArguments);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new ToolArgumentsError(`invalid arguments: ${issue ? `${issue.path.join(".") || "(root)"}: ${issue.message}` : "invalid"}`);
      }
      return definition.run(parsed.data);
    },
  };
}

export interface ToolLoopInput<Stop> {
  model: ResilientChatModel;
  messages: ChatMessage[];
  tools: ReadonlyArray<EngineTool<Stop>>;
  /** Rounds in which the model may call tools; one more request asks for the final answer. */
  maxRounds: number;
  maxCallsPerRound?: number;
  boundary: string;
  /** The final answer's structured output (default: any category). */
  finalFormat?: ChatResponseFormat;
  callOptions?: CallOptions;
}

interface LoopTrace {
  facts: GroundingFact[];
  /** Names of the tools called, in order (for the decision record and tests). */
  toolCalls: string[];
  requests: number;
}

export type ToolLoopOutcome<Stop> =
  | ({ kind: "final"; answer: FinalAnswer } & LoopTrace)
  | ({ kind: "stopped"; stop: Stop } & LoopTrace)
  | ({ kind: "rounds_exceeded" } & LoopTrace);

type Step = { kind: "calls"; calls: ChatToolCall[]; content: string | null } | { kind: "final"; answer: FinalAnswer };

function parseStep(response: ChatResponse): Step {
  if (response.toolCalls.length > 0) return { kind: "calls", calls: response.toolCalls, content: response.content };
  return { kind: "final", answer: parseStructured(response, FinalAnswer, "final answer") };
}

function addFacts(into: GroundingFact[], facts: readonly GroundingFact[]): void {
  for (const fact of facts) {
    if (!into.some((known) => known.ref === fact.ref && known.text === fact.text)) into.push(fact);
  }
}

export async function runToolLoop<Stop>(input: ToolLoopInput<Stop>): Promise<ToolLoopOutcome<Stop>> {
  const messages = [...input.messages];
  const byName = new Map(input.tools.map((tool) => [tool.spec.name, tool]));
  const maxCalls = input.maxCallsPerRound ?? 6;
  const trace: LoopTrace = { facts: [], toolCalls: [], requests: 0 };

  for (let round = 0; round <= input.maxRounds; round += 1) {
    const last = round === input.maxRounds;
    trace.requests += 1;
    const { value: step } = await input.model.call(
      {
        messages,
        tools: input.tools.map((tool) => tool.spec),
        toolChoice: last ? "none" : "auto",
        responseFormat: input.finalFormat ?? FINAL_ANSWER_FORMAT,
        purpose: "answer",
      },
      parseStep,
      input.callOptions,
    );
    if (step.kind === "final") return { kind: "final", answer: step.answer, ...trace };
    if (last) break;

    messages.push({ role: "assistant", content: step.content, toolCalls: step.calls });
    for (const [index, call] of step.calls.entries()) {
      trace.toolCalls.push(call.name);
      const result = index >= maxCalls ? { kind: "error" as const, text: `error: at most ${maxCalls} tool calls per round` } : await runOne(byName, call);
      if (result.kind === "stop") return { kind: "stopped", stop: result.stop, ...trace };
      if (result.kind === "data") addFacts(trace.facts, result.facts);
      messages.push({ role: "tool", toolCallId: call.id, content: fence(input.boundary, `tool:${call.name}`, result.text) });
    }
  }
  return { kind: "rounds_exceeded", ...trace };
}

async function runOne<Stop>(
  tools: ReadonlyMap<string, EngineTool<Stop>>,
  call: ChatToolCall,
): Promise<ToolResult<Stop> | { kind: "error"; text: string }> {
  const tool = tools.get(call.name);
  if (!tool) return { kind: "error", text: `error: there is no tool named "${call.name.slice(0, 60)}"` };
  let args: unknown;
  try {
    args = call.arguments.trim() === "" ? {} : JSON.parse(call.arguments);
  } catch {
    return { kind: "error", text: "error: the arguments are not valid JSON" };
  }
  try {
    return await tool.invoke(args);
  } catch (error) {
    if (error instanceof ToolArgumentsError) return { kind: "error", text: `error: ${error.message}` };
    // A failing account system is not the model's to work around: the caller decides (escalation).
    throw error;
  }
}
