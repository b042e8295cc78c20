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
}
