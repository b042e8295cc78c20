import { describe, expect, it } from "vitest";
import { aiMayReply, aiMayWrite, assertTransition, canTransition, humanOwned } from "../../src/domain/conversation-state.js";
import { isStatusAdvance } from "../../src/domain/message-status.js";
import { InvalidTransitionError } from "../../src/errors.js";

describe("handoff state machine", () => {
  it("follows ai -> awaiting_human -> human -> resolved", () => {
    expect(canTransition("ai", "awaiting_human", "ai")).toBe(true);
    expect(canTransition("awaiting_human", "human", "agent")).toBe(true);
    expect(canTransition("human", "resolved", "agent")).toBe(true);
  });

  it("lets only an agent hand back or give back an unclaimed escalation", () => {
    expect(canTransition("human", "ai", "agent")).toBe(true);
    expect(canTransition("human", "ai", "ai")).toBe(false);
    expect(canTransition("awaiting_human", "ai", "agent")).toBe(true);
    expect(canTransition("awaiting_human", "ai", "customer")).toBe(false);
    expect(canTransition("awaiting_human", "ai", "system")).toBe(false);
  });

  it("never lets the AI take a conversation from a human", () => {
    expect(canTransition("human", "ai", "ai")).toBe(false);
    expect(canTransition("awaiting_human", "human", "ai")).toBe(false);
    expect(canTransition("human", "resolved", "ai")).toBe(false);
  });

  it("re-opens a resolved conversation on a customer message", () => {
    expect(canTransition("resolved", "ai", "customer")).toBe(true);
    expect(canTransition("resolved", "human", "customer")).toBe(false);
  });

  it("throws a typed error on a forbidden transition", () => {
    expect(() => assertTransition("resolved", "awaiting_human", "ai")).toThrow(InvalidTransitionError);
  });

  it("says who may talk", () => {
    expect(aiMayReply("ai")).toBe(true);
    expect(aiMayReply("awaiting_human")).toBe(false);
    expect(aiMayReply("human")).toBe(false);
    expect(humanOwned("human")).toBe(true);
    // An AI answer may wait in the queue while an escalation waits (outside hours), never once a person owns it.
    expect(aiMayWrite("awaiting_human")).toBe(true);
    expect(aiMayWrite("human")).toBe(false);
    expect(aiMayWrite("resolved")).toBe(false);
    expect(humanOwned("resolved")).toBe(false);
  });
});

describe("message status", () => {
  it("moves forward only", () => {
    expect(isStatusAdvance("queued", "sent")).toBe(true);
    expect(isStatusAdvance("sent", "delivered")).toBe(true);
    expect(isStatusAdvance("delivered", "read")).toBe(true);
    expect(isStatusAdvance("delivered", "sent")).toBe(false);
    expect(isStatusAdvance("read", "delivered")).toBe(false);
    expect(isStatusAdvance("sent", "sent")).toBe(false);
  });

  it("keeps proof of delivery over a late failure and vice versa", () => {
    expect(isStatusAdvance("delivered", "failed")).toBe(false);
    expect(isStatusAdvance("failed", "delivered")).toBe(true);
    expect(isStatusAdvance("failed", "sent")).toBe(false);
  });

  it("releases held messages back to the queue", () => {
    expect(isStatusAdvance("held", "queued")).toBe(true);
    expect(isStatusAdvance("queued", "held")).toBe(true);
  });
});
