/**
 * An account-aware brain for channel end-to-end tests while the real engine is not on this branch. Only
 * the intent step is a stand-in (a "next payment" pattern); the rest is the real thing: the shipped demo
 * accounts (adapters/accounts), identity by the sender's phone number, the account-fact composer that
 * writes exact dates and amounts, every guardrail, all run through `createBrain`. Anything that is not a
 * payment question is acknowledged verbatim (`Got it: ...`), so order is easy to check.
 */
import { createDemoAccountProvider, type DemoAccountProvider } from "../../adapters/accounts/index.js";
import { createBrain } from "../../src/agent/decide-turn.js";
import { describeNextPayment } from "../../src/agent/account-facts.js";
import { resolveIdentity } from "../../src/agent/identity.js";
import { calendarDateIn } from "../../src/domain/calendar-date.js";
import { createGuardrails } from "../../src/guardrails/index.js";
import type { AgentEngine, Brain } from "../../src/ports/agent-engine.js";
import { testRouting } from "./test-brain.js";

export function createPaymentTestEngine(accounts: DemoAccountProvider): AgentEngine {
  return {
    name: "test-payments",
    async answer(turn) {
      if (!/next payment/i.test(turn.message.text)) {
        return { kind: "answer", text: `Got it: ${turn.message.text}`, confidence: 1, facts: [], reasonCodes: [], engine: "test-payments", category: "echo" };
      }
      const identity = await resolveIdentity(turn, accounts);
      if (identity.kind !== "verified") {
        return { kind: "clarify", text: identity.reply, confidence: 1, facts: [], reasonCodes: [], engine: "test-payments", contextPatch: identity.contextPatch };
      }
      const customerId = identity.customer.id;
      const answer = describeNextPayment(customerId, await accounts.getPaymentPlans(customerId), calendarDateIn(turn.now));
      return {
        kind: "answer", text: answer.text, confidence: 1, facts: answer.facts, reasonCodes: [], engine: "test-payments", category: "payment_schedule",
        verifiedCustomerId: customerId, contextPatch: identity.contextPatch,
      };
    },
  };
}

export function createPaymentTestBrain(accounts: DemoAccountProvider = createDemoAccountProvider()): Brain {
  return createBrain({ routing: testRouting, engine: createPaymentTestEngine(accounts), guards: createGuardrails() });
}

/** What the demo data says a customer's next payment is, in the customer-facing formats. */
export async function expectedNextPayment(accounts: DemoAccountProvider, phone: string): Promise<{ amount: string; date: string }> {
  const { formatCustomerDate, formatMoney } = await import("../../src/agent/customer-format.js");
  const customer = await accounts.findCustomer({ phone });
  if (!customer) throw new Error(`no demo customer with phone ${phone}`);
  const today = calendarDateIn(new Date());
  const next = (await accounts.getPaymentPlans(customer.id))
    .filter((plan) => plan.status === "active")
    .flatMap((plan) => plan.installments)
    .filter((installment) => installment.status === "upcoming" && installment.dueDate >= today)
    .sort((a, b) => a.dueDate.localeCompare(b.dueDate))[0];
  if (!next) throw new Error(`demo customer ${customer.id} has no upcoming payment`);
  return { amount: formatMoney(next.amount), date: formatCustomerDate(next.dueDate) };
}
