/**
 * A small account-aware test engine for channel end-to-end tests, until the real brain and its demo
 * account data are on this branch: it finds the customer by the phone number the conversation comes
 * from (SMS `+1...` or WhatsApp `whatsapp:+1...`), answers "next payment" with the exact date and amount
 * of the first upcoming installment, and echoes anything else. It runs through the real `createBrain`.
 */
import { createBrain } from "../../src/agent/decide-turn.js";
import type { AgentEngine, Brain } from "../../src/ports/agent-engine.js";
import type { Customer, PaymentPlan } from "../../src/ports/account-provider.js";
import { testRouting } from "./test-brain.js";

export interface DemoAccount {
  customer: Customer;
  plans: PaymentPlan[];
}

export const DEMO_ACCOUNTS: DemoAccount[] = [
  {
    customer: { id: "C-1001", name: "Maya Patel", email: "maya@example.com", phone: "+14155550101", status: "active" },
    plans: [
      {
        id: "P-1001", kind: "pay_in_4", merchant: "Northwind Outfitters", total: { amountMinor: 17_000, currency: "USD" }, status: "active", autopay: true,
        installments: [
          { number: 1, dueDate: "2025-02-14", amount: { amountMinor: 4_250, currency: "USD" }, status: "paid", paidDate: "2025-02-14", fees: [] },
          { number: 2, dueDate: "2025-02-28", amount: { amountMinor: 4_250, currency: "USD" }, status: "upcoming", fees: [] },
          { number: 3, dueDate: "2025-03-14", amount: { amountMinor: 4_250, currency: "USD" }, status: "upcoming", fees: [] },
        ],
      },
    ],
  },
  {
    customer: { id: "C-1002", name: "Jonas Berg", email: "jonas@example.com", phone: "+14155550102", status: "active" },
    plans: [
      {
        id: "P-2001", kind: "monthly_financing", merchant: "Lumen Home", total: { amountMinor: 120_000, currency: "USD" }, status: "active", autopay: false,
        installments: [{ number: 1, dueDate: "2025-03-05", amount: { amountMinor: 10_433, currency: "USD" }, status: "upcoming", fees: [] }],
      },
    ],
  },
];

const money = (amountMinor: number) => `$${(amountMinor / 100).toFixed(2)}`;
const longDate = (iso: string) => new Date(`${iso}T00:00:00Z`).toLocaleDateString("en-US", { timeZone: "UTC", month: "long", day: "numeric", year: "numeric" });

export function createPaymentTestEngine(accounts: DemoAccount[] = DEMO_ACCOUNTS): AgentEngine {
  return {
    name: "test-payments",
    async answer(turn) {
      const phone = turn.conversation.customerAddress.replace(/^whatsapp:/, "");
      const account = accounts.find((candidate) => candidate.customer.phone === phone);
      if (/next payment/i.test(turn.message.text) && account) {
        const next = account.plans.flatMap((plan) => plan.installments.map((installment) => ({ plan, installment }))).find(({ installment }) => installment.status === "upcoming");
        if (next) {
          const fact = `${next.plan.id} installment ${next.installment.number}: ${money(next.installment.amount.amountMinor)} due ${next.installment.dueDate}`;
          return {
            kind: "answer",
            text: `Hi ${account.customer.name.split(" ")[0]}, your next payment of ${money(next.installment.amount.amountMinor)} for ${next.plan.merchant} is due on ${longDate(next.installment.dueDate)}.`,
            confidence: 1, facts: [{ source: "account", ref: `plan:${next.plan.id}`, text: fact }], reasonCodes: [], engine: "test-payments", category: "payment_schedule",
            verifiedCustomerId: account.customer.id,
          };
        }
      }
      return { kind: "answer", text: `Got it: ${turn.message.text}`, confidence: 1, facts: [], reasonCodes: [], engine: "test-payments", category: "echo" };
    },
  };
}

export function createPaymentTestBrain(accounts?: DemoAccount[]): Brain {
  return createBrain({ routing: testRouting, engine: createPaymentTestEngine(accounts), guards: [] });
}
