import { describe, expect, it } from "vitest";
import { runAccountCheck } from "../../../src/agent/local/account-checks.js";
import type { PaymentPlan } from "../../../src/ports/account-provider.js";
import { memoryAccounts } from "../../fakes/memory-accounts.js";

const usd = (amountMinor: number) => ({ amountMinor, currency: "USD" });
const plan = (id: string, statuses: Array<"upcoming" | "paid" | "late">, extra: Partial<PaymentPlan> = {}): PaymentPlan => ({
  id, kind: "pay_in_4", merchant: "Cobalt Home", total: usd(10_000), status: "active", autopay: true,
  installments: statuses.map((status, index) => ({ number: index + 1, dueDate: `2026-11-${String(10 + index * 7).padStart(2, "0")}`, amount: usd(2_500), status, fees: [] })),
  ...extra,
});
const customer = (id: string, expires = "2027-01") => ({ id, name: "Ana", email: `${id}@example.com`, status: "active" as const, card: { brand: "visa", last4: "4242", expires } });

const accounts = memoryAccounts([
  { customer: customer("late"), plans: [plan("P-1", ["paid", "late", "upcoming", "upcoming"])] },
  { customer: customer("fine"), plans: [plan("P-2", ["paid", "paid", "upcoming", "upcoming"], { installments: [] })], refunds: [{ id: "R-1", orderId: "O-1", status: "pending", requestedOn: "2026-11-01" }] },
  { customer: customer("hard", "2026-10"), plans: [plan("P-3", ["upcoming"], { status: "in_hardship" })], disputes: [{ id: "D-1", orderId: "O-2", status: "open", reason: "not delivered", openedOn: "2026-11-02", paymentsPaused: true }] },
]);
const today = "2026-11-25";

describe("account checks of decision trees", () => {
  it("answers each check from the provider's records", async () => {
    expect(await runAccountCheck("has_late_installment", accounts, "late", today)).toBe(true);
    expect(await runAccountCheck("has_late_installment", accounts, "fine", today)).toBe(false);
    expect(await runAccountCheck("has_pending_refund", accounts, "fine", today)).toBe(true);
    expect(await runAccountCheck("has_pending_refund", accounts, "late", today)).toBe(false);
    expect(await runAccountCheck("has_open_dispute", accounts, "hard", today)).toBe(true);
    expect(await runAccountCheck("in_hardship", accounts, "hard", today)).toBe(true);
    expect(await runAccountCheck("in_hardship", accounts, "late", today)).toBe(false);
    expect(await runAccountCheck("has_active_plan", accounts, "late", today)).toBe(true);
    expect(await runAccountCheck("card_expired", accounts, "hard", today)).toBe(true);
    expect(await runAccountCheck("card_expired", accounts, "late", today)).toBe(false);
  });

  it("counts an unpaid installment past its due date as late", async () => {
    const overdue = memoryAccounts([{ customer: customer("x"), plans: [plan("P-9", ["upcoming"])] }]);
    expect(await runAccountCheck("has_late_installment", overdue, "x", today)).toBe(true);
    expect(await runAccountCheck("has_late_installment", overdue, "x", "2026-11-01")).toBe(false);
  });
});
