/** Contract: the state machine enforced in transition(), first claim wins, patches and events. */
import { describe, expect, it } from "vitest";
import { canTransition, type ActorKind } from "../../../src/domain/conversation-state.js";
import type { ConversationState } from "../../../src/domain/model.js";
import { ConflictError, InvalidTransitionError, NotFoundError, ValidationError } from "../../../src/errors.js";
import type { ConversationStore } from "../../../src/ports/conversation-store.js";
import { freshAddress, inbound, type StoreHarness } from "./harness.js";

const STATES: ConversationState[] = ["ai", "awaiting_human", "human", "resolved"];
const ACTORS: ActorKind[] = ["customer", "ai", "agent", "system"];

/** A conversation brought into `state` by allowed steps. */
async function conversationIn(store: ConversationStore, state: ConversationState): Promise<string> {
  const { conversation } = await store.recordInbound(inbound(freshAddress()));
  const step = (to: ConversationState, by: ActorKind) =>
    store.transition(conversation.id, { to, by, actor: `test-${by}`, reason: "setup" });
  if (state === "awaiting_human") await step("awaiting_human", "ai");
  if (state === "human") await step("human", "agent");
  if (state === "resolved") await step("resolved", "ai");
  return conversation.id;
}

export function ownershipContract(h: () => StoreHarness): void {
  describe("transition", () => {
    it("allows exactly the transitions of the state machine, each recorded as an event", async () => {
      const { store } = h();
      for (const from of STATES) {
        for (const to of STATES) {
          for (const by of ACTORS) {
            const id = await conversationIn(store, from);
            const eventsBefore = (await store.listEvents(id)).length;
            const request = { to, by, actor: `${by}-1`, reason: `${from}->${to}`, data: { note: "x" } };
            if (canTransition(from, to, by)) {
              const changed = await store.transition(id, request);
              expect(changed.state, `${from}->${to} by ${by}`).toBe(to);
              const events = await store.listEvents(id);
              expect(events).toHaveLength(eventsBefore + 1);
              expect(events.at(-1)).toMatchObject({
                type: "state_changed",
                from,
                to,
                reason: `${from}->${to}`,
                actor: `${by}-1`,
                data: { note: "x" },
              });
              expect(events.at(-1)?.at).toBeInstanceOf(Date);
            } else {
              await expect(store.transition(id, request), `${from}->${to} by ${by}`).rejects.toBeInstanceOf(
                InvalidTransitionError,
              );
              expect((await store.getConversation(id))?.state).toBe(from);
              expect(await store.listEvents(id)).toHaveLength(eventsBefore);
            }
          }
        }
      }
    });

    it("sets, keeps and clears the owner and the escalation as asked", async () => {
      const { store } = h();
      const id = await conversationIn(store, "ai");
      const at = new Date("2025-03-01T10:00:00.250Z");
      const escalated = await store.transition(id, {
        to: "awaiting_human",
        by: "customer",
        actor: "customer",
        reason: "asked_for_human",
        escalation: { reason: "asked for a human", reasonCodes: ["escape_hatch"], priority: "normal", at },
      });
      expect(escalated.escalation).toEqual({
        reason: "asked for a human",
        reasonCodes: ["escape_hatch"],
        priority: "normal",
        at,
      });
      expect(escalated.escalation?.at).toBeInstanceOf(Date);

      const claimed = await store.transition(id, { to: "human", by: "agent", actor: "slack:U7", reason: "claimed", assignee: "U7" });
      expect(claimed.assignee).toBe("U7");
      expect(claimed.escalation?.priority).toBe("normal");

      const handedBack = await store.transition(id, {
        to: "ai",
        by: "agent",
        actor: "slack:U7",
        reason: "hand_back",
        assignee: null,
        escalation: null,
      });
      expect(handedBack.assignee).toBeUndefined();
      expect(handedBack.escalation).toBeUndefined();
      expect(await store.getConversation(id)).toEqual(handedBack);
    });

    it("lets exactly one of two concurrent claims win (expectedState)", async () => {
      const { store } = h();
      const id = await conversationIn(store, "awaiting_human");
      const claim = (agent: string) =>
        store.transition(id, {
          to: "human",
          by: "agent",
          actor: `slack:${agent}`,
          reason: "claimed",
          assignee: agent,
          expectedState: "awaiting_human",
        });
      const outcomes = await Promise.allSettled([claim("U1"), claim("U2")]);

      const won = outcomes.filter((outcome) => outcome.status === "fulfilled");
      const lost = outcomes.filter((outcome) => outcome.status === "rejected");
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
      const winner = (won[0] as PromiseFulfilledResult<{ assignee?: string }>).value.assignee;
      expect((await store.getConversation(id))?.assignee).toBe(winner);
      const claims = (await store.listEvents(id)).filter((event) => event.to === "human");
      expect(claims).toHaveLength(1);
      expect(claims[0]?.actor).toBe(`slack:${winner}`);
    });

    it("refuses an unknown conversation and a malformed request", async () => {
      const { store } = h();
      const request = { to: "human" as const, by: "agent" as const, actor: "a", reason: "r" };
      await expect(store.transition("00000000-0000-4000-8000-000000000000", request)).rejects.toBeInstanceOf(NotFoundError);
      await expect(store.transition("nope", request)).rejects.toBeInstanceOf(NotFoundError);
      const id = await conversationIn(store, "ai");
      await expect(store.transition(id, { ...request, to: "closed" as ConversationState })).rejects.toBeInstanceOf(
        ValidationError,
      );
      await expect(store.transition(id, { ...request, reason: "" })).rejects.toBeInstanceOf(ValidationError);
    });
  });

  describe("updateConversation", () => {
    it("patches fields, merges the desk reference, and validates", async () => {
      const { store } = h();
      const id = await conversationIn(store, "ai");
      await store.transition(id, {
        to: "awaiting_human",
        by: "ai",
        actor: "brain",
        reason: "dispute",
        escalation: { reason: "dispute", reasonCodes: [], priority: "high", at: new Date() },
      });
      const patched = await store.updateConversation(id, {
        customerId: "cust-9",
        category: "disputes",
        csat: 4,
        context: { pendingAction: { kind: "change_due_date", day: 15 } },
        escalationDeskRef: "C123/1700000000.000100",
      });
      expect(patched).toMatchObject({
        customerId: "cust-9",
        category: "disputes",
        csat: 4,
        context: { pendingAction: { kind: "change_due_date", day: 15 } },
        escalation: { reason: "dispute", priority: "high", deskRef: "C123/1700000000.000100" },
      });
      const cleared = await store.updateConversation(id, { customerId: null, category: null });
      expect(cleared.customerId).toBeUndefined();
      expect(cleared.category).toBeUndefined();
      expect(cleared.csat).toBe(4);
      await expect(store.updateConversation(id, { csat: 9 })).rejects.toBeInstanceOf(ValidationError);
      await expect(store.updateConversation("00000000-0000-4000-8000-000000000000", {})).rejects.toBeInstanceOf(
        NotFoundError,
      );
    });
  });

  describe("desk references and escalation priority", () => {
    it("finds a conversation by its current escalation's desk reference, and raises its priority", async () => {
      const { store } = h();
      const escalate = async (id: string, deskRef: string) => {
        await store.transition(id, {
          to: "awaiting_human",
          by: "ai",
          actor: "brain",
          reason: "dispute",
          escalation: { reason: "dispute", reasonCodes: ["dispute"], priority: "normal", at: new Date() },
        });
        return store.updateConversation(id, { escalationDeskRef: deskRef });
      };
      const first = await conversationIn(store, "ai");
      const second = await conversationIn(store, "ai");
      await escalate(first, "C123/1700000000.000100");
      await escalate(second, "C123/1700000000.000200");

      expect((await store.findConversationByDeskRef("C123/1700000000.000100"))?.id).toBe(first);
      expect((await store.findConversationByDeskRef("C123/1700000000.000200"))?.id).toBe(second);
      expect(await store.findConversationByDeskRef("C123/1700000000.000300")).toBeNull();
      expect(await store.findConversationByDeskRef("")).toBeNull();

      const raised = await store.updateConversation(first, { escalationPriority: "high" });
      expect(raised.escalation).toMatchObject({ priority: "high", deskRef: "C123/1700000000.000100", reasonCodes: ["dispute"] });
      await expect(store.updateConversation(first, { escalationPriority: "extreme" as never })).rejects.toBeInstanceOf(ValidationError);

      // Handing back clears the escalation: its old post no longer leads to the conversation.
      await store.transition(first, { to: "ai", by: "agent", actor: "slack:U1", reason: "handed back", escalation: null });
      expect(await store.findConversationByDeskRef("C123/1700000000.000100")).toBeNull();
      // Without an escalation there is nothing to raise: the patch leaves it absent.
      expect((await store.updateConversation(first, { escalationPriority: "urgent" })).escalation).toBeUndefined();
    });
  });

  describe("recordEvent", () => {
    it("appends other kinds of events in order and keeps state_changed for transitions", async () => {
      const { store } = h();
      const id = await conversationIn(store, "ai");
      const first = await store.recordEvent(id, { type: "desk_posted", reason: "escalated", actor: "desk", data: { ref: "C1/1" } });
      const second = await store.recordEvent(id, { type: "csat_received", reason: "survey", actor: "customer" });
      expect(first).toMatchObject({ conversationId: id, type: "desk_posted", data: { ref: "C1/1" } });
      expect(first.from).toBeUndefined();
      expect((await store.listEvents(id)).map((event) => event.id)).toEqual([first.id, second.id]);

      await expect(store.recordEvent(id, { type: "state_changed", reason: "x", actor: "y" })).rejects.toBeInstanceOf(
        ValidationError,
      );
      await expect(
        store.recordEvent("00000000-0000-4000-8000-000000000000", { type: "note", reason: "x", actor: "y" }),
      ).rejects.toBeInstanceOf(NotFoundError);
    });
  });
}
