/**
 * Account actions only after an explicit, confirmed restatement (DESIGN.md: guardrails).
 *
 *   engine: proposeAction(...)        -> reply "To confirm: ... Reply YES to confirm or NO to cancel."
 *                                        and `pendingAction` stored in conversation.context
 *   next customer turn: handlePendingAction(turn, accounts)
 *     "YES"                           -> executed once through AccountActions (idempotency key = pending id)
 *     "NO"                            -> cancelled
 *     a new question                  -> cancelled, the engine answers the message
 *     anything else                   -> re-asked once, then cancelled
 *     after `pendingTtlMinutes`        -> expired, nothing changes
 * Cancelling an order and closing an account are human-only. A due-date move beyond the policy window is a
 * policy exception: a person decides.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { daysBetween, isIsoDate } from "../domain/calendar-date.js";
import { errorMessage, UpstreamError } from "../errors.js";
import type { GroundingFact, TurnContext } from "../ports/agent-engine.js";
import { HUMAN_ONLY_ACCOUNT_ACTIONS, type AccountProvider, type HumanOnlyAccountAction } from "../ports/account-provider.js";
import type { AccountSnapshot } from "./account-facts.js";
import { classifyConfirmation, looksLikeNewRequest } from "./confirmation.js";
import type { ContextPatch } from "./conversation-context.js";
import { formatCustomerDate, formatMoney } from "./customer-format.js";

export const PENDING_ACTION_CONTEXT_KEY = "pendingAction";

export const ProposedAccountAction = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("change_due_date"),
    planId: z.string().min(1),
    installmentNumber: z.number().int().positive(),
    newDueDate: z.string().refine(isIsoDate, "must be a real YYYY-MM-DD date"),
  }),
  z.object({ kind: z.literal("set_autopay"), enabled: z.boolean(), planId: z.string().min(1).optional() }),
  z.object({ kind: z.literal("send_card_update_link"), via: z.enum(["sms", "email"]).optional() }),
]);
export type ProposedAccountAction = z.infer<typeof ProposedAccountAction>;
export type AccountActionKind = ProposedAccountAction["kind"] | HumanOnlyAccountAction;

const PendingAction = z.object({
  id: z.string(),
  customerId: z.string(),
  action: ProposedAccountAction,
  restatement: z.string(),
  proposedAt: z.string(),
  expiresAt: z.string(),
  reasks: z.number().int().nonnegative(),
});
export type PendingAction = z.infer<typeof PendingAction>;

export interface ActionPolicy {
  /** How far a due date may move in one change, in days (default 14). */
  maxDueDateShiftDays: number;
  /** How long a restatement waits for the YES (default 15 minutes). */
  pendingTtlMinutes: number;
}

export const DEFAULT_ACTION_POLICY: ActionPolicy = { maxDueDateShiftDays: 14, pendingTtlMinutes: 15 };

export type ProposalOutcome =
  | { kind: "proposed"; reply: string; facts: GroundingFact[]; contextPatch: ContextPatch; pending: PendingAction }
  /** Nothing to do (autopay already in that state): `reply` says so. */
  | { kind: "no_change"; reply: string; facts: GroundingFact[] }
  /** Outside what the AI may do: the engine escalates with `reasonCode`; `detail` is for the desk. */
  | { kind: "refused"; reasonCode: "human_only_action" | "policy_exception" | "action_not_possible" | "actions_unavailable"; detail: string };

export interface ProposalInput {
  turn: TurnContext;
  accounts: AccountProvider;
  /** The verified customer's records (fetchAccountSnapshot). */
  snapshot: AccountSnapshot;
  action: ProposedAccountAction | { kind: HumanOnlyAccountAction };
  /** The verified customer's calendar date (`calendarDateIn(turn.now, zone)`). */
  today: string;
  policy?: Partial<ActionPolicy>;
}

const CONFIRM_SUFFIX = "Reply YES to confirm or NO to cancel.";

function accountFact(customerId: string, ref: string, text: string): GroundingFact {
  return { source: "account", ref, text, customerId };
}

function dated(iso: string): string {
  return `${formatCustomerDate(iso)} (${iso})`;
}

function isHumanOnly(kind: string): kind is HumanOnlyAccountAction {
  return (HUMAN_ONLY_ACCOUNT_ACTIONS as readonly string[]).includes(kind);
}

export function proposeAction(input: ProposalInput): ProposalOutcome {
  const policy = { ...DEFAULT_ACTION_POLICY, ...input.policy };
  if (isHumanOnly(input.action.kind)) {
    return { kind: "refused", reasonCode: "human_only_action", detail: `${input.action.kind.replace("_", " ")} is done by a person` };
  }
  const parsed = ProposedAccountAction.safeParse(input.action);
  if (!parsed.success) return { kind: "refused", reasonCode: "action_not_possible", detail: `invalid action: ${parsed.error.issues[0]?.message ?? "unknown"}` };
  if (!input.accounts.actions) return { kind: "refused", reasonCode: "actions_unavailable", detail: `the ${input.accounts.name} account provider cannot change accounts` };
  const action = parsed.data;
  const { customer } = input.snapshot;
  const planOf = (planId: string) => input.snapshot.plans.find((plan) => plan.id === planId);

  let restatement: string;
  const facts: GroundingFact[] = [];
  const id = randomUUID();
  switch (action.kind) {
    case "change_due_date": {
      const plan = planOf(action.planId);
      const installment = plan?.installments.find((candidate) => candidate.number === action.installmentNumber);
      if (!plan || !installment) return { kind: "refused", reasonCode: "action_not_possible", detail: `no payment ${action.installmentNumber} on plan ${action.planId} for this customer` };
      if (plan.status !== "active" || installment.status !== "upcoming" || installment.dueDate < input.today) {
        return { kind: "refused", reasonCode: "action_not_possible", detail: `payment ${installment.number} of plan ${plan.id} is ${installment.status} on a ${plan.status} plan` };
      }
      const shift = daysBetween(installment.dueDate, action.newDueDate);
      const next = plan.installments.find((candidate) => candidate.number === installment.number + 1);
      if (action.newDueDate <= input.today) return { kind: "refused", reasonCode: "action_not_possible", detail: "the new due date is not in the future" };
      if (shift === 0) return { kind: "no_change", reply: `That payment is already due ${formatCustomerDate(installment.dueDate)}.`, facts: [] };
      if (shift > policy.maxDueDateShiftDays || (next !== undefined && action.newDueDate >= next.dueDate)) {
        return {
          kind: "refused",
          reasonCode: "policy_exception",
          detail: `moving payment ${installment.number} of plan ${plan.id} by ${shift} days is beyond the ${policy.maxDueDateShiftDays}-day limit or past the next payment`,
        };
      }
      restatement =
        `To confirm: move your payment of ${formatMoney(installment.amount)} due ${formatCustomerDate(installment.dueDate)} ` +
        `on plan ${plan.id} (${plan.merchant}) to ${formatCustomerDate(action.newDueDate)}? ${CONFIRM_SUFFIX}`;
      facts.push(
        accountFact(customer.id, `plan:${plan.id}#${installment.number}`, `Plan ${plan.id} (${plan.merchant}) payment ${installment.number}: ${formatMoney(installment.amount)} due ${dated(installment.dueDate)}, status ${installment.status}.`),
        accountFact(customer.id, `proposal:${id}`, `Proposed: move plan ${plan.id} payment ${installment.number} from ${dated(installment.dueDate)} to ${dated(action.newDueDate)} (within policy).`),
      );
      break;
    }
    case "set_autopay": {
      const open = input.snapshot.plans.filter((plan) => plan.status === "active" || plan.status === "paused" || plan.status === "in_hardship");
      const targets = action.planId === undefined ? open : open.filter((plan) => plan.id === action.planId);
      if (targets.length === 0) return { kind: "refused", reasonCode: "action_not_possible", detail: action.planId ? `plan ${action.planId} is not an open plan of this customer` : "no open plan" };
      const state = action.enabled ? "on" : "off";
      const names = targets.map((plan) => `${plan.id} (${plan.merchant})`).join(", ");
      const planFacts = targets.map((plan) => accountFact(customer.id, `plan:${plan.id}`, `Plan ${plan.id} (${plan.merchant}): autopay ${plan.autopay ? "on" : "off"}.`));
      if (targets.every((plan) => plan.autopay === action.enabled)) {
        return { kind: "no_change", reply: `Autopay is already ${state} for ${targets.length === 1 ? "plan" : "plans"} ${names}.`, facts: planFacts };
      }
      const effect = action.enabled
        ? "Each payment will then be charged automatically to your card on file on its due date."
        : "You will then need to make each payment yourself by its due date.";
      restatement = `To confirm: turn autopay ${state} for ${targets.length === 1 ? "plan" : "plans"} ${names}? ${effect} ${CONFIRM_SUFFIX}`;
      facts.push(...planFacts);
      break;
    }
    case "send_card_update_link": {
      const via = action.via ?? (customer.phone !== undefined && input.turn.channelKind !== "webchat" ? "sms" : "email");
      if (via === "sms" && customer.phone === undefined) return { kind: "refused", reasonCode: "action_not_possible", detail: "no phone number on file for an SMS link" };
      const where = via === "sms" ? "by text message to the phone number on your account" : "by email to the address on your account";
      restatement =
        `To confirm: send you a secure link ${where} to update your card? You'll enter the new card on our secure page; ` +
        `please never type card numbers in this chat. ${CONFIRM_SUFFIX}`;
      return propose({ ...action, via }, restatement, facts);
    }
  }

  return propose(action, restatement, facts);

  function propose(final: ProposedAccountAction, text: string, backing: GroundingFact[]): ProposalOutcome {
    const pending: PendingAction = {
      id,
      customerId: customer.id,
      action: final,
      restatement: text,
      proposedAt: input.turn.now.toISOString(),
      expiresAt: new Date(input.turn.now.getTime() + policy.pendingTtlMinutes * 60_000).toISOString(),
      reasks: 0,
    };
    return { kind: "proposed", reply: text, facts: backing, contextPatch: { [PENDING_ACTION_CONTEXT_KEY]: pending }, pending };
  }
}

export function pendingActionOf(context: Record<string, unknown>): PendingAction | undefined {
  const parsed = PendingAction.safeParse(context[PENDING_ACTION_CONTEXT_KEY]);
  return parsed.success ? parsed.data : undefined;
}

/**
 * The pending action this turn confirms, if any: present, not expired, for the conversation's verified
 * customer, and the message is an unambiguous yes. The `unconfirmed_action` guardrail relies on this.
 */
export function actionConfirmedThisTurn(turn: TurnContext): PendingAction | undefined {
  const pending = pendingActionOf(turn.conversation.context);
  if (!pending) return undefined;
  if (Date.parse(pending.expiresAt) <= turn.now.getTime()) return undefined;
  if (pending.customerId !== turn.conversation.customerId) return undefined;
  return classifyConfirmation(turn.message.text) === "yes" ? pending : undefined;
}

/** The `ref` of the fact that proves an action ran this turn (the guardrail looks for it). */
export function actionReceiptRef(pending: PendingAction): string {
  return `action:${pending.id}:${pending.action.kind}`;
}

export type PendingActionOutcome =
  | { kind: "none" }
  | { kind: "executed"; reply: string; facts: GroundingFact[]; contextPatch: ContextPatch; action: ProposedAccountAction }
  | { kind: "cancelled"; reply: string; contextPatch: ContextPatch; /** The message was a new request: answer it too. */ continueWithMessage: boolean }
  /** `facts`: the restatement as proposed (built from the records then), to ground the repeated figures. */
  | { kind: "reasked"; reply: string; facts: GroundingFact[]; contextPatch: ContextPatch }
  /** Timed out: nothing changed. `reply` only when the customer was trying to confirm. */
  | { kind: "expired"; reply?: string; contextPatch: ContextPatch; continueWithMessage: boolean }
  | { kind: "failed"; reasonCode: "upstream_error" | "action_failed"; reply: string; detail: string; contextPatch: ContextPatch };

const CLEAR: ContextPatch = { [PENDING_ACTION_CONTEXT_KEY]: null };

export const ACTION_REPLIES = {
  cancelled: "OK, I haven't changed anything.",
  notMade: "I haven't made that change.",
  expired: "That request has expired, so I haven't changed anything. Just ask again if you still want it.",
  failed: "I couldn't confirm that change went through, so I'm passing this to a member of our team to check.",
  reask: (restatement: string) => `Sorry, I need a clear answer. ${restatement}`,
} as const;

export async function handlePendingAction(turn: TurnContext, accounts: AccountProvider): Promise<PendingActionOutcome> {
  const pending = pendingActionOf(turn.conversation.context);
  if (!pending) return { kind: "none" };
  const answer = classifyConfirmation(turn.message.text);
  const newRequest = answer === "unclear" && looksLikeNewRequest(turn.message.text);

  if (Date.parse(pending.expiresAt) <= turn.now.getTime()) {
    return { kind: "expired", ...(answer === "yes" ? { reply: ACTION_REPLIES.expired } : {}), contextPatch: CLEAR, continueWithMessage: answer !== "yes" && answer !== "no" };
  }
  if (pending.customerId !== turn.conversation.customerId) {
    return { kind: "cancelled", reply: ACTION_REPLIES.notMade, contextPatch: CLEAR, continueWithMessage: false };
  }
  if (answer === "no") return { kind: "cancelled", reply: ACTION_REPLIES.cancelled, contextPatch: CLEAR, continueWithMessage: false };
  if (answer === "unclear") {
    if (newRequest) return { kind: "cancelled", reply: ACTION_REPLIES.notMade, contextPatch: CLEAR, continueWithMessage: true };
    if (pending.reasks >= 1) return { kind: "cancelled", reply: ACTION_REPLIES.cancelled, contextPatch: CLEAR, continueWithMessage: false };
    return {
      kind: "reasked",
      reply: ACTION_REPLIES.reask(pending.restatement),
      facts: [accountFact(pending.customerId, `proposal:${pending.id}`, pending.restatement)],
      contextPatch: { [PENDING_ACTION_CONTEXT_KEY]: { ...pending, reasks: pending.reasks + 1 } },
    };
  }
  return execute(turn, accounts, pending);
}

async function execute(turn: TurnContext, accounts: AccountProvider, pending: PendingAction): Promise<PendingActionOutcome> {
  const actions = accounts.actions;
  const customerId = pending.customerId;
  const receipt = (text: string): GroundingFact => accountFact(customerId, actionReceiptRef(pending), text);
  if (!actions) return { kind: "failed", reasonCode: "action_failed", reply: ACTION_REPLIES.failed, detail: "the account provider cannot change accounts", contextPatch: CLEAR };
  try {
    const action = pending.action;
    switch (action.kind) {
      case "change_due_date": {
        const result = await actions.changeDueDate({ customerId, planId: action.planId, installmentNumber: action.installmentNumber, newDueDate: action.newDueDate, idempotencyKey: pending.id });
        return {
          kind: "executed",
          action,
          reply: `Done. Your payment of ${formatMoney(result.amount)} on plan ${result.planId} is now due ${formatCustomerDate(result.newDueDate)}.`,
          facts: [receipt(`Done: plan ${result.planId} payment ${result.installmentNumber} of ${formatMoney(result.amount)} moved from ${dated(result.previousDueDate)} to ${dated(result.newDueDate)}.`)],
          contextPatch: CLEAR,
        };
      }
      case "set_autopay": {
        const result = await actions.setAutopay({ customerId, enabled: action.enabled, idempotencyKey: pending.id, ...(action.planId ? { planId: action.planId } : {}) });
        const state = result.enabled ? "on" : "off";
        return {
          kind: "executed",
          action,
          reply: `Done. Autopay is now ${state} for ${result.planIds.length === 1 ? "plan" : "plans"} ${result.planIds.join(", ")}.`,
          facts: [receipt(`Done: autopay turned ${state} for ${result.planIds.join(", ")}.`)],
          contextPatch: CLEAR,
        };
      }
      case "send_card_update_link": {
        const result = await actions.sendCardUpdateLink({ customerId, via: action.via ?? "email", idempotencyKey: pending.id });
        const minutes = Math.max(1, Math.round((Date.parse(result.expiresAt) - turn.now.getTime()) / 60_000));
        const where = result.via === "sms" ? "by text message to the phone number on your account" : "by email to the address on your account";
        return {
          kind: "executed",
          action,
          reply: `Done. I've sent a secure link ${where}. It works for ${minutes} minutes; please don't share card numbers in this chat.`,
          facts: [receipt(`Done: card update link sent by ${result.via}, valid until ${result.expiresAt}.`)],
          contextPatch: CLEAR,
        };
      }
    }
  } catch (error) {
    return {
      kind: "failed",
      reasonCode: error instanceof UpstreamError ? "upstream_error" : "action_failed",
      reply: ACTION_REPLIES.failed,
      detail: errorMessage(error),
      contextPatch: CLEAR,
    };
  }
}

