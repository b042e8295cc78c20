/**
 * The guardrails applied to every draft, whatever engine wrote it (src/agent/decide-turn.ts runs them
 * all). Each guard judges a `Draft` against its `facts` and the `TurnContext`, and returns a verdict with
 * `guardrail`, `passed`, `code` when failed and a `detail`:
 *
 *   grounded_figures        ungrounded_figure        amounts, APR figures and dates must be in this turn's facts
 *   no_policy_exception     policy_exception         no refund amount, waiver, extension, skip, compensation
 *   confirmed_actions_only  unconfirmed_action       account changes only after a confirmed restatement
 *   no_data_leak            data_leak                no other customer's records, e-mails, phones, cards, ids
 *   no_instruction_leak     instruction_leak         no instructions, internal notes, reason codes
 *   no_secrets              secret_in_reply          no card numbers, tokens, keys, passwords
 *   prompt_injection        prompt_injection_obeyed  injected instructions change nothing
 */
import type { ReplyGuard } from "../ports/agent-engine.js";
import { createDataLeakGuard } from "./data-leak.js";
import { createGroundedFiguresGuard } from "./grounded-figures.js";
import { createInstructionLeakGuard, type InstructionLeakOptions } from "./instruction-leak.js";
import { createPolicyExceptionGuard } from "./policy-exception.js";
import { createPromptInjectionGuard } from "./prompt-injection.js";
import { createSecretsGuard } from "./secrets.js";
import { createUnconfirmedActionGuard } from "./unconfirmed-action.js";

export { createDataLeakGuard, NO_DATA_LEAK } from "./data-leak.js";
export { createGroundedFiguresGuard, GROUNDED_FIGURES } from "./grounded-figures.js";
export { createInstructionLeakGuard, NO_INSTRUCTION_LEAK, type InstructionLeakOptions } from "./instruction-leak.js";
export { createPolicyExceptionGuard, NO_POLICY_EXCEPTION } from "./policy-exception.js";
export {
  createPromptInjectionGuard,
  detectPromptInjection,
  PROMPT_INJECTION_GUARD,
  PROMPT_INJECTION_REASON,
  type InjectionDetection,
  type InjectionKind,
  type InjectionSignal,
} from "./prompt-injection.js";
export { containsSecret, createSecretsGuard, NO_SECRETS } from "./secrets.js";
export { createUnconfirmedActionGuard, CONFIRMED_ACTIONS_ONLY } from "./unconfirmed-action.js";
export { extractFigures, groundingKeys, type Figure, type FigureContext } from "./figures.js";
export { maskForModel } from "./mask-for-model.js";

export interface GuardrailOptions extends InstructionLeakOptions {
  /** The zone in which "today" and "tomorrow" are meant (BUSINESS_TIME_ZONE; default UTC). */
  timeZone?: string;
}

/** Every guardrail, in a fixed order; the brain applies all of them to every draft. */
export function createGuardrails(options: GuardrailOptions = {}): ReplyGuard[] {
  const zone = options.timeZone ? { timeZone: options.timeZone } : {};
  return [
    createGroundedFiguresGuard(zone),
    createPolicyExceptionGuard(zone),
    createUnconfirmedActionGuard(),
    createDataLeakGuard(),
    createInstructionLeakGuard(options),
    createSecretsGuard(),
    createPromptInjectionGuard(),
  ];
}
