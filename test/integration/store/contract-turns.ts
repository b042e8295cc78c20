/** Contract: commitTurn (exactly once, in order, atomic) and appendOutbound. */
import { describe, expect, it } from "vitest";
import type { Decision } from "../../../src/domain/model.js";
import { ConflictError, InvalidTransitionError, NotFoundError, ValidationError } from "../../../src/errors.js";
import { freshAddress, inbound, type StoreHarness } from "./harness.js";

const decision: Decision = {
  route: "ai",
  category: "order_status",
  reasonCodes: ["faq_match"],
  guardrails: [{ guardrail: "grounded_figures", passed: true }],
  confidence: 0.92,
  engine: "test",
  latencyMs: 12,
};

export function turnsContract(h: () => StoreHarness): void {
  describe("commitTurn", () => {
    it("stores the decision, appends replies with the next seqs and moves the cursor", async () => {
      const { store } = h();
      const address = freshAddress();
      const first = await store.recordInbound(inbound(address));
      await store.recordInbound(inbound(address));
      const id = first.conversation.id;

      const result = await store.commitTurn({
        conversationId: id,
        inboundSeq: 1,
        decision,
        replies: [
          { conversationId: id, author: "ai", text: "Your order shipped." },
          { conversationId: id, author: "ai", text: "Anything else?", meta: { quickReplies: ["no"] } },
        ],
      });

      expect(result).not.toBeNull();
      expect(result!.replies.map((reply) => reply.seq)).toEqual([3, 4]);
      expect(result!.replies[0]).toMatchObject({ direction: "outbound", author: "ai", status: "queued" });
      expect(result!.conversation).toMatchObject({ processedSeq: 1, lastSeq: 4 });
      expect((await store.getMessage(first.message.id))?.decision).toEqual(decision);
      expect((await store.listPendingInbound(id)).map((message) => message.seq)).toEqual([2]);
      expect((await store.listQueuedOutbound(id)).map((message) => message.seq)).toEqual([3, 4]);
    });

    it("commits a turn exactly once when two workers race for it", async () => {
      const { store } = h();
      const { conversation } = await store.recordInbound(inbound(freshAddress()));
      const turn = (text: string) =>
        store.commitTurn({
          conversationId: conversation.id,
          inboundSeq: 1,
          decision: { ...decision, engine: text },
          replies: [{ conversationId: conversation.id, author: "ai", text }],
        });
      const results = await Promise.all([turn("worker A"), turn("worker B")]);

      const committed = results.filter((result) => result !== null);
      expect(committed).toHaveLength(1);
      expect(results.filter((result) => result === null)).toHaveLength(1);
      const messages = await store.listMessages(conversation.id);
      expect(messages).toHaveLength(2);
      expect(messages[1]?.text).toBe(committed[0]!.replies[0]!.text);
      expect(messages[0]?.decision?.engine).toBe(committed[0]!.replies[0]!.text);
    });

    it("returns null and writes nothing for a turn already committed", async () => {
      const { store } = h();
      const { conversation, message } = await store.recordInbound(inbound(freshAddress()));
      await store.commitTurn({ conversationId: conversation.id, inboundSeq: 1, decision, replies: [] });
      const late = await store.commitTurn({
        conversationId: conversation.id,
        inboundSeq: 1,
        decision: { ...decision, route: "human" },
        replies: [{ conversationId: conversation.id, author: "ai", text: "again" }],
      });
      expect(late).toBeNull();
      expect((await store.getMessage(message.id))?.decision?.route).toBe("ai");
      expect(await store.listMessages(conversation.id)).toHaveLength(1);
    });

    it("refuses to commit a turn while an earlier inbound message is unprocessed", async () => {
      const { store } = h();
      const address = freshAddress();
      const { conversation } = await store.recordInbound(inbound(address));
      await store.recordInbound(inbound(address));
      const commit = (inboundSeq: number) =>
        store.commitTurn({ conversationId: conversation.id, inboundSeq, replies: [] });

      await expect(commit(2)).rejects.toBeInstanceOf(ConflictError);
      expect((await store.getConversation(conversation.id))?.processedSeq).toBe(0);
      expect(await commit(1)).not.toBeNull();
      expect(await commit(2)).not.toBeNull();
      expect((await store.getConversation(conversation.id))?.processedSeq).toBe(2);
      expect(await store.listPendingInbound(conversation.id)).toEqual([]);
    });

    it("refuses a seq that is not an inbound message of the conversation", async () => {
      const { store } = h();
      const { conversation } = await store.recordInbound(inbound(freshAddress()));
      await store.appendOutbound({ conversationId: conversation.id, author: "system", text: "welcome" });
      await expect(store.commitTurn({ conversationId: conversation.id, inboundSeq: 2, replies: [] })).rejects.toBeInstanceOf(
        ValidationError,
      );
      await expect(store.commitTurn({ conversationId: conversation.id, inboundSeq: 7, replies: [] })).rejects.toBeInstanceOf(
        ValidationError,
      );
      await expect(
        store.commitTurn({ conversationId: "00000000-0000-4000-8000-000000000000", inboundSeq: 1, replies: [] }),
      ).rejects.toBeInstanceOf(NotFoundError);
      await expect(
        store.commitTurn({
          conversationId: conversation.id,
          inboundSeq: 1,
          replies: [{ conversationId: "00000000-0000-4000-8000-000000000000", author: "ai", text: "misrouted" }],
        }),
      ).rejects.toBeInstanceOf(ValidationError);
    });

    it("applies an escalation and a patch with the turn, atomically", async () => {
      const { store } = h();
      const { conversation } = await store.recordInbound(inbound(freshAddress()));
      const at = new Date("2025-03-01T11:00:00.000Z");
      const result = await store.commitTurn({
        conversationId: conversation.id,
        inboundSeq: 1,
        decision: { ...decision, route: "human", reasonCodes: ["hardship"] },
        replies: [{ conversationId: conversation.id, author: "ai", text: "I'm connecting you with a specialist." }],
        transition: {
          to: "awaiting_human",
          by: "ai",
          actor: "brain",
          reason: "hardship",
          expectedState: "ai",
          escalation: { reason: "hardship", reasonCodes: ["hardship"], priority: "urgent", at },
        },
        patch: { category: "hardship", context: { failedAnswers: 0 } },
      });
      expect(result!.conversation).toMatchObject({
        state: "awaiting_human",
        category: "hardship",
        processedSeq: 1,
        lastSeq: 2,
        escalation: { priority: "urgent", at },
      });
      const events = await store.listEvents(conversation.id);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ type: "state_changed", from: "ai", to: "awaiting_human", data: { inboundSeq: 1 } });
    });

    it("writes nothing when the turn's transition is refused", async () => {
      const { store } = h();
      const { conversation } = await store.recordInbound(inbound(freshAddress()));
      const turn = {
        conversationId: conversation.id,
        inboundSeq: 1,
        decision,
        replies: [{ conversationId: conversation.id, author: "ai" as const, text: "bye" }],
      };
      await expect(
        store.commitTurn({ ...turn, transition: { to: "human", by: "ai", actor: "brain", reason: "x" } }),
      ).rejects.toBeInstanceOf(InvalidTransitionError);
      await expect(
        store.commitTurn({ ...turn, transition: { to: "resolved", by: "ai", actor: "brain", reason: "x", expectedState: "human" } }),
      ).rejects.toBeInstanceOf(ConflictError);
      const after = await store.getConversation(conversation.id);
      expect(after).toMatchObject({ state: "ai", processedSeq: 0, lastSeq: 1 });
      expect((await store.listMessages(conversation.id))[0]?.decision).toBeUndefined();
      expect(await store.listEvents(conversation.id)).toEqual([]);
    });

    it("never lets the AI talk over a human who took the conversation meanwhile", async () => {
      const { store } = h();
      const { conversation } = await store.recordInbound(inbound(freshAddress()));
      await store.transition(conversation.id, { to: "human", by: "agent", actor: "slack:U1", reason: "jumped in", assignee: "U1" });
      await expect(
        store.commitTurn({
          conversationId: conversation.id,
          inboundSeq: 1,
          replies: [{ conversationId: conversation.id, author: "ai", text: "I can help!" }],
        }),
      ).rejects.toBeInstanceOf(ConflictError);
      // The same turn without an AI reply (mirrored to the desk) commits.
      const mirrored = await store.commitTurn({ conversationId: conversation.id, inboundSeq: 1, decision, replies: [] });
      expect(mirrored?.conversation.processedSeq).toBe(1);
      expect(await store.listMessages(conversation.id)).toHaveLength(1);
    });
    it("drops a superseded turn's replies, transition and patch but keeps the decision and moves the cursor", async () => {
      const { store } = h();
      const { conversation, message } = await store.recordInbound(inbound(freshAddress()));
      await store.transition(conversation.id, { to: "human", by: "agent", actor: "slack:U1", reason: "claimed", assignee: "U1" });
      const result = await store.commitTurn({
        conversationId: conversation.id,
        inboundSeq: 1,
        decision,
        requireState: "ai",
        replies: [{ conversationId: conversation.id, author: "ai", text: "I can help!" }],
        transition: { to: "awaiting_human", by: "ai", actor: "brain", reason: "escalate" },
        patch: { category: "should_not_apply" },
      });
      expect(result?.superseded).toBe(true);
      expect(result?.replies).toEqual([]);
      expect(result?.conversation).toMatchObject({ state: "human", processedSeq: 1, lastSeq: 1 });
      expect(result?.conversation.category).toBeUndefined();
      expect((await store.getMessage(message.id))?.decision).toEqual(decision);
      expect(await store.listMessages(conversation.id)).toHaveLength(1);

      const { conversation: other } = await store.recordInbound(inbound(freshAddress()));
      const normal = await store.commitTurn({ conversationId: other.id, inboundSeq: 1, decision, requireState: "ai", replies: [] });
      expect(normal?.superseded).toBe(false);
    });

    it("lists conversations with inbound messages after the cursor, for the recovery sweep", async () => {
      const { store } = h();
      const waiting = await store.recordInbound(inbound(freshAddress()));
      const done = await store.recordInbound(inbound(freshAddress()));
      await store.commitTurn({ conversationId: done.conversation.id, inboundSeq: 1, decision, replies: [{ conversationId: done.conversation.id, author: "ai", text: "ok" }] });
      const pending = (await store.listConversationsWithPendingInbound()).map((conversation) => conversation.id);
      expect(pending).toContain(waiting.conversation.id);
      expect(pending).not.toContain(done.conversation.id);
    });
  });

  describe("appendOutbound", () => {
    it("appends with the next seq, queued by default or held with the reason", async () => {
      const { store } = h();
      const { conversation } = await store.recordInbound(inbound(freshAddress()));
      const agent = await store.appendOutbound({
        conversationId: conversation.id,
        author: "agent",
        authorRef: "U1",
        authorName: "Sam",
        text: "Hi, Sam here.",
      });
      const held = await store.appendOutbound({
        conversationId: conversation.id,
        author: "agent",
        text: "template needed",
        status: "held",
        error: { code: "whatsapp_window", message: "outside the 24-hour window", permanent: false },
      });
      expect(agent).toMatchObject({ seq: 2, status: "queued", authorRef: "U1", authorName: "Sam", direction: "outbound" });
      expect(held).toMatchObject({ seq: 3, status: "held", error: { code: "whatsapp_window" } });
      expect((await store.getConversation(conversation.id))?.lastSeq).toBe(3);
      expect((await store.listQueuedOutbound()).map((message) => message.id)).toEqual([agent.id]);
    });

    it("keeps seqs gap-free when inbound and outbound interleave concurrently", async () => {
      const { store } = h();
      const address = freshAddress();
      const { conversation } = await store.recordInbound(inbound(address));
      await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          index % 2 === 0
            ? store.recordInbound(inbound(address))
            : store.appendOutbound({ conversationId: conversation.id, author: "system", text: `notice ${index}` }),
        ),
      );
      const seqs = (await store.listMessages(conversation.id)).map((message) => message.seq);
      expect(seqs).toEqual(Array.from({ length: 21 }, (_, index) => index + 1));
    });

    it("refuses an AI message once a human owns the conversation, and an unknown conversation", async () => {
      const { store } = h();
      const { conversation } = await store.recordInbound(inbound(freshAddress()));
      await store.transition(conversation.id, { to: "awaiting_human", by: "customer", actor: "customer", reason: "human please" });
      // While the escalation waits (outside hours) the AI may still answer what it may...
      await expect(store.appendOutbound({ conversationId: conversation.id, author: "ai", text: "meanwhile" })).resolves.toMatchObject({ seq: 2 });
      await store.transition(conversation.id, { to: "human", by: "agent", actor: "slack:U1", reason: "claimed", assignee: "U1" });
      // ...never once a person owns the conversation.
      await expect(
        store.appendOutbound({ conversationId: conversation.id, author: "ai", text: "still me" }),
      ).rejects.toBeInstanceOf(ConflictError);
      await expect(
        store.appendOutbound({ conversationId: conversation.id, author: "system", text: "An agent will join shortly." }),
      ).resolves.toMatchObject({ seq: 3 });
      await expect(
        store.appendOutbound({ conversationId: "00000000-0000-4000-8000-000000000000", author: "system", text: "x" }),
      ).rejects.toBeInstanceOf(NotFoundError);
    });
  });
}
