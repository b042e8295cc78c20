/**
 * Account records -> what the AI may say about them. Each function returns the customer-facing text AND
 * the `GroundingFact`s that back every figure in it, so whatever engine writes the final reply, the
 * grounding guardrail can check its amounts and dates against the records. Facts carry the customer
 * strings (`$37.50`, `Friday, December 4, 2026`) plus ISO forms (`2026-12-04`), and the customer id.
 * Pure functions: no I/O, no clock (callers pass `today` as an ISO date).
 */
import type { GroundingFact } from "../ports/agent-engine.js";
import type { Customer, Dispute, Installment, Order, PaymentPlan, Refund } from "../ports/account-provider.js";
import { formatCustomerDate, formatMoney, formatPercent, formatYearMonth } from "./customer-format.js";

export interface AccountAnswer {
  text: string;
  facts: GroundingFact[];
}

/** Everything the provider holds about one verified customer. */
export interface AccountSnapshot {
  customer: Customer;
  plans: PaymentPlan[];
  orders: Order[];
  refunds: Refund[];
  disputes: Dispute[];
}

const PLAN_KIND: Record<PaymentPlan["kind"], string> = {
  pay_in_4: "Pay in 4",
  monthly_financing: "monthly financing",
  hardship: "hardship plan",
};

const INSTALLMENT_STATUS: Record<Installment["status"], string> = {
  upcoming: "upcoming",
  paid: "paid",
  late: "late (not paid yet)",
  paused: "paused",
  waived: "cancelled, nothing to pay",
  failed: "payment attempt failed",
};

/** Plans that still expect payments. */
const OPEN_PLAN: ReadonlySet<PaymentPlan["status"]> = new Set(["active", "in_hardship", "in_collections"]);

function dated(iso: string): string {
  return `${formatCustomerDate(iso)} (${iso})`;
}

function fact(customerId: string, ref: string, text: string): GroundingFact {
  return { source: "account", ref, text, customerId };
}

function installmentLine(plan: PaymentPlan, installment: Installment): string {
  const of = `${installment.number} of ${plan.installments.length}`;
  const parts = [`Payment ${of}: ${formatMoney(installment.amount)} due ${formatCustomerDate(installment.dueDate)}, ${INSTALLMENT_STATUS[installment.status]}`];
  if (installment.status === "paid" && installment.paidDate && installment.paidDate !== installment.dueDate) {
    parts.push(`paid on ${formatCustomerDate(installment.paidDate)}`);
  }
  for (const fee of installment.fees) {
    parts.push(`${feeName(fee.kind)} of ${formatMoney(fee.amount)}${fee.appliedOn ? ` charged on ${formatCustomerDate(fee.appliedOn)}` : ""}`);
  }
  return parts.join("; ");
}

function feeName(kind: string): string {
  return readable(kind);
}

/** Record codes (`return_in_progress`) as words: replies never show internal codes. */
function readable(code: string): string {
  return code.replace(/_/g, " ");
}

function installmentFact(customerId: string, plan: PaymentPlan, installment: Installment): GroundingFact {
  const fees = installment.fees.map(
    (fee) => ` ${feeName(fee.kind)} ${formatMoney(fee.amount)}${fee.appliedOn ? ` charged ${dated(fee.appliedOn)}` : ""}.`,
  );
  const paid = installment.paidDate ? ` Paid on ${dated(installment.paidDate)}.` : "";
  return fact(
    customerId,
    `plan:${plan.id}#${installment.number}`,
    `Plan ${plan.id} (${plan.merchant}) payment ${installment.number} of ${plan.installments.length}: ${formatMoney(installment.amount)} due ${dated(installment.dueDate)}, status ${installment.status}.${paid}${fees.join("")}`,
  );
}

function planHeadline(plan: PaymentPlan): string {
  const apr = plan.aprPercent !== undefined ? `, ${formatPercent(plan.aprPercent)} APR` : "";
  const order = plan.orderId ? `, order ${plan.orderId}` : "";
  return `Plan ${plan.id} with ${plan.merchant} (${PLAN_KIND[plan.kind]}, total ${formatMoney(plan.total)}${apr}${order}): status ${readable(plan.status)}, autopay ${plan.autopay ? "on" : "off"}.`;
}

function planFact(customerId: string, plan: PaymentPlan): GroundingFact {
  return fact(customerId, `plan:${plan.id}`, planHeadline(plan));
}

/** The whole schedule of one plan: every installment with its exact date, amount, status and fees. */
export function describePaymentSchedule(customerId: string, plan: PaymentPlan): AccountAnswer {
  const lines = [planHeadline(plan), ...plan.installments.map((installment) => `- ${installmentLine(plan, installment)}`)];
  return {
    text: lines.join("\n"),
    facts: [planFact(customerId, plan), ...plan.installments.map((installment) => installmentFact(customerId, plan, installment))],
  };
}

interface DueItem {
  plan: PaymentPlan;
  installment: Installment;
}

function dueItems(plans: readonly PaymentPlan[], statuses: ReadonlySet<Installment["status"]>): DueItem[] {
  return plans
    .flatMap((plan) => plan.installments.map((installment) => ({ plan, installment })))
    .filter((item) => statuses.has(item.installment.status))
    .sort((a, b) => a.installment.dueDate.localeCompare(b.installment.dueDate) || a.plan.id.localeCompare(b.plan.id));
}

/** The next payment(s): the earliest upcoming installment (all of them when several fall that day), overdue ones first. */
export function describeNextPayment(customerId: string, plans: readonly PaymentPlan[], today: string): AccountAnswer {
  const open = plans.filter((plan) => OPEN_PLAN.has(plan.status));
  const overdue = dueItems(open, new Set(["late", "failed"]));
  const upcoming = dueItems(open, new Set(["upcoming"])).filter((item) => item.installment.dueDate >= today);
  const lines: string[] = [];
  const facts: GroundingFact[] = [];
  for (const item of overdue) {
    lines.push(
      `Overdue: ${formatMoney(item.installment.amount)} that was due ${formatCustomerDate(item.installment.dueDate)} on plan ${item.plan.id} (${item.plan.merchant}), ${INSTALLMENT_STATUS[item.installment.status]}.`,
    );
    facts.push(installmentFact(customerId, item.plan, item.installment));
  }
  const first = upcoming[0];
  if (first) {
    for (const item of upcoming.filter((candidate) => candidate.installment.dueDate === first.installment.dueDate)) {
      const autopay = item.plan.autopay ? "Autopay is on for this plan." : "Autopay is off for this plan, so please pay it yourself in the app.";
      lines.push(
        `Your next payment is ${formatMoney(item.installment.amount)} on ${formatCustomerDate(item.installment.dueDate)} (plan ${item.plan.id}, ${item.plan.merchant}, payment ${item.installment.number} of ${item.plan.installments.length}). ${autopay}`,
      );
      facts.push(planFact(customerId, item.plan), installmentFact(customerId, item.plan, item.installment));
    }
  }
  const paused = plans.filter((plan) => plan.status === "paused");
  for (const plan of paused) {
    lines.push(`Payments on plan ${plan.id} (${plan.merchant}) are paused.`);
    facts.push(planFact(customerId, plan));
  }
  if (lines.length === 0) lines.push("You have no upcoming payments.");
  return { text: lines.join("\n"), facts };
}

/** Late fees on record (none is a fact too: the reply may say so). */
export function describeLateFees(customerId: string, plans: readonly PaymentPlan[]): AccountAnswer {
  const withFees = plans.flatMap((plan) =>
    plan.installments.filter((installment) => installment.fees.length > 0).map((installment) => ({ plan, installment })),
  );
  if (withFees.length === 0) {
    return { text: "There are no late fees on your account.", facts: [fact(customerId, "fees", "No fees on record for this customer.")] };
  }
  return {
    text: withFees
      .map(({ plan, installment }) => `Plan ${plan.id} (${plan.merchant}), ${installmentLine(plan, installment)}.`)
      .join("\n"),
    facts: withFees.map(({ plan, installment }) => installmentFact(customerId, plan, installment)),
  };
}

const ORDER_STATUS: Record<Order["status"], string> = {
  processing: "is being prepared by the merchant and has not shipped yet",
  shipped: "has shipped",
  delivered: "has been delivered",
  cancelled: "was cancelled",
  returned: "was returned to the merchant",
  return_in_progress: "is being returned to the merchant",
};

export function describeOrder(customerId: string, order: Order): AccountAnswer {
  const what = order.description ? ` (${order.description})` : "";
  let text = `Order ${order.id} from ${order.merchant}${what}, placed on ${formatCustomerDate(order.placedOn)} for ${formatMoney(order.total)}, ${ORDER_STATUS[order.status]}.`;
  if (order.trackingNumber) {
    text += ` ${order.carrier ?? "Carrier"} tracking number: ${order.trackingNumber}.`;
    if (order.trackingUrl) text += ` Track it here: ${order.trackingUrl}`;
  }
  const tracking = order.trackingNumber ? ` Carrier ${order.carrier ?? "unknown"}, tracking ${order.trackingNumber}.` : "";
  return {
    text,
    facts: [
      fact(
        customerId,
        `order:${order.id}`,
        `Order ${order.id} from ${order.merchant}${what}: placed ${dated(order.placedOn)}, total ${formatMoney(order.total)}, status ${readable(order.status)}.${tracking}${order.planId ? ` Plan ${order.planId}.` : ""}`,
      ),
    ],
  };
}

export function describeRefund(customerId: string, refund: Refund, order?: Order): AccountAnswer {
  const about = `order ${refund.orderId}${order ? ` (${order.merchant})` : ""}`;
  const amount = refund.amount ? ` The refund amount on record is ${formatMoney(refund.amount)}.` : "";
  const noAmount = refund.amount ? "" : " The refund amount is not on record yet.";
  const sentences: Record<Refund["status"], string> = {
    requested: `Your refund request for ${about} was received on ${formatCustomerDate(refund.requestedOn)} and is waiting for the merchant.${amount}${noAmount}`,
    pending: `Your refund for ${about}, requested on ${formatCustomerDate(refund.requestedOn)}, is pending.${amount}${noAmount}`,
    processed: `Your refund for ${about} was processed${refund.processedOn ? ` on ${formatCustomerDate(refund.processedOn)}` : ""}.${amount}`,
    rejected: `The merchant declined the refund request for ${about} made on ${formatCustomerDate(refund.requestedOn)}.`,
  };
  const factText = `Refund ${refund.id} for order ${refund.orderId}: status ${refund.status}, requested ${dated(refund.requestedOn)}${refund.processedOn ? `, processed ${dated(refund.processedOn)}` : ""}, ${refund.amount ? `amount on record ${formatMoney(refund.amount)}` : "no amount on record"}.`;
  return { text: sentences[refund.status], facts: [fact(customerId, `refund:${refund.id}`, factText)] };
}

const DISPUTE_STATUS: Record<Dispute["status"], string> = {
  open: "is open",
  under_review: "is under review",
  resolved_customer: "was resolved in your favour",
  resolved_merchant: "was resolved in the merchant's favour",
  closed: "is closed",
};

export function describeDispute(customerId: string, dispute: Dispute, order?: Order): AccountAnswer {
  const about = `order ${dispute.orderId}${order ? ` (${order.merchant})` : ""}`;
  const paused = dispute.paymentsPaused
    ? " Payments for this order are paused while the dispute is open."
    : " Payments for this order are not paused.";
  return {
    text: `Your dispute about ${about}, opened on ${formatCustomerDate(dispute.openedOn)} (${dispute.reason}), ${DISPUTE_STATUS[dispute.status]}.${paused}`,
    facts: [
      fact(
        customerId,
        `dispute:${dispute.id}`,
        `Dispute ${dispute.id} about order ${dispute.orderId}: status ${readable(dispute.status)}, reason ${dispute.reason}, opened ${dated(dispute.openedOn)}, payments paused: ${dispute.paymentsPaused ? "yes" : "no"}.`,
      ),
    ],
  };
}

/** The card on file; `today` decides whether it has expired (a card works through its expiry month). */
export function describeCard(customer: Customer, today: string): AccountAnswer {
  if (!customer.card) {
    return { text: "There is no card on file.", facts: [fact(customer.id, "card", "No card on file.")] };
  }
  const { brand, last4, expires } = customer.card;
  const expired = expires < today.slice(0, 7);
  const text = expired
    ? `Your ${brand} ending in ${last4} expired at the end of ${formatYearMonth(expires)}, so payments cannot be taken from it until you update it.`
    : `Your ${brand} ending in ${last4} is valid through ${formatYearMonth(expires)}.`;
  return {
    text,
    facts: [fact(customer.id, "card", `Card on file: ${brand} ending in ${last4}, expires ${formatYearMonth(expires)} (${expires}), ${expired ? "expired" : "valid"}.`)],
  };
}

export function describeAutopay(customerId: string, plans: readonly PaymentPlan[]): AccountAnswer {
  const open = plans.filter((plan) => OPEN_PLAN.has(plan.status) || plan.status === "paused");
  if (open.length === 0) return { text: "You have no open plans.", facts: [] };
  return {
    text: open.map((plan) => `Autopay is ${plan.autopay ? "on" : "off"} for plan ${plan.id} (${plan.merchant}).`).join("\n"),
    facts: open.map((plan) => planFact(customerId, plan)),
  };
}

/** Who the customer is, as far as a reply may mention it (their own name, e-mail, phone, card last four). */
export function describeCustomer(customer: Customer): AccountAnswer {
  const status = customer.status === "active" ? "" : ` The account is ${customer.status}.`;
  return {
    text: `${customer.name}.${status}`,
    facts: [
      fact(
        customer.id,
        `customer:${customer.id}`,
        `Customer ${customer.id}: ${customer.name}, e-mail ${customer.email}${customer.phone ? `, phone ${customer.phone}` : ""}, account status ${customer.status}${customer.spendingLimit ? `, spending limit ${formatMoney(customer.spendingLimit)}` : ""}.`,
      ),
    ],
  };
}

/** Every fact of a snapshot: engines that let a model compose the reply pass all of them. */
export function accountFacts(snapshot: AccountSnapshot, today: string): GroundingFact[] {
  const id = snapshot.customer.id;
  const orderById = new Map(snapshot.orders.map((order) => [order.id, order]));
  return [
    ...describeCustomer(snapshot.customer).facts,
    ...describeCard(snapshot.customer, today).facts,
    ...snapshot.plans.flatMap((plan) => describePaymentSchedule(id, plan).facts),
    ...snapshot.orders.flatMap((order) => describeOrder(id, order).facts),
    ...snapshot.refunds.flatMap((refund) => describeRefund(id, refund, orderById.get(refund.orderId)).facts),
    ...snapshot.disputes.flatMap((dispute) => describeDispute(id, dispute, orderById.get(dispute.orderId)).facts),
  ];
}
