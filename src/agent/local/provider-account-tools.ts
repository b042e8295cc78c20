/**
 * Account tools over the company's account provider: identity through `resolveIdentity` (session,
 * signed token, phone number, or e-mail plus order number), facts through the account-facts module
 * (exact dates and amounts, each backed by a grounding fact), checks through `runAccountCheck`.
 */
import { addDays, calendarDateIn, isoDateOf } from "../../domain/calendar-date.js";
import type { AccountActionKind, AccountFactKind } from "../../kb/format.js";
import { contentOverlap } from "../../kb/text.js";
import type { AccountProvider, Order, PaymentPlan } from "../../ports/account-provider.js";
import type { GroundingFact, TurnContext } from "../../ports/agent-engine.js";
import {
  describeDispute,
  describeNextPayment,
  describeOrder,
  describePaymentSchedule,
  describeRefund,
  type AccountAnswer,
} from "../account-facts.js";
import { handlePendingAction, proposeAction, type ActionPolicy, type ProposedAccountAction } from "../account-actions.js";
import { fetchAccountSnapshot } from "../account-snapshot.js";
import { abandonVerification, identityFlowActive, resolveIdentity, type IdentityOptions } from "../identity.js";
import { runAccountCheck } from "./account-checks.js";
import { parseActionRequest, type DueDateTarget } from "./action-requests.js";
import type { AccountStatement, AccountTools, ActionProposal, IdentityState, PendingActionStep } from "./account-tools.js";

export interface ProviderAccountToolsOptions {
  identity?: IdentityOptions;
  /** The zone whose calendar "today" is in (BUSINESS_TIME_ZONE). */
  timeZone?: string;
  /** At most this many orders, refunds or plans in one reply (most recent first). */
  maxItems?: number;
  actionPolicy?: Partial<ActionPolicy>;
}

/** The new due date a target means for an installment now due on `due`. */
export function targetDate(due: string, target: DueDateTarget): string | null {
  if ("isoDate" in target) return target.isoDate;
  if ("shiftDays" in target) return addDays(due, target.shiftDays);
  const [year, month] = due.split("-").map(Number) as [number, number];
  if ("dayOfMonth" in target) {
    const same = isoDateOf(year, month, target.dayOfMonth);
    if (same && same > due) return same;
    return month === 12 ? isoDateOf(year + 1, 1, target.dayOfMonth) : isoDateOf(year, month + 1, target.dayOfMonth);
  }
  const candidate = isoDateOf(year, target.monthDay.month, target.monthDay.day);
  if (candidate && candidate >= due) return candidate;
  return isoDateOf(year + 1, target.monthDay.month, target.monthDay.day);
}

const OPEN_PLAN: ReadonlySet<PaymentPlan["status"]> = new Set(["active", "paused", "in_hardship", "in_collections"]);

function join(answers: readonly AccountAnswer[]): AccountStatement {
  return { text: answers.map((answer) => answer.text).join("\n\n"), facts: answers.flatMap((answer) => answer.facts) };
}

/** The items the question names (a merchant, a product, an order number), else all of them. */
function mentioned<T>(items: readonly T[], question: string, describe: (item: T) => string, id: (item: T) => string): T[] {
  const digits = question.match(/\d{3,}/g) ?? [];
  const byId = items.filter((item) => digits.some((number) => id(item).includes(number)));
  if (byId.length > 0) return byId;
  const byWords = items.filter((item) => contentOverlap(question, describe(item)) > 0);
  return byWords.length > 0 && byWords.length < items.length ? byWords : [...items];
}

export function createProviderAccountTools(provider: AccountProvider, options: ProviderAccountToolsOptions = {}): AccountTools {
  const maxItems = options.maxItems ?? 3;
  const today = (turn: TurnContext) => calendarDateIn(turn.now, options.timeZone ?? "UTC");

  async function identify(turn: TurnContext): Promise<IdentityState> {
    const outcome = await resolveIdentity(turn, provider, options.identity ?? {});
    switch (outcome.kind) {
      case "verified":
        return {
          status: "verified",
          customerId: outcome.verifiedCustomerId,
          contextPatch: outcome.contextPatch,
          ...(outcome.resumeText ? { resumeText: outcome.resumeText } : {}),
          ...(outcome.acknowledgement ? { acknowledgement: outcome.acknowledgement } : {}),
        };
      case "needs_verification":
        return { status: "unverified", reply: outcome.reply, contextPatch: outcome.contextPatch };
      case "in_progress":
        return { status: "in_progress", reply: outcome.reply, contextPatch: outcome.contextPatch };
      case "escalate":
        return { status: "failed", reasonCode: outcome.reasonCode, reply: outcome.reply, contextPatch: outcome.contextPatch };
    }
  }

  async function describe(kind: AccountFactKind, customerId: string, turn: TurnContext): Promise<AccountStatement | null> {
    const snapshot = await fetchAccountSnapshot(provider, customerId);
    if (!snapshot) return null;
    const question = turn.message.text.slice(0, 2_000);
    const orderById = new Map(snapshot.orders.map((order) => [order.id, order]));
    const planText = (plan: PaymentPlan) => `${plan.merchant} ${plan.orderId ?? ""} ${plan.orderId ? (orderById.get(plan.orderId)?.description ?? "") : ""}`;
    const orderText = (order: Order) => `${order.merchant} ${order.description ?? ""}`;
    const none = (text: string, ref: string): AccountStatement => ({ text, facts: [{ source: "account", ref, text }] satisfies GroundingFact[] });
    switch (kind) {
      case "next_payment":
        return describeNextPayment(customerId, snapshot.plans, today(turn));
      case "payment_schedule":
      case "payments": {
        const open = snapshot.plans.filter((plan) => OPEN_PLAN.has(plan.status));
        const pool = open.length > 0 ? open : snapshot.plans;
        if (pool.length === 0) return none("There are no payment plans on your account.", "plans:none");
        const plans = mentioned(pool, question, planText, (plan) => `${plan.id} ${plan.orderId ?? ""}`).slice(0, maxItems);
        const answers = plans.map((plan) => describePaymentSchedule(customerId, plan));
        if (kind === "payment_schedule") answers.unshift(describeNextPayment(customerId, plans, today(turn)));
        return join(answers);
      }
      case "orders": {
        if (snapshot.orders.length === 0) return none("There are no orders on your account.", "orders:none");
        const recent = [...snapshot.orders].sort((a, b) => (a.placedOn < b.placedOn ? 1 : -1));
        return join(mentioned(recent, question, orderText, (order) => order.id).slice(0, maxItems).map((order) => describeOrder(customerId, order)));
      }
      case "refunds": {
        if (snapshot.refunds.length === 0) return none("There are no refunds on your account.", "refunds:none");
        return join(snapshot.refunds.slice(0, maxItems).map((refund) => describeRefund(customerId, refund, orderById.get(refund.orderId))));
      }
      case "disputes": {
        if (snapshot.disputes.length === 0) return none("There are no disputes on your account.", "disputes:none");
        return join(snapshot.disputes.slice(0, maxItems).map((dispute) => describeDispute(customerId, dispute, orderById.get(dispute.orderId))));
      }
    }
  }

  async function propose(kind: AccountActionKind, customerId: string, turn: TurnContext): Promise<ActionProposal> {
    const request = parseActionRequest(kind, turn.message.text);
    if (!request) return { kind: "no_request" };
    const snapshot = await fetchAccountSnapshot(provider, customerId);
    if (!snapshot) return { kind: "refused", reasonCode: "action_not_possible", detail: "the customer's records could not be read" };
    const day = today(turn);
    let action: ProposedAccountAction;
    if (request.kind === "change_due_date") {
      // The next upcoming payment of the plan the message names, else of the plan due soonest.
      const open = snapshot.plans.filter((plan) => plan.status === "active");
      const named = mentioned(open, turn.message.text, (plan) => plan.merchant, (plan) => `${plan.id} ${plan.orderId ?? ""}`);
      const next = named
        .flatMap((plan) => plan.installments.filter((item) => item.status === "upcoming" && item.dueDate >= day).map((installment) => ({ plan, installment })))
        .sort((a, b) => (a.installment.dueDate < b.installment.dueDate ? -1 : 1))[0];
      if (!next) return { kind: "refused", reasonCode: "action_not_possible", detail: "no upcoming payment to move" };
      const newDueDate = targetDate(next.installment.dueDate, request.target);
      if (!newDueDate) return { kind: "no_request" };
      action = { kind: "change_due_date", planId: next.plan.id, installmentNumber: next.installment.number, newDueDate };
    } else {
      action = request;
    }
    const outcome = proposeAction({ turn, accounts: provider, snapshot, action, today: day, ...(options.actionPolicy ? { policy: options.actionPolicy } : {}) });
    switch (outcome.kind) {
      case "proposed":
        return { kind: "reply", text: outcome.reply, facts: outcome.facts, contextPatch: outcome.contextPatch };
      case "no_change":
        return { kind: "reply", text: outcome.reply, facts: outcome.facts };
      case "refused":
        return { kind: "refused", reasonCode: outcome.reasonCode, detail: outcome.detail };
    }
  }

  async function pendingAction(turn: TurnContext): Promise<PendingActionStep> {
    const outcome = await handlePendingAction(turn, provider);
    switch (outcome.kind) {
      case "none":
        return { kind: "none" };
      case "executed":
        return { kind: "reply", text: outcome.reply, facts: outcome.facts, contextPatch: outcome.contextPatch };
      case "reasked":
        return { kind: "reply", text: outcome.reply, facts: outcome.facts, contextPatch: outcome.contextPatch };
      case "cancelled":
        return outcome.continueWithMessage
          ? { kind: "continue", text: outcome.reply, contextPatch: outcome.contextPatch }
          : { kind: "reply", text: outcome.reply, facts: [], contextPatch: outcome.contextPatch };
      case "expired":
        return outcome.continueWithMessage || outcome.reply === undefined
          ? { kind: "continue", ...(outcome.reply ? { text: outcome.reply } : {}), contextPatch: outcome.contextPatch }
          : { kind: "reply", text: outcome.reply, facts: [], contextPatch: outcome.contextPatch };
      case "failed":
        return { kind: "escalate", reasonCode: outcome.reasonCode, text: outcome.reply, contextPatch: outcome.contextPatch };
    }
  }

  return {
    proposeAction: propose,
    pendingAction,
    identify,
    verificationPending: (turn) => identityFlowActive(turn.conversation.context, turn.now, options.identity ?? {}),
    abandonVerification,
    describe,
    check: (check, customerId, turn) => runAccountCheck(check, provider, customerId, today(turn)),
  };
}
