import { describe, expect, it } from "vitest";
import { DemoAccountProvider } from "../../adapters/accounts/index.js";
import { ACTION_REPLIES, handlePendingAction, pendingActionOf, proposeAction, type ProposalInput } from "../../src/agent/account-actions.js";
import { fetchAccountSnapshot } from "../../src/agent/account-snapshot.js";
import { classifyConfirmation } from "../../src/agent/confirmation.js";
import { applyContextPatch } from "../../src/agent/conversation-context.js";
import { VERIFICATION_REPLIES } from "../../src/agent/identity.js";
import { UpstreamError } from "../../src/errors.js";
import type { AccountProvider } from "../../src/ports/account-provider.js";
import { createGuardrails } from "../../src/guardrails/index.js";
import { TEST_NOW, makeDraft, makeTurn } from "../support/turn.js";

const TODAY = "2026-12-01";

async function propose(accounts: AccountProvider, customerId: string, action: ProposalInput["action"], channelKind: "webchat" | "twilio_sms" = "webchat") {
  const turn = makeTurn({ text: "can you move my payment to the 10th?", customerId, channelKind });
  const snapshot = (await fetchAccountSnapshot(accounts, customerId))!;
  return { turn, outcome: proposeAction({ turn, accounts, snapshot, action, today: TODAY }) };
}

/** The next customer turn, with the context the proposal left behind. */
function reply(text: string, context: Record<string, unknown>, customerId: string, minutesLater = 1) {
  return makeTurn({ text, context, customerId, now: new Date(TEST_NOW.getTime() + minutesLater * 60_000) });
}

describe("confirmation answers", () => {
  it("accepts only short, unambiguous answers", () => {
    for (const yes of ["YES", "yes", "Yes!", "y", "yes please", "Confirm", "yes, do it", "yep 👍", "👍", "\u0000yes\u0007"]) expect(classifyConfirmation(yes), yes).toBe("yes");
    for (const no of ["no", "NO.", "cancel", "no thanks", "never mind", "don't"]) expect(classifyConfirmation(no), no).toBe("no");
    for (const unclear of ["yes but make it the 12th", "ok", "maybe", "yes no", "", "🙂", "x".repeat(100_000), "\u0000\u0001\u0002", "👍 no"]) {
      expect(classifyConfirmation(unclear), unclear.slice(0, 20)).toBe("unclear");
    }
  });
});

describe("account action confirmation flow", () => {
  it("restates the change exactly and executes it once on YES", async () => {
    const accounts = new DemoAccountProvider({ clock: () => TEST_NOW });
    const { outcome } = await propose(accounts, "C-1001", { kind: "change_due_date", planId: "P-1001", installmentNumber: 3, newDueDate: "2026-12-10" });
    expect(outcome.kind).toBe("proposed");
    if (outcome.kind !== "proposed") return;
    expect(outcome.reply).toBe(
      "To confirm: move your payment of $37.50 due Sunday, December 6, 2026 on plan P-1001 (Stride Athletics) to Thursday, December 10, 2026? Reply YES to confirm or NO to cancel.",
    );
    const guards = createGuardrails();
    const proposalTurn = makeTurn({ text: "move it to the 10th", customerId: "C-1001" });
    expect(guards.map((guard) => guard.check(makeDraft(outcome.reply, outcome.facts), proposalTurn)).filter((verdict) => !verdict.passed)).toEqual([]);

    const context = applyContextPatch({ csatRequested: true }, outcome.contextPatch);
    const yes = reply("YES", context, "C-1001");
    const done = await handlePendingAction(yes, accounts);
    expect(done).toMatchObject({ kind: "executed", reply: "Done. Your payment of $37.50 on plan P-1001 is now due Thursday, December 10, 2026." });
    expect((await accounts.getPaymentPlans("C-1001"))[0]!.installments[2]!.dueDate).toBe("2026-12-10");
    if (done.kind !== "executed") return;
    const after = applyContextPatch(context, done.contextPatch);
    expect(after).toEqual({ csatRequested: true });
    expect(guards.map((guard) => guard.check(makeDraft(done.reply, done.facts), yes)).filter((verdict) => !verdict.passed)).toEqual([]);

    // The same turn processed again (a retried job) does not change the account twice; a second YES finds nothing pending.
    await handlePendingAction(yes, accounts);
    expect(accounts.recordedActions()).toHaveLength(1);
    expect(await handlePendingAction(reply("yes", after, "C-1001"), accounts)).toEqual({ kind: "none" });
  });

  it("does nothing on NO, and cancels after one unclear answer was re-asked", async () => {
    const accounts = new DemoAccountProvider({ clock: () => TEST_NOW });
    const { outcome } = await propose(accounts, "C-1024", { kind: "set_autopay", enabled: true });
    if (outcome.kind !== "proposed") throw new Error(outcome.kind);
    expect(outcome.reply).toContain("turn autopay on for plans P-1241 (Stride Athletics), P-1242 (Paper & Ink)?");

    expect(await handlePendingAction(reply("no", outcome.contextPatch, "C-1024"), accounts)).toMatchObject({ kind: "cancelled", reply: ACTION_REPLIES.cancelled });

    const hmm = reply("hmm", outcome.contextPatch, "C-1024");
    const first = await handlePendingAction(hmm, accounts);
    expect(first).toMatchObject({ kind: "reasked", reply: ACTION_REPLIES.reask(outcome.pending.restatement) });
    if (first.kind !== "reasked") return;
    expect(createGuardrails().map((guard) => guard.check(makeDraft(first.reply, first.facts), hmm)).filter((verdict) => !verdict.passed)).toEqual([]);
    const second = await handlePendingAction(reply("ok", applyContextPatch({}, first.contextPatch), "C-1024"), accounts);
    expect(second).toMatchObject({ kind: "cancelled", continueWithMessage: false });
    expect(accounts.recordedActions()).toEqual([]);
  });

  it("cancels when the customer asks something else, and lets the engine answer it", async () => {
    const accounts = new DemoAccountProvider({ clock: () => TEST_NOW });
    const { outcome } = await propose(accounts, "C-1001", { kind: "send_card_update_link" });
    if (outcome.kind !== "proposed") throw new Error(outcome.kind);
    const result = await handlePendingAction(reply("actually where is my order?", outcome.contextPatch, "C-1001"), accounts);
    expect(result).toMatchObject({ kind: "cancelled", continueWithMessage: true, contextPatch: { pendingAction: null } });
    expect(accounts.recordedActions()).toEqual([]);
  });

  it("expires: a late YES changes nothing", async () => {
    const accounts = new DemoAccountProvider({ clock: () => TEST_NOW });
    const { outcome } = await propose(accounts, "C-1001", { kind: "set_autopay", enabled: false, planId: "P-1001" });
    if (outcome.kind !== "proposed") throw new Error(outcome.kind);
    const late = await handlePendingAction(reply("YES", outcome.contextPatch, "C-1001", 16), accounts);
    expect(late).toMatchObject({ kind: "expired", reply: ACTION_REPLIES.expired });
    expect(accounts.recordedActions()).toEqual([]);
    expect(pendingActionOf(applyContextPatch(outcome.contextPatch, late.kind === "expired" ? late.contextPatch : {}))).toBeUndefined();
  });

  it("never executes for anyone but the customer it was proposed to", async () => {
    const accounts = new DemoAccountProvider({ clock: () => TEST_NOW });
    const { outcome } = await propose(accounts, "C-1001", { kind: "set_autopay", enabled: false, planId: "P-1001" });
    if (outcome.kind !== "proposed") throw new Error(outcome.kind);
    expect(await handlePendingAction(reply("yes", outcome.contextPatch, "C-1002"), accounts)).toMatchObject({ kind: "cancelled" });
    expect(accounts.recordedActions()).toEqual([]);
  });

  it("refuses human-only actions, moves beyond the policy window, and plans that cannot move", async () => {
    const accounts = new DemoAccountProvider({ clock: () => TEST_NOW });
    expect((await propose(accounts, "C-1001", { kind: "cancel_order" })).outcome).toMatchObject({ kind: "refused", reasonCode: "human_only_action" });
    expect((await propose(accounts, "C-1001", { kind: "close_account" })).outcome).toMatchObject({ kind: "refused", reasonCode: "human_only_action" });
    expect((await propose(accounts, "C-1001", { kind: "change_due_date", planId: "P-1001", installmentNumber: 3, newDueDate: "2026-12-25" })).outcome).toMatchObject({ kind: "refused", reasonCode: "policy_exception" });
    expect((await propose(accounts, "C-1001", { kind: "change_due_date", planId: "P-1001", installmentNumber: 3, newDueDate: "2026-12-20" })).outcome).toMatchObject({ kind: "refused", reasonCode: "policy_exception" });
    expect((await propose(accounts, "C-1001", { kind: "change_due_date", planId: "P-1001", installmentNumber: 1, newDueDate: "2026-12-10" })).outcome).toMatchObject({ kind: "refused", reasonCode: "action_not_possible" });
    expect((await propose(accounts, "C-1006", { kind: "change_due_date", planId: "P-1006", installmentNumber: 2, newDueDate: "2026-12-10" })).outcome).toMatchObject({ kind: "refused", reasonCode: "action_not_possible" });
    expect((await propose(accounts, "C-1001", { kind: "change_due_date", planId: "P-1002", installmentNumber: 3, newDueDate: "2026-12-10" })).outcome).toMatchObject({ kind: "refused", reasonCode: "action_not_possible" });
    expect((await propose(accounts, "C-1001", { kind: "change_due_date", planId: "P-1001", installmentNumber: 3, newDueDate: "2026-02-30" })).outcome).toMatchObject({ kind: "refused", reasonCode: "action_not_possible" });
    expect((await propose(accounts, "C-1001", { kind: "set_autopay", enabled: true })).outcome).toMatchObject({ kind: "no_change", reply: "Autopay is already on for plan P-1001 (Stride Athletics)." });
    const readOnly: AccountProvider = { ...accounts, name: "read-only", findCustomer: (lookup) => accounts.findCustomer(lookup), getPaymentPlans: (id) => accounts.getPaymentPlans(id), getOrders: (id) => accounts.getOrders(id), getRefunds: (id) => accounts.getRefunds(id), getDisputes: (id) => accounts.getDisputes(id), actions: undefined };
    expect((await propose(readOnly, "C-1001", { kind: "set_autopay", enabled: false })).outcome).toMatchObject({ kind: "refused", reasonCode: "actions_unavailable" });
  });

  it("sends the card link by SMS on SMS and by e-mail on web chat, never asking for card numbers", async () => {
    const accounts = new DemoAccountProvider({ clock: () => TEST_NOW });
    const sms = (await propose(accounts, "C-1008", { kind: "send_card_update_link" }, "twilio_sms")).outcome;
    if (sms.kind !== "proposed") throw new Error(sms.kind);
    expect(sms.reply).toContain("by text message to the phone number on your account");
    expect(sms.reply).toContain("please never type card numbers in this chat");
    const yes = reply("yes", sms.contextPatch, "C-1008");
    const done = await handlePendingAction(yes, accounts);
    expect(done).toMatchObject({ kind: "executed", reply: "Done. I've sent a secure link by text message to the phone number on your account. It works for 29 minutes; please don't share card numbers in this chat." });
    if (done.kind === "executed") {
      expect(createGuardrails().map((guard) => guard.check(makeDraft(done.reply, done.facts), yes)).filter((verdict) => !verdict.passed)).toEqual([]);
      // The same words without the confirmed action behind them are blocked.
      expect(createGuardrails().map((guard) => guard.check(makeDraft(done.reply, done.facts), makeTurn({ text: "yes", customerId: "C-1008" }))).some((verdict) => verdict.code === "unconfirmed_action")).toBe(true);
    }
    const web = (await propose(accounts, "C-1020", { kind: "send_card_update_link" })).outcome;
    expect(web.kind === "proposed" && web.pending.action).toEqual({ kind: "send_card_update_link", via: "email" });
  });

  it("escalates when the provider fails while executing, without claiming anything changed", async () => {
    const accounts = new DemoAccountProvider({ clock: () => TEST_NOW });
    const { outcome } = await propose(accounts, "C-1001", { kind: "set_autopay", enabled: false, planId: "P-1001" });
    if (outcome.kind !== "proposed") throw new Error(outcome.kind);
    const failing: AccountProvider = {
      name: "failing",
      findCustomer: (lookup) => accounts.findCustomer(lookup),
      getPaymentPlans: (id) => accounts.getPaymentPlans(id),
      getOrders: (id) => accounts.getOrders(id),
      getRefunds: (id) => accounts.getRefunds(id),
      getDisputes: (id) => accounts.getDisputes(id),
      actions: {
        changeDueDate: () => Promise.reject(new UpstreamError("accounts", "HTTP 503")),
        setAutopay: () => Promise.reject(new UpstreamError("accounts", "HTTP 503")),
        sendCardUpdateLink: () => Promise.reject(new UpstreamError("accounts", "HTTP 503")),
      },
    };
    const result = await handlePendingAction(reply("yes", outcome.contextPatch, "C-1001"), failing);
    expect(result).toMatchObject({ kind: "failed", reasonCode: "upstream_error", reply: ACTION_REPLIES.failed });
  });

  it("ignores a corrupted pending action in the context", async () => {
    const accounts = new DemoAccountProvider({ clock: () => TEST_NOW });
    for (const junk of [{ pendingAction: "yes" }, { pendingAction: { id: 1 } }, { pendingAction: null }]) {
      expect(await handlePendingAction(reply("yes", junk, "C-1001"), accounts)).toEqual({ kind: "none" });
    }
  });
});

describe("fixed replies", () => {
  it("pass every guardrail on their own", () => {
    const texts = [
      ...Object.values(VERIFICATION_REPLIES).map((entry) => (typeof entry === "function" ? entry(2) : entry)),
      ACTION_REPLIES.cancelled,
      ACTION_REPLIES.notMade,
      ACTION_REPLIES.expired,
      ACTION_REPLIES.failed,
    ];
    const turn = makeTurn({ text: "hi" });
    for (const text of texts) {
      expect(createGuardrails().map((guard) => guard.check(makeDraft(text), turn)).filter((verdict) => !verdict.passed), text).toEqual([]);
    }
  });
});
