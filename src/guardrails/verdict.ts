/** Building verdicts the same way in every guard: `guardrail`, `passed`, `code` when failed, a `detail`. */
import type { GuardrailVerdict } from "../domain/model.js";
import type { Draft, TurnContext } from "../ports/agent-engine.js";

export function pass(guardrail: string, detail: string): GuardrailVerdict {
  return { guardrail, passed: true, detail };
}

export function fail(guardrail: string, code: string, detail: string): GuardrailVerdict {
  return { guardrail, passed: false, code, detail: detail.slice(0, 500) };
}

/** The customer's own words this conversation (this message and earlier inbound ones). */
export function customerWrote(turn: TurnContext): string {
  return [turn.message.text, ...turn.history.filter((message) => message.author === "customer").map((message) => message.text)].join("\n");
}

/** The customer the reply is for: verified this turn, or earlier in the conversation. */
export function verifiedCustomerIdOf(draft: Draft, turn: TurnContext): string | undefined {
  return draft.verifiedCustomerId ?? turn.conversation.customerId;
}

/** Facts a reply may draw on: everything but the customer's own words and other customers' records. */
export function trustedFacts(draft: Draft, turn: TurnContext): Draft["facts"] {
  const customerId = verifiedCustomerIdOf(draft, turn);
  return draft.facts.filter((fact) => fact.source !== "customer" && (fact.customerId === undefined || fact.customerId === customerId));
}
