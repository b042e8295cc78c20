/**
 * The company's account data, as the brain may read it (adapters/accounts: demo dataset, HTTP API).
 * Amounts are integer minor units with a currency, dates are ISO calendar dates (YYYY-MM-DD): the
 * reply composer formats them, the guardrails compare them. A field the record does not hold is absent,
 * never guessed (a refund without an amount has no `amountMinor`).
 */
import { z } from "zod";

export const Money = z.object({
  amountMinor: z.number().int(),
  currency: z.string().length(3),
});
export type Money = z.infer<typeof Money>;

const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be YYYY-MM-DD");

export const Installment = z.object({
  number: z.number().int().positive(),
  dueDate: IsoDate,
  amount: Money,
  status: z.enum(["upcoming", "paid", "late", "paused", "waived", "failed"]),
  paidDate: IsoDate.optional(),
  fees: z.array(z.object({ kind: z.string(), amount: Money, appliedOn: IsoDate.optional() })).default([]),
});
export type Installment = z.infer<typeof Installment>;

export const PaymentPlan = z.object({
  id: z.string(),
  kind: z.enum(["pay_in_4", "monthly_financing", "hardship"]),
  orderId: z.string().optional(),
  merchant: z.string(),
  total: Money,
  aprPercent: z.number().nonnegative().optional(),
  status: z.enum(["active", "paid_off", "paused", "in_hardship", "closed", "in_collections"]),
  autopay: z.boolean(),
  installments: z.array(Installment),
});
export type PaymentPlan = z.infer<typeof PaymentPlan>;

export const Order = z.object({
  id: z.string(),
  merchant: z.string(),
  description: z.string().optional(),
  placedOn: IsoDate,
  status: z.enum(["processing", "shipped", "delivered", "cancelled", "returned", "return_in_progress"]),
  carrier: z.string().optional(),
  trackingNumber: z.string().optional(),
  trackingUrl: z.string().optional(),
  total: Money,
  planId: z.string().optional(),
});
export type Order = z.infer<typeof Order>;

export const Refund = z.object({
  id: z.string(),
  orderId: z.string(),
  status: z.enum(["requested", "pending", "processed", "rejected"]),
  /** Present only when the record holds it; the AI never states an amount that is absent here. */
  amount: Money.optional(),
  requestedOn: IsoDate,
  processedOn: IsoDate.optional(),
});
export type Refund = z.infer<typeof Refund>;

export const Dispute = z.object({
  id: z.string(),
  orderId: z.string(),
  status: z.enum(["open", "under_review", "resolved_customer", "resolved_merchant", "closed"]),
  reason: z.string(),
  openedOn: IsoDate,
  paymentsPaused: z.boolean(),
});
export type Dispute = z.infer<typeof Dispute>;

export const Customer = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  phone: z.string().optional(),
  status: z.enum(["active", "locked", "suspended", "closed"]),
  card: z
    .object({ brand: z.string(), last4: z.string().regex(/^\d{4}$/), expires: z.string().regex(/^\d{4}-\d{2}$/) })
    .optional(),
  spendingLimit: Money.optional(),
});
export type Customer = z.infer<typeof Customer>;

export interface CustomerLookup {
  phone?: string;
  email?: string;
  id?: string;
}

export interface AccountProvider {
  readonly name: string;
  findCustomer(lookup: CustomerLookup): Promise<Customer | null>;
  getPaymentPlans(customerId: string): Promise<PaymentPlan[]>;
  getOrders(customerId: string): Promise<Order[]>;
  getRefunds(customerId: string): Promise<Refund[]>;
  getDisputes(customerId: string): Promise<Dispute[]>;
  /** Present when the provider can change accounts (see `AccountActions` below). */
  readonly actions?: AccountActions;
}

/*
 * Account actions (optional capability). The brain only calls these after the customer confirmed an
 * explicit restatement (src/agent/account-actions.ts). Every call carries an idempotency key (the pending
 * action's id), so a turn processed twice never changes an account twice. Cancelling an order and closing
 * an account are human-only: they have no method here on purpose.
 */

/** Actions a person must do; the AI never offers or performs them. */
export const HUMAN_ONLY_ACCOUNT_ACTIONS = ["cancel_order", "close_account"] as const;
export type HumanOnlyAccountAction = (typeof HUMAN_ONLY_ACCOUNT_ACTIONS)[number];

export const ChangeDueDateInput = z.object({
  customerId: z.string().min(1),
  planId: z.string().min(1),
  installmentNumber: z.number().int().positive(),
  newDueDate: IsoDate,
  idempotencyKey: z.string().min(1).max(200),
});
export type ChangeDueDateInput = z.infer<typeof ChangeDueDateInput>;

export const ChangeDueDateResult = z.object({
  planId: z.string(),
  installmentNumber: z.number().int().positive(),
  previousDueDate: IsoDate,
  newDueDate: IsoDate,
  amount: Money,
});
export type ChangeDueDateResult = z.infer<typeof ChangeDueDateResult>;

export const SetAutopayInput = z.object({
  customerId: z.string().min(1),
  /** One plan, or every active plan of the customer when absent. */
  planId: z.string().min(1).optional(),
  enabled: z.boolean(),
  idempotencyKey: z.string().min(1).max(200),
});
export type SetAutopayInput = z.infer<typeof SetAutopayInput>;

export const SetAutopayResult = z.object({
  planIds: z.array(z.string()),
  enabled: z.boolean(),
});
export type SetAutopayResult = z.infer<typeof SetAutopayResult>;

/** The card is never typed into a chat: the customer gets a secure link to the company's own page. */
export const CardUpdateLinkInput = z.object({
  customerId: z.string().min(1),
  via: z.enum(["sms", "email"]),
  idempotencyKey: z.string().min(1).max(200),
});
export type CardUpdateLinkInput = z.infer<typeof CardUpdateLinkInput>;

export const CardUpdateLinkResult = z.object({
  via: z.enum(["sms", "email"]),
  /** Where it went, already masked by the provider (`+1415***0101`, `m***@example.com`). */
  destinationMasked: z.string(),
  /** ISO date-time after which the link no longer works. */
  expiresAt: z.string().datetime({ offset: true }),
});
export type CardUpdateLinkResult = z.infer<typeof CardUpdateLinkResult>;

export interface AccountActions {
  changeDueDate(input: ChangeDueDateInput): Promise<ChangeDueDateResult>;
  setAutopay(input: SetAutopayInput): Promise<SetAutopayResult>;
  sendCardUpdateLink(input: CardUpdateLinkInput): Promise<CardUpdateLinkResult>;
}

/** A provider that can also change accounts exposes `actions`; one without it is read-only. */
export interface AccountProviderWithActions extends AccountProvider {
  readonly actions: AccountActions;
}
