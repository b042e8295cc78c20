/**
 * Policy exceptions written the way a free-form model writes them: deeds joined by "and", credits with no
 * amount, outcomes with no "I" or "we" at all. Each must be blocked whatever engine wrote the draft, and
 * knowledge-grounded explanations of the same topics must still pass.
 */
import { describe, expect, it } from "vitest";
import { createGuardrails } from "../../src/guardrails/index.js";
import { factsOf, kbFact } from "../support/account-fixtures.js";
import { makeDraft, makeTurn } from "../support/turn.js";

const guards = createGuardrails();
const POLICY = kbFact(
  "Late fees are capped at $8 per missed payment. You can request a refund through the merchant. If you're struggling, a specialist can discuss a hardship plan.",
);

function failedCodes(text: string, customerId = "C-1002"): string[] {
  const turn = makeTurn({ text: "can you help me?", customerId });
  return guards
    .map((guard) => guard.check(makeDraft(text, [...factsOf(customerId), POLICY]), turn))
    .filter((verdict) => !verdict.passed)
    .map((verdict) => verdict.code ?? "");
}

describe("policy exceptions in free-form wording are blocked", () => {
  it.each([
    ["I went ahead and removed the fee.", "policy_exception"],
    ["We looked into it and will refund the late fee.", "policy_exception"],
    ["No late fee for you this time.", "policy_exception"],
    ["We won't charge the late fee this time.", "policy_exception"],
    ["I've credited your account.", "policy_exception"],
    ["Your account has been credited.", "policy_exception"],
    ["You don't need to pay this installment.", "policy_exception"],
    ["You won't have to make your next payment.", "policy_exception"],
    ["Your account is now closed.", "unconfirmed_action"],
    ["Your account has been deactivated.", "unconfirmed_action"],
    ["The dispute has been resolved in your favour.", "policy_exception"],
    ["Good news, the dispute has been resolved in your favor!", "policy_exception"],
    ["You won the dispute.", "policy_exception"],
    ["You qualify for our hardship plan.", "policy_exception"],
    ["You've been approved for a fee waiver.", "policy_exception"],
    ["I've extended your due date.", "policy_exception"],
    ["I've refunded $20.", "policy_exception"],
    ["We'll waive it.", "policy_exception"],
    ["You'll get a full refund.", "policy_exception"],
  ])("%s -> %s", (text, code) => {
    expect(failedCodes(text)).toContain(code);
  });
});

describe("explanations of the same topics still pass", () => {
  it.each([
    "Late fees are capped at $8.",
    "You can request a refund through the merchant.",
    "If you're struggling, a specialist can discuss a hardship plan.",
    "A specialist can check whether you qualify for a hardship plan.",
    "You may qualify for a hardship plan; a specialist can tell you more.",
    "We checked and can't remove the fee, but a specialist can review it.",
    "We offer Pay in 4 and give you the option to pay early.",
    "There's no fee for paying early.",
    "Once the merchant processes the return, you'll get a refund.",
    "We'll let you know if the dispute is resolved in your favour.",
    "Your dispute is under review.",
  ])("%s", (text) => {
    expect(failedCodes(text)).toEqual([]);
  });

  it("reports a dispute the records show as won", () => {
    const turn = makeTurn({ text: "my dispute?", customerId: "C-1006" });
    const won = { source: "account" as const, ref: "dispute:D-9", customerId: "C-1006", text: "Dispute D-9 about order 47110: status resolved customer, reason item not received, opened 2026-11-02, payments paused: no." };
    const draft = makeDraft("The dispute has been resolved in your favour.", [...factsOf("C-1006"), won]);
    expect(guards.filter((guard) => !guard.check(draft, turn).passed)).toEqual([]);
  });
});
