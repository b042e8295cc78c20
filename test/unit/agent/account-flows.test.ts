import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { createDemoAccountProvider } from "../../../adapters/accounts/index.js";
import { createRoutingPolicy } from "../../../escalation/rules/index.js";
import { singleTurn } from "../../../src/agent/evaluate.js";
import { createLocalBrain } from "../../../src/agent/local/index.js";
import { createProviderAccountTools } from "../../../src/agent/local/provider-account-tools.js";
import type { Message } from "../../../src/domain/model.js";
import { createGuardrails } from "../../../src/guardrails/index.js";
import { learnedRoutingSignals, loadKnowledgeBase } from "../../../src/kb/load.js";
import type { PaymentPlan } from "../../../src/ports/account-provider.js";
import type { Brain, TurnContext, TurnDecision } from "../../../src/ports/agent-engine.js";
import { memoryAccounts } from "../../fakes/memory-accounts.js";

const now = new Date("2026-11-25T15:00:00Z");
const usd = (amountMinor: number) => ({ amountMinor, currency: "USD" });
const plan: PaymentPlan = {
  id: "P-77", kind: "pay_in_4", orderId: "48213", merchant: "Stride Athletics", total: usd(15_000), status: "active", autopay: true,
  installments: [
    { number: 1, dueDate: "2026-11-02", amount: usd(3_750), status: "paid", fees: [] },
    { number: 2, dueDate: "2026-11-16", amount: usd(3_750), status: "late", fees: [{ kind: "late_fee", amount: usd(700), appliedOn: "2026-11-17" }] },
    { number: 3, dueDate: "2026-11-30", amount: usd(3_750), status: "upcoming", fees: [] },
    { number: 4, dueDate: "2026-12-14", amount: usd(3_750), status: "upcoming", fees: [] },
  ],
};
const provider = memoryAccounts([
  {
    customer: { id: "C-77", name: "Maria Alvarez", email: "maria@example.com", phone: "+14155550177", status: "active" },
    plans: [plan],
    orders: [{ id: "48213", merchant: "Stride Athletics", placedOn: "2026-11-02", status: "shipped", carrier: "UPS", trackingNumber: "1Z999", total: usd(15_000), planId: "P-77" }],
  },
]);

let brain: Brain;
beforeAll(async () => {
  const kb = await loadKnowledgeBase("kb");
  brain = createLocalBrain({ kb, routing: createRoutingPolicy({ signals: learnedRoutingSignals(kb) }), guards: createGuardrails(), accounts: createProviderAccountTools(provider) });
});

async function converse(messages: string[], options: { customerId?: string; channelKind?: TurnContext["channelKind"]; address?: string } = {}): Promise<TurnDecision[]> {
  const first = singleTurn(messages[0] as string, { now, ...(options.customerId ? { customerId: options.customerId } : {}), ...(options.channelKind ? { channelKind: options.channelKind } : {}) });
  if (options.address) first.conversation.customerAddress = options.address;
  let conversation = first.conversation;
  const history: Message[] = [];
  const outcomes: TurnDecision[] = [];
  for (const [index, text] of messages.entries()) {
    const message: Message = { ...first.message, id: randomUUID(), seq: history.length + 1, text };
    const turn: TurnContext = { ...first, conversation, message, history: [...history] };
    const outcome = await brain.decide(turn);
    outcomes.push(outcome);
    history.push({ ...message, decision: outcome.decision });
    if (outcome.reply) history.push({ ...message, id: randomUUID(), direction: "outbound", author: "ai", text: outcome.reply });
    conversation = {
      ...conversation,
      ...(outcome.contextPatch ? { context: outcome.contextPatch } : {}),
      ...(outcome.verifiedCustomerId ? { customerId: outcome.verifiedCustomerId } : {}),
    };
    void index;
  }
  return outcomes;
}

describe("account questions through the identity and account-facts modules", () => {
  it("asks an unverified customer for e-mail and order number, then answers the first question with exact dates and amounts", async () => {
    const [ask, verified] = await converse(["when is my next payment due?", "sure: maria@example.com, order 48213"]);
    expect(ask?.decision.route).toBe("ai");
    expect(ask?.reply).toMatch(/email address on your account/);
    expect(ask?.reply).not.toMatch(/\$/);
    expect(verified?.decision).toMatchObject({ route: "ai", category: "payment_schedule" });
    expect(verified?.verifiedCustomerId).toBe("C-77");
    expect(verified?.reply).toMatch(/verified/);
    expect(verified?.reply).toContain("$37.50");
    expect(verified?.reply).toMatch(/November 30, 2026/);
    expect(verified?.reply).toMatch(/December 14, 2026/);
    expect(verified?.decision.guardrails.every((verdict) => verdict.passed)).toBe(true);
  });

  it("answers a verified customer's schedule at once, every figure grounded", async () => {
    const [outcome] = await converse(["What's my payment schedule?"], { customerId: "C-77" });
    expect(outcome?.decision.route).toBe("ai");
    expect(outcome?.reply).toContain("$7.00");
    expect(outcome?.reply).toMatch(/November 16, 2026/);
    expect(outcome?.decision.guardrails.map((verdict) => verdict.passed)).not.toContain(false);
  });

  it("recognises the sender's phone number on SMS", async () => {
    const [outcome] = await converse(["where is my order"], { channelKind: "twilio_sms", address: "+14155550177" });
    expect(outcome?.decision.route).toBe("ai");
    expect(outcome?.reply).toContain("1Z999");
    expect(outcome?.verifiedCustomerId).toBe("C-77");
  });

  it("runs the missed-payment tree on the customer's real account", async () => {
    const [outcome] = await converse(["I missed a payment, what now?"], { customerId: "C-77" });
    expect(outcome?.reply).toMatch(/past due/);
    expect(outcome?.reply).toMatch(/specialist/);
    expect(outcome?.decision.guardrails.map((verdict) => verdict.passed)).not.toContain(false);
  });

  it("drops the verification when the customer changes the subject", async () => {
    const [, other] = await converse(["when is my next payment due?", "actually, how do I reset my password?"]);
    expect(other?.decision).toMatchObject({ route: "ai", category: "login_password" });
    expect(other?.contextPatch?.identity).toBeUndefined();
  });

  it("hands over after repeated wrong details, saying nothing about whether the account exists", async () => {
    const outcomes = await converse(["when is my next payment due?", "nobody@example.com order 11111", "nobody@example.com order 22222", "nobody@example.com order 33333"]);
    expect(outcomes[1]?.reply).toMatch(/couldn't confirm/);
    expect(outcomes.at(-1)?.decision.route).toBe("human");
    expect(outcomes.at(-1)?.decision.reasonCodes).toContain("verification_failed");
  });
});

describe("account changes through the confirmation flow", () => {
  let demoBrain: Brain;
  const demoNow = new Date();
  beforeAll(async () => {
    const kb = await loadKnowledgeBase("kb");
    const demo = createDemoAccountProvider({ clock: () => demoNow });
    demoBrain = createLocalBrain({ kb, routing: createRoutingPolicy({ signals: learnedRoutingSignals(kb) }), guards: createGuardrails(), accounts: createProviderAccountTools(demo) });
  });

  async function talk(messages: string[], customerId: string): Promise<TurnDecision[]> {
    const first = singleTurn(messages[0] as string, { customerId, now: demoNow });
    let conversation = first.conversation;
    const outcomes: TurnDecision[] = [];
    for (const text of messages) {
      const turn: TurnContext = { ...first, conversation, message: { ...first.message, id: randomUUID(), text } };
      const outcome = await demoBrain.decide(turn);
      outcomes.push(outcome);
      conversation = { ...conversation, ...(outcome.contextPatch ? { context: outcome.contextPatch } : {}) };
    }
    return outcomes;
  }

  it("restates an autopay change, runs it only on YES, and reports it done", async () => {
    const [restated, done] = await talk(["please turn off autopay", "yes"], "C-1001");
    expect(restated?.reply).toMatch(/^To confirm: turn autopay off .*Reply YES/);
    expect(restated?.contextPatch?.pendingAction).toBeDefined();
    expect(done?.decision.route).toBe("ai");
    expect(done?.reply).toMatch(/^Done\. Autopay is now off/);
    expect(done?.decision.guardrails.every((verdict) => verdict.passed)).toBe(true);
  });

  it("changes nothing on NO", async () => {
    const [, cancelled] = await talk(["can you move my next payment by 3 days", "no"], "C-1001");
    expect(cancelled?.reply).toMatch(/haven't changed anything/);
  });

  it("hands a due-date move beyond the policy window to a person", async () => {
    const [outcome] = await talk(["move my payment by 30 days"], "C-1001");
    expect(outcome?.decision).toMatchObject({ route: "human", reasonCodes: ["policy_exception"] });
  });

  it("answers how-to questions as usual, even for a verified customer", async () => {
    const [outcome] = await talk(["When does my autopay run?"], "C-1001");
    expect(outcome?.decision.route).toBe("ai");
    expect(outcome?.reply).toMatch(/due date/);
    expect(outcome?.contextPatch?.pendingAction).toBeUndefined();
  });
});
