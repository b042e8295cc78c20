import { describe, expect, it } from "vitest";
import { applyPatch, planTransition, reopenRequest } from "../../adapters/store/conversation-changes.js";
import { validate } from "../../adapters/store/inputs.js";
import { AsyncMutex } from "../../adapters/store/mutex.js";
import type { Conversation } from "../../src/domain/model.js";
import { ConflictError, InvalidTransitionError, ValidationError } from "../../src/errors.js";

const now = new Date("2025-03-01T12:00:00.000Z");
const base: Conversation = {
  id: "6f1c2a52-1d7e-4a8e-9b44-1c8f0c7a1b01",
  channelId: "webchat",
  customerAddress: "visitor-1",
  state: "human",
  assignee: "U1",
  escalation: { reason: "dispute", reasonCodes: [], priority: "high", at: new Date("2025-03-01T11:00:00.000Z") },
  context: {},
  processedSeq: 1,
  lastSeq: 2,
  createdAt: new Date("2025-03-01T10:00:00.000Z"),
  updatedAt: new Date("2025-03-01T11:00:00.000Z"),
};

describe("planTransition", () => {
  it("checks expectedState before the state machine, then applies owner and escalation as asked", () => {
    expect(() =>
      planTransition(base, { to: "human", by: "agent", actor: "a", reason: "r", expectedState: "awaiting_human" }, now),
    ).toThrow(ConflictError);
    expect(() => planTransition(base, { to: "ai", by: "ai", actor: "brain", reason: "r" }, now)).toThrow(InvalidTransitionError);

    const kept = planTransition(base, { to: "resolved", by: "agent", actor: "slack:U1", reason: "done" }, now);
    expect(kept.conversation).toMatchObject({ state: "resolved", assignee: "U1", updatedAt: now });
    expect(kept.conversation.escalation).toEqual(base.escalation);
    expect(kept.event).toEqual({ type: "state_changed", from: "human", to: "resolved", reason: "done", actor: "slack:U1", data: {} });

    const cleared = planTransition(base, { to: "ai", by: "agent", actor: "slack:U1", reason: "back", assignee: null, escalation: null }, now);
    expect(cleared.conversation).not.toHaveProperty("assignee");
    expect(cleared.conversation).not.toHaveProperty("escalation");
    expect(base.assignee).toBe("U1");
  });

  it("re-opens resolved conversations only", () => {
    const resolved = { ...base, state: "resolved" as const };
    expect(planTransition(resolved, reopenRequest(), now).conversation).toMatchObject({ state: "ai" });
    expect(() => planTransition(base, reopenRequest(), now)).toThrow(InvalidTransitionError);
  });
});

describe("applyPatch", () => {
  it("sets, clears and merges, and drops a desk reference when there is no escalation", () => {
    const patched = applyPatch(base, { customerId: "c1", category: "billing", escalationDeskRef: "C1/2" }, now);
    expect(patched).toMatchObject({ customerId: "c1", category: "billing", escalation: { deskRef: "C1/2", reason: "dispute" } });
    const cleared = applyPatch(patched, { customerId: null, category: null }, now);
    expect(cleared).not.toHaveProperty("customerId");
    expect(cleared).not.toHaveProperty("category");
    const { escalation: _dropped, ...withoutEscalation } = base;
    expect(applyPatch(withoutEscalation, { escalationDeskRef: "C1/3" }, now)).not.toHaveProperty("escalation");
  });
});

describe("store input validation", () => {
  it("names every problem", () => {
    expect(() => validate.transition({ to: "closed", by: "agent", actor: "", reason: "r" })).toThrow(
      /invalid transition request: to: .*; actor: /,
    );
    expect(() => validate.event({ type: "state_changed", reason: "r", actor: "a" })).toThrow(ValidationError);
    expect(() => validate.turn({ conversationId: "x", inboundSeq: 0, replies: [] })).toThrow(/inboundSeq/);
  });
});

describe("AsyncMutex", () => {
  it("runs holders one at a time in arrival order, also after a failure", async () => {
    const mutex = new AsyncMutex();
    const log: string[] = [];
    const task = (name: string, fail = false) =>
      mutex.runExclusive(async () => {
        log.push(`${name}:start`);
        await new Promise((resolve) => setTimeout(resolve, 5));
        log.push(`${name}:end`);
        if (fail) throw new Error(name);
        return name;
      });
    const results = await Promise.allSettled([task("a"), task("b", true), task("c")]);
    expect(log).toEqual(["a:start", "a:end", "b:start", "b:end", "c:start", "c:end"]);
    expect(results.map((result) => result.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
  });
});
