import { describe, expect, it } from "vitest";
import { DemoAccountProvider } from "../../adapters/accounts/index.js";
import {
  accountFacts,
  describeAutopay,
  describeCard,
  describeDispute,
  describeLateFees,
  describeNextPayment,
  describeOrder,
  describePaymentSchedule,
  describeRefund,
  type AccountAnswer,
  type AccountSnapshot,
} from "../../src/agent/account-facts.js";
import { fetchAccountSnapshot } from "../../src/agent/account-snapshot.js";
import { formatCustomerDate, formatMoney } from "../../src/agent/customer-format.js";
import { createGuardrails } from "../../src/guardrails/index.js";
import { TEST_NOW, makeDraft, makeTurn } from "../support/turn.js";

const TODAY = "2026-12-01";
const accounts = new DemoAccountProvider({ clock: () => TEST_NOW });
const snapshot = async (id: string): Promise<AccountSnapshot> => (await fetchAccountSnapshot(accounts, id))!;

describe("customer formats", () => {
  it("writes money as $12.50 and dates as Friday, December 4, 2026", () => {
    expect(formatMoney({ amountMinor: 1250, currency: "USD" })).toBe("$12.50");
    expect(formatMoney({ amountMinor: 123456, currency: "USD" })).toBe("$1,234.56");
    expect(formatMoney({ amountMinor: 700, currency: "EUR" })).toBe("€7.00");
    expect(formatCustomerDate("2026-12-04")).toBe("Friday, December 4, 2026");
  });
});

describe("account facts from the demo data", () => {
  it("lists every installment of a schedule with its exact date, amount, status and fees", async () => {
    const james = await snapshot("C-1002");
    const answer = describePaymentSchedule("C-1002", james.plans[0]!);
    expect(answer.text).toBe(
      [
        "Plan P-1002 with Urban Loft Home (Pay in 4, total $240.00, order 51007): status active, autopay off.",
        "- Payment 1 of 4: $60.00 due Thursday, October 22, 2026, paid",
        "- Payment 2 of 4: $60.00 due Thursday, November 5, 2026, paid",
        "- Payment 3 of 4: $60.00 due Thursday, November 19, 2026, late (not paid yet); late fee of $7.00 charged on Friday, November 20, 2026",
        "- Payment 4 of 4: $60.00 due Thursday, December 3, 2026, upcoming",
      ].join("\n"),
    );
    expect(answer.facts.map((fact) => fact.ref)).toEqual(["plan:P-1002", "plan:P-1002#1", "plan:P-1002#2", "plan:P-1002#3", "plan:P-1002#4"]);
    expect(answer.facts[3]!.text).toContain("$60.00 due Thursday, November 19, 2026 (2026-11-19), status late.");
    expect(answer.facts[3]!.text).toContain("late fee $7.00 charged Friday, November 20, 2026 (2026-11-20)");
    expect(answer.facts.every((fact) => fact.source === "account" && fact.customerId === "C-1002")).toBe(true);
  });

  it("gives the next payment, overdue ones first, with the autopay state", async () => {
    expect(describeNextPayment("C-1001", (await snapshot("C-1001")).plans, TODAY).text).toBe(
      "Your next payment is $37.50 on Sunday, December 6, 2026 (plan P-1001, Stride Athletics, payment 3 of 4). Autopay is on for this plan.",
    );
    const james = describeNextPayment("C-1002", (await snapshot("C-1002")).plans, TODAY).text;
    expect(james.split("\n")).toEqual([
      "Overdue: $60.00 that was due Thursday, November 19, 2026 on plan P-1002 (Urban Loft Home), late (not paid yet).",
      "Your next payment is $60.00 on Thursday, December 3, 2026 (plan P-1002, Urban Loft Home, payment 4 of 4). Autopay is off for this plan, so please pay it yourself in the app.",
    ]);
    expect(describeNextPayment("C-1006", (await snapshot("C-1006")).plans, TODAY).text).toBe("Payments on plan P-1006 (GadgetHub) are paused.");
    expect(describeNextPayment("C-1003", (await snapshot("C-1003")).plans, TODAY).text).toBe("You have no upcoming payments.");
  });

  it("shows monthly financing with its APR", async () => {
    const marcus = describePaymentSchedule("C-1010", (await snapshot("C-1010")).plans[0]!);
    expect(marcus.text.split("\n")[0]).toBe("Plan P-1010 with Velo Bikes (monthly financing, total $1,333.92, 19.99% APR, order 58800): status active, autopay on.");
    expect(marcus.text).toContain("- Payment 4 of 12: $111.16 due Saturday, December 26, 2026, upcoming");
  });

  it("reports late fees on record, and says so when there are none", async () => {
    const fatima = describeLateFees("C-1019", (await snapshot("C-1019")).plans);
    expect(fatima.text.match(/late fee of \$7\.00/g)).toHaveLength(2);
    expect(describeLateFees("C-1001", (await snapshot("C-1001")).plans).text).toBe("There are no late fees on your account.");
  });

  it("gives order status with carrier and tracking", async () => {
    const maria = await snapshot("C-1001");
    expect(describeOrder("C-1001", maria.orders[0]!).text).toBe(
      "Order 48213 from Stride Athletics (Trail running shoes), placed on Sunday, November 8, 2026 for $150.00, has shipped. UPS tracking number: 1Z999AA10123456784. Track it here: https://www.ups.com/track?tracknum=1Z999AA10123456784",
    );
    const ethan = await snapshot("C-1018");
    expect(describeOrder("C-1018", ethan.orders[0]!).text).toContain("is being prepared by the merchant and has not shipped yet");
  });

  it("states a refund amount only when the record holds one", async () => {
    const daniel = await snapshot("C-1004");
    expect(describeRefund("C-1004", daniel.refunds[0]!, daniel.orders[0]).text).toBe(
      "Your refund for order 55230 (Northwind Outfitters), requested on Wednesday, November 25, 2026, is pending. The refund amount on record is $89.99.",
    );
    const aisha = await snapshot("C-1005");
    const noAmount = describeRefund("C-1005", aisha.refunds[0]!, aisha.orders[0]);
    expect(noAmount.text).toBe("Your refund request for order 56781 (Bloom & Co) was received on Saturday, November 28, 2026 and is waiting for the merchant. The refund amount is not on record yet.");
    expect(noAmount.text).not.toMatch(/\$/);
    expect(noAmount.facts[0]!.text).toContain("no amount on record");
  });

  it("says whether a dispute pauses payments", async () => {
    const tom = await snapshot("C-1006");
    expect(describeDispute("C-1006", tom.disputes[0]!, tom.orders[0]).text).toBe(
      "Your dispute about order 47110 (GadgetHub), opened on Friday, November 27, 2026 (item not received), is open. Payments for this order are paused while the dispute is open.",
    );
    const chloe = await snapshot("C-1017");
    expect(describeDispute("C-1017", chloe.disputes[0]!, chloe.orders[0]).text).toContain("was resolved in the merchant's favour. Payments for this order are not paused.");
  });

  it("notices an expired card", async () => {
    expect(describeCard((await snapshot("C-1008")).customer, TODAY).text).toBe(
      "Your Visa ending in 1881 expired at the end of October 2026, so payments cannot be taken from it until you update it.",
    );
    expect(describeCard((await snapshot("C-1001")).customer, TODAY).text).toBe("Your Visa ending in 4242 is valid through August 2028.");
  });

  it("produces answers that pass every guardrail with their own facts, for every demo customer", async () => {
    const guards = createGuardrails();
    for (const id of accounts.customerIds()) {
      const record = await snapshot(id);
      const turn = makeTurn({ text: "tell me about my account", customerId: id });
      const orderOf = (orderId: string) => record.orders.find((order) => order.id === orderId);
      const answers: AccountAnswer[] = [
        describeNextPayment(id, record.plans, TODAY),
        describeLateFees(id, record.plans),
        describeCard(record.customer, TODAY),
        describeAutopay(id, record.plans),
        ...record.plans.map((plan) => describePaymentSchedule(id, plan)),
        ...record.orders.map((order) => describeOrder(id, order)),
        ...record.refunds.map((refund) => describeRefund(id, refund, orderOf(refund.orderId))),
        ...record.disputes.map((dispute) => describeDispute(id, dispute, orderOf(dispute.orderId))),
      ];
      for (const answer of answers) {
        const failed = guards.map((guard) => guard.check(makeDraft(answer.text, answer.facts), turn)).filter((verdict) => !verdict.passed);
        expect(failed, `${id}: ${answer.text}`).toEqual([]);
      }
      // And with every fact of the account at once (what a model-backed engine passes).
      const all = accountFacts(record, TODAY);
      const summary = answers.map((answer) => answer.text).join("\n");
      expect(guards.map((guard) => guard.check(makeDraft(summary, all), turn)).filter((verdict) => !verdict.passed), id).toEqual([]);
    }
  });
});
