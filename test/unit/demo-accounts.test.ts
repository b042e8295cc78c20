import { describe, expect, it } from "vitest";
import { DemoAccountProvider, createAccountProviderFromEnv, materialiseDataset, readDatasetFile } from "../../adapters/accounts/index.js";
import { loadEnv } from "../../src/config/env.js";
import { ConfigError, NotFoundError, ValidationError } from "../../src/errors.js";
import { TEST_NOW } from "../support/turn.js";

const clockAt = (iso: string) => () => new Date(iso);

describe("demo account dataset", () => {
  const provider = new DemoAccountProvider({ clock: () => TEST_NOW });
  const records = provider.customerIds().map((id) => provider.snapshot(id)!);

  it("holds at least 20 fictional customers with E.164 555-01xx phones and example.com e-mails", () => {
    expect(records.length).toBeGreaterThanOrEqual(20);
    for (const { customer } of records) {
      expect(customer.email).toMatch(/@example\.com$/);
      if (customer.phone) expect(customer.phone).toMatch(/^\+1\d{3}55501\d{2}$/);
    }
    expect(records.some(({ customer }) => customer.phone === undefined)).toBe(true);
  });

  it("covers every scenario the brain must handle", () => {
    const plans = records.flatMap((record) => record.plans);
    const installments = plans.flatMap((plan) => plan.installments);
    expect(installments.some((installment) => installment.status === "upcoming" && installment.dueDate > "2026-12-01")).toBe(true);
    expect(installments.some((installment) => installment.status === "late" && installment.fees.some((fee) => fee.kind === "late_fee"))).toBe(true);
    expect(plans.some((plan) => plan.status === "paid_off")).toBe(true);
    const refunds = records.flatMap((record) => record.refunds);
    expect(refunds.some((refund) => refund.status === "pending" && refund.amount !== undefined)).toBe(true);
    expect(refunds.some((refund) => refund.status !== "processed" && refund.amount === undefined)).toBe(true);
    expect(records.some((record) => record.disputes.some((dispute) => dispute.status === "open" && dispute.paymentsPaused))).toBe(true);
    expect(plans.some((plan) => plan.kind === "hardship")).toBe(true);
    expect(records.some(({ customer }) => customer.card !== undefined && customer.card.expires < "2026-12")).toBe(true);
    expect(records.some((record) => record.plans.length >= 3)).toBe(true);
    expect(plans.some((plan) => plan.kind === "monthly_financing" && (plan.aprPercent ?? 0) > 0)).toBe(true);
    const orders = records.flatMap((record) => record.orders);
    expect(orders.some((order) => order.status === "shipped" && order.trackingNumber)).toBe(true);
    expect(orders.some((order) => order.status === "delivered")).toBe(true);
    expect(records.some(({ customer }) => customer.status === "locked")).toBe(true);
    expect(plans.some((plan) => plan.autopay)).toBe(true);
    expect(plans.some((plan) => !plan.autopay)).toBe(true);
  });

  it("materialises relative dates from the injected clock, so statuses stay true on any day", () => {
    for (const day of ["2026-12-01T15:00:00Z", "2031-02-28T23:59:00Z"]) {
      const onDay = new DemoAccountProvider({ clock: clockAt(day) });
      const today = day.slice(0, 10);
      for (const id of onDay.customerIds()) {
        for (const plan of onDay.snapshot(id)!.plans) {
          for (const installment of plan.installments) {
            if (installment.status === "upcoming") expect(installment.dueDate >= today).toBe(true);
            if (installment.status === "late" || installment.status === "paid") expect(installment.dueDate <= today).toBe(true);
          }
        }
      }
    }
    const maria = new DemoAccountProvider({ clock: () => TEST_NOW }).snapshot("C-1001")!;
    expect(maria.plans[0]!.installments.map((installment) => installment.dueDate)).toEqual(["2026-11-08", "2026-11-22", "2026-12-06", "2026-12-20"]);
  });

  it("takes today in the configured time zone", () => {
    // 02:00 UTC on December 2 is still December 1 in New York.
    const newYork = new DemoAccountProvider({ clock: clockAt("2026-12-02T02:00:00Z"), timeZone: "America/New_York" });
    expect(newYork.snapshot("C-1018")!.orders[0]!.placedOn).toBe("2026-12-01");
  });

  it("finds customers by id, phone in any common form, and e-mail in any case; never by a partial match", async () => {
    expect((await provider.findCustomer({ id: "C-1002" }))?.name).toBe("James Carter");
    expect((await provider.findCustomer({ phone: "whatsapp:+14155550102" }))?.id).toBe("C-1002");
    expect((await provider.findCustomer({ phone: "(415) 555-0102" }))?.id).toBe("C-1002");
    expect((await provider.findCustomer({ email: " James.Carter@EXAMPLE.com " }))?.id).toBe("C-1002");
    expect(await provider.findCustomer({ email: "james.carter@example.com", phone: "+14155550101" })).toBeNull();
    expect(await provider.findCustomer({ phone: "not a phone" })).toBeNull();
    expect(await provider.findCustomer({})).toBeNull();
    expect(await provider.getPaymentPlans("C-0000")).toEqual([]);
  });

  it("hands out copies: a caller cannot change what the provider holds", async () => {
    const plans = await provider.getPaymentPlans("C-1001");
    plans[0]!.installments[0]!.amount.amountMinor = 1;
    expect((await provider.getPaymentPlans("C-1001"))[0]!.installments[0]!.amount.amountMinor).toBe(3750);
  });

  it("rejects a broken dataset with every problem named", () => {
    const raw = readDatasetFile() as { customers: Array<Record<string, unknown>> };
    const broken = structuredClone(raw);
    (broken.customers[0]!.customer as Record<string, unknown>).email = 42;
    expect(() => materialiseDataset(broken, "2026-12-01")).toThrow(/customers\.0\.customer\.email/);
    const duplicate = structuredClone(raw);
    duplicate.customers.push(structuredClone(raw.customers[0]!));
    expect(() => materialiseDataset(duplicate, "2026-12-01")).toThrow(ConfigError);
    expect(() => new DemoAccountProvider({ dataPath: "/nonexistent/accounts.json" })).toThrow(/ACCOUNTS_DATA/);
  });
});

describe("demo account actions", () => {
  it("moves a due date once per idempotency key and keeps the change when the day rolls over", async () => {
    let now = new Date("2026-12-01T15:00:00Z");
    const provider = new DemoAccountProvider({ clock: () => now });
    const input = { customerId: "C-1001", planId: "P-1001", installmentNumber: 3, newDueDate: "2026-12-10", idempotencyKey: "k-1" };
    const first = await provider.actions.changeDueDate(input);
    const again = await provider.actions.changeDueDate(input);
    expect(first).toEqual({ planId: "P-1001", installmentNumber: 3, previousDueDate: "2026-12-06", newDueDate: "2026-12-10", amount: { amountMinor: 3750, currency: "USD" } });
    expect(again).toEqual(first);
    expect(provider.recordedActions()).toHaveLength(1);
    now = new Date("2026-12-02T15:00:00Z");
    const plan = (await provider.getPaymentPlans("C-1001"))[0]!;
    expect(plan.installments[2]!.dueDate).toBe("2026-12-11"); // re-anchored one day later, the 4-day move kept
  });

  it("refuses moves the records do not allow", async () => {
    const provider = new DemoAccountProvider({ clock: () => TEST_NOW });
    await expect(provider.actions.changeDueDate({ customerId: "C-1001", planId: "P-1001", installmentNumber: 1, newDueDate: "2026-12-10", idempotencyKey: "a" })).rejects.toThrow(ValidationError);
    await expect(provider.actions.changeDueDate({ customerId: "C-1001", planId: "P-1002", installmentNumber: 3, newDueDate: "2026-12-10", idempotencyKey: "b" })).rejects.toThrow(NotFoundError);
    await expect(provider.actions.changeDueDate({ customerId: "C-1001", planId: "P-1001", installmentNumber: 3, newDueDate: "2026-11-30", idempotencyKey: "c" })).rejects.toThrow(ValidationError);
    await expect(provider.actions.sendCardUpdateLink({ customerId: "C-1020", via: "sms", idempotencyKey: "d" })).rejects.toThrow(ValidationError);
  });

  it("switches autopay on every open plan and sends a card link to a masked destination", async () => {
    const provider = new DemoAccountProvider({ clock: () => TEST_NOW });
    expect(await provider.actions.setAutopay({ customerId: "C-1024", enabled: true, idempotencyKey: "e" })).toEqual({ planIds: ["P-1241", "P-1242"], enabled: true });
    expect((await provider.getPaymentPlans("C-1024")).every((plan) => plan.autopay)).toBe(true);
    const link = await provider.actions.sendCardUpdateLink({ customerId: "C-1008", via: "sms", idempotencyKey: "f" });
    expect(link).toEqual({ via: "sms", destinationMasked: "+1415***0108", expiresAt: "2026-12-01T15:30:00.000Z" });
    expect(provider.recordedActions().map((action) => action.kind)).toEqual(["set_autopay", "send_card_update_link"]);
  });
});

describe("createAccountProviderFromEnv", () => {
  it("uses the demo dataset unless ACCOUNTS_API_URL is set", () => {
    expect(createAccountProviderFromEnv(loadEnv({}), { clock: () => TEST_NOW }).name).toBe("demo");
    expect(createAccountProviderFromEnv(loadEnv({ ACCOUNTS_API_URL: "http://127.0.0.1:1/v1" })).name).toBe("http");
  });

  it("stops on bad account settings with a message naming the variable", () => {
    expect(() => loadEnv({ ACCOUNTS_API_URL: "ftp://x" })).toThrow(/ACCOUNTS_API_URL/);
    expect(() => loadEnv({ BUSINESS_TIME_ZONE: "Mars/Olympus" })).toThrow(/BUSINESS_TIME_ZONE/);
    expect(() => loadEnv({ CUSTOMER_TOKEN_SECRET: "short" })).toThrow(/CUSTOMER_TOKEN_SECRET/);
    expect(() => createAccountProviderFromEnv(loadEnv({ ACCOUNTS_API_URL: "http://x", ACCOUNTS_API_PATHS: "{nope" }))).toThrow(/ACCOUNTS_API_PATHS/);
    expect(() => createAccountProviderFromEnv(loadEnv({ ACCOUNTS_API_URL: "http://x", ACCOUNTS_API_PATHS: '{"plans":"/c/{customer}/plans"}' }))).toThrow(/may only use \{id\}/);
  });
});
