/**
 * The OpenAI engine inside the brain, through the real SDK against the fake provider: tool calls reach
 * the shared account facts, the reply is grounded in exactly this turn's tool results, identity comes
 * first, data reaches the model fenced and masked, and the customer's words never sit in the system role.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { OPENAI_CONTEXT_KEY } from "../../../src/agent/openai/engine.js";
import { IDENTITY_CONTEXT_KEY, VERIFICATION_REPLIES } from "../../../src/agent/identity.js";
import { PENDING_ACTION_CONTEXT_KEY } from "../../../src/agent/account-actions.js";
import { startFakeOpenAI, shownText, type FakeOpenAIServer, type RecordedRequest } from "../../fakes/openai-server.js";
import { createEngineKit, finalAnswer } from "../../support/openai-kit.js";
import { makeTurn } from "../../support/turn.js";

let fake: FakeOpenAIServer;
beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(async () => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
  fake.setScript(undefined);
});

function toolMessages(request: RecordedRequest): string[] {
  return request.body.messages.filter((message) => message.role === "tool").map((message) => message.content ?? "");
}

describe("the OpenAI engine", () => {
  it("answers a schedule question from the account tool's facts, with exact figures", async () => {
    const { brain } = await createEngineKit({ fake });
    fake.setScript((request, index) => {
      if (index === 0) return { kind: "tool_calls", calls: [{ name: "get_payment_schedule", arguments: { plan_id: null } }] };
      const result = toolMessages(request)[0] ?? "";
      expect(result).toContain("$37.50");
      return { kind: "json", json: finalAnswer("Your next payment is $37.50 on Sunday, December 6, 2026. Autopay is on, so nothing to do.") };
    });
    const turn = makeTurn({ text: "When is my next payment?", customerId: "C-1001" });
    const outcome = await brain.decide(turn);
    expect(outcome.decision.route).toBe("ai");
    expect(outcome.reply).toContain("$37.50");
    expect(outcome.decision.engine).toBe("openai:gpt-test");
    expect(outcome.decision.category).toBe("payment_schedule");
    expect(outcome.decision.guardrails.every((verdict) => verdict.passed)).toBe(true);
    expect(outcome.verifiedCustomerId).toBe("C-1001");

    const first = fake.requests[0]!;
    expect(first.body.tools?.map((tool) => tool.function.name)).toEqual(
      expect.arrayContaining(["get_payment_schedule", "get_orders", "get_refunds", "get_disputes", "search_knowledge_base", "escalate_to_human", "propose_account_action"]),
    );
    expect(first.body.response_format).toMatchObject({ type: "json_schema", json_schema: { name: "support_reply", strict: true } });
    const system = first.body.messages[0]!;
    expect(system.role).toBe("system");
    expect(system.content).toContain("Switchboard Pay");
    expect(system.content).not.toContain("When is my next payment");
    const user = first.body.messages[1]!;
    expect(user.role).toBe("user");
    expect(user.content).toMatch(/<<<DATA ([0-9a-f]{18}) customer_message>>>\nWhen is my next payment\?\n<<<END \1>>>/);

    // The usage of both requests is on the conversation record.
    const usage = (outcome.contextPatch?.[OPENAI_CONTEXT_KEY] as { usage: { promptTokens: number; completionTokens: number; turns: number; costUsd: number } }).usage;
    expect(usage).toMatchObject({ promptTokens: 240, completionTokens: 60, turns: 1 });
    expect(usage.costUsd).toBeGreaterThan(0);
  });

  it("an unverified customer gets the identity flow's reply, and no account data reaches the model", async () => {
    const { brain } = await createEngineKit({ fake });
    fake.enqueue({ kind: "tool_calls", calls: [{ name: "get_payment_schedule", arguments: { plan_id: null } }] });
    const outcome = await brain.decide(makeTurn({ text: "When is my next payment?" }));
    expect(outcome.decision.route).toBe("ai");
    expect(outcome.reply).toBe(VERIFICATION_REPLIES.ask);
    expect(outcome.decision.reasonCodes).toContain("verification_required");
    expect(outcome.contextPatch?.[IDENTITY_CONTEXT_KEY]).toMatchObject({ step: "awaiting_details", resumeText: "When is my next payment?" });
    expect(fake.requests).toHaveLength(1);
    expect(fake.pending()).toBe(0);
  });

  it("continues a verification flow by code, then answers the question asked before it", async () => {
    const { brain } = await createEngineKit({ fake });
    const flow = { [IDENTITY_CONTEXT_KEY]: { step: "awaiting_details", attempts: 0, startedAt: "2026-12-01T14:55:00.000Z", resumeText: "What is my next payment?" } };
    fake.setScript((_request, index) =>
      index === 0 ? { kind: "tool_calls", calls: [{ name: "get_payment_schedule", arguments: { plan_id: null } }] } : { kind: "json", json: finalAnswer("Your next payment is $37.50 on December 6, 2026.") },
    );
    const outcome = await brain.decide(makeTurn({ text: "maria.alvarez@example.com, order 48213", context: flow }));
    expect(outcome.decision.route).toBe("ai");
    expect(outcome.verifiedCustomerId).toBe("C-1001");
    expect(outcome.reply).toBe(`${VERIFICATION_REPLIES.verified} Your next payment is $37.50 on December 6, 2026.`);
    expect(outcome.contextPatch?.[IDENTITY_CONTEXT_KEY]).toBeUndefined();
    // The model was asked the original question, not shown the e-mail the customer verified with.
    expect(fake.requests[0]!.body.messages[1]!.content).toContain("What is my next payment?");
    expect(fake.requests.map(shownText).join("\n")).not.toContain("maria.alvarez@example.com");
  });

  it("masks card numbers, secrets, e-mails and phones before anything reaches the model", async () => {
    const { brain } = await createEngineKit({ fake });
    fake.enqueue({ kind: "json", json: finalAnswer("Please never share your card number here. You can update it securely in the app.", { category: "card_update" }) });
    const text = "My card 4539 1488 0343 6467 is declined, password: hunter22, mail me at bob.smith@example.org or +1 415 555 0199";
    const outcome = await brain.decide(makeTurn({ text, customerId: "C-1001", history: [{ author: "customer", text: "Hello, a question about my old card 5555555555554444 please." }, { author: "ai", text: "Sure, what would you like to know?" }] }));
    expect(outcome.decision.route).toBe("ai");
    const shown = shownText(fake.requests[0]!);
    expect(shown).toContain("[card ending 6467]");
    expect(shown).toContain("[card ending 4444]");
    for (const secret of ["4539 1488 0343 6467", "5555555555554444", "hunter22", "bob.smith@example.org", "415 555 0199"]) expect(shown).not.toContain(secret);
  });

  it("the model's escalate_to_human ends the turn with a handoff", async () => {
    const { brain } = await createEngineKit({ fake });
    fake.enqueue({ kind: "tool_calls", calls: [{ name: "escalate_to_human", arguments: { reason: "customer disputes a charge" } }] });
    const outcome = await brain.decide(makeTurn({ text: "This charge is wrong and I want it looked at", customerId: "C-1001" }));
    expect(outcome.decision.route).toBe("human");
    expect(outcome.decision.reasonCodes).toEqual(["model_escalated"]);
    expect(outcome.summary).toBe("customer disputes a charge");
  });

  it("a final answer with route human escalates", async () => {
    const { brain } = await createEngineKit({ fake });
    fake.enqueue({ kind: "json", json: finalAnswer("I'm passing you to a colleague who can look into this.", { route: "human", category: "complaint", escalation_reason: "complaint about service" }) });
    const outcome = await brain.decide(makeTurn({ text: "Your service has been terrible for weeks", customerId: "C-1001" }));
    expect(outcome.decision.route).toBe("human");
    expect(outcome.decision.reasonCodes).toContain("model_escalated");
    expect(outcome.decision.category).toBe("complaint");
  });

  it("bounds the tool rounds: a model that keeps calling tools is cut off and the conversation escalates", async () => {
    const { brain } = await createEngineKit({ fake });
    fake.setScript(() => ({ kind: "tool_calls", calls: [{ name: "search_knowledge_base", arguments: { query: "late fee" } }] }));
    const outcome = await brain.decide(makeTurn({ text: "Tell me about late fees", customerId: "C-1001" }));
    expect(outcome.decision.route).toBe("human");
    expect(outcome.decision.reasonCodes).toContain("tool_rounds_exceeded");
    // Three rounds with tools, then one request that may not use them.
    expect(fake.requests).toHaveLength(4);
    expect(fake.requests.slice(0, 3).every((request) => request.body.tool_choice === "auto")).toBe(true);
    expect(fake.requests[3]!.body.tool_choice).toBe("none");
  });

  it("invalid tool arguments and unknown tools go back to the model as errors, not crashes", async () => {
    const { brain } = await createEngineKit({ fake });
    fake.setScript((request, index) => {
      if (index === 0) return { kind: "tool_calls", calls: [{ name: "search_knowledge_base", arguments: { query: 42 } }, { name: "delete_everything", arguments: {} }, { name: "get_orders", arguments: "{not json" }] };
      const results = toolMessages(request);
      expect(results[0]).toMatch(/error: invalid arguments: query/);
      expect(results[1]).toMatch(/no tool named "delete_everything"/);
      expect(results[2]).toMatch(/not valid JSON/);
      return { kind: "json", json: finalAnswer("Could you tell me which order you mean?", { category: "order_status", clarifying_question: true }) };
    });
    const outcome = await brain.decide(makeTurn({ text: "where is my order", customerId: "C-1001" }));
    expect(outcome.decision.route).toBe("ai");
    expect(outcome.decision.reasonCodes).toContain("clarification");
    expect(fake.requests).toHaveLength(2);
  });

  it("an account action is restated for confirmation, then carried out by code on YES (no model call)", async () => {
    const { brain } = await createEngineKit({ fake });
    fake.enqueue({ kind: "tool_calls", calls: [{ name: "propose_account_action", arguments: { action: "set_autopay", plan_id: null, installment_number: null, new_due_date: null, autopay_enabled: false, link_via: null } }] });
    const first = await brain.decide(makeTurn({ text: "Please turn off autopay", customerId: "C-1001" }));
    expect(first.decision.route).toBe("ai");
    expect(first.reply).toMatch(/^To confirm: turn autopay off/);
    expect(first.decision.reasonCodes).toContain("account_action");
    const context = first.contextPatch!;
    expect(context[PENDING_ACTION_CONTEXT_KEY]).toBeDefined();

    const requestsBefore = fake.requests.length;
    const second = await brain.decide(makeTurn({ text: "YES", customerId: "C-1001", context }));
    expect(second.decision.route).toBe("ai");
    expect(second.reply).toMatch(/^Done\. Autopay is now off/);
    expect(second.decision.guardrails.every((verdict) => verdict.passed)).toBe(true);
    expect(second.contextPatch?.[PENDING_ACTION_CONTEXT_KEY]).toBeUndefined();
    expect(fake.requests).toHaveLength(requestsBefore);
    // The engine's usage totals carried over from the first turn.
    expect((second.contextPatch?.[OPENAI_CONTEXT_KEY] as { usage: { turns: number } }).usage.turns).toBe(2);
  });

  it("a human-only action (closing the account) goes to a person", async () => {
    const { brain } = await createEngineKit({ fake });
    fake.enqueue({ kind: "tool_calls", calls: [{ name: "propose_account_action", arguments: { action: "close_account", plan_id: null, installment_number: null, new_due_date: null, autopay_enabled: null, link_via: null } }] });
    const outcome = await brain.decide(makeTurn({ text: "close my account", customerId: "C-1001" }));
    expect(outcome.decision.route).toBe("human");
    expect(outcome.decision.reasonCodes).toContain("human_only_action");
  });
});
