/** Contract: migrations, recordInbound (seq, dedupe, find-or-create, re-open) and row mapping. */
import { describe, expect, it } from "vitest";
import { MIGRATIONS } from "../../../adapters/store/index.js";
import { ValidationError } from "../../../src/errors.js";
import { freshAddress, inbound, type StoreHarness } from "./harness.js";

export function inboundContract(h: () => StoreHarness): void {
  describe("migrations", () => {
    it("are idempotent, also when run twice at once", async () => {
      const { store, client } = h();
      await store.migrate();
      await Promise.all([store.migrate(), store.migrate()]);
      const { rows } = await client.query<{ version: number }>("SELECT version FROM schema_migrations ORDER BY version");
      expect(rows.map((row) => row.version)).toEqual(MIGRATIONS.map((migration) => migration.version));
    });
  });

  describe("recordInbound", () => {
    it("opens a conversation for a new customer and maps every column to the model's types", async () => {
      const { store } = h();
      const receivedAt = new Date("2025-03-01T08:15:30.123Z");
      const message = inbound("visitor-a", {
        customerName: "Ada",
        text: "where is my order?",
        attachments: [{ url: "https://example.test/a.png", contentType: "image/png", sizeBytes: 1200 }],
        meta: { waId: "123" },
        receivedAt,
      });
      const result = await store.recordInbound(message);

      expect(result.duplicate).toBe(false);
      expect(result.reopened).toBe(false);
      expect(result.conversation).toMatchObject({
        channelId: "webchat",
        customerAddress: "visitor-a",
        customerName: "Ada",
        state: "ai",
        lastSeq: 1,
        processedSeq: 0,
        context: {},
      });
      expect(result.conversation.lastInboundAt).toEqual(receivedAt);
      expect(result.conversation.createdAt).toBeInstanceOf(Date);
      expect(result.conversation.assignee).toBeUndefined();
      expect(result.message).toMatchObject({
        conversationId: result.conversation.id,
        seq: 1,
        direction: "inbound",
        author: "customer",
        text: "where is my order?",
        channelMessageId: message.channelMessageId,
        status: "received",
        meta: { waId: "123" },
      });
      expect(result.message.attachments).toEqual(message.attachments);
      expect(result.message.decision).toBeUndefined();
      expect(typeof result.message.seq).toBe("number");

      const reread = await store.getConversation(result.conversation.id);
      expect(reread).toEqual(result.conversation);
      expect(await store.getMessage(result.message.id)).toEqual(result.message);
      expect(await store.findConversationByAddress("webchat", "visitor-a")).toEqual(result.conversation);
    });

    it("appends to the same conversation and keeps the latest name and inbound time", async () => {
      const { store } = h();
      const address = freshAddress();
      const first = await store.recordInbound(inbound(address, { customerName: "Ada" }));
      const later = new Date("2025-03-02T10:00:00.000Z");
      const second = await store.recordInbound(inbound(address, { receivedAt: later }));
      const third = await store.recordInbound(inbound(address, { customerName: "Ada L.", receivedAt: new Date(0) }));

      expect(second.conversation.id).toBe(first.conversation.id);
      expect(second.conversation.customerName).toBe("Ada");
      expect(third.conversation.customerName).toBe("Ada L.");
      // An older provider timestamp arriving late does not move the window backwards.
      expect(third.conversation.lastInboundAt).toEqual(later);
      expect([first, second, third].map((result) => result.message.seq)).toEqual([1, 2, 3]);
    });

    it("gives 50 concurrent messages to one conversation the seqs 1..50 exactly", async () => {
      const { store } = h();
      const address = freshAddress();
      const results = await Promise.all(Array.from({ length: 50 }, () => store.recordInbound(inbound(address))));

      const conversationIds = new Set(results.map((result) => result.conversation.id));
      expect(conversationIds.size).toBe(1);
      const seqs = results.map((result) => result.message.seq).sort((a, b) => a - b);
      expect(seqs).toEqual(Array.from({ length: 50 }, (_, index) => index + 1));
      const [id] = [...conversationIds];
      const stored = await store.listMessages(id!);
      expect(stored.map((message) => message.seq)).toEqual(seqs);
      expect((await store.getConversation(id!))?.lastSeq).toBe(50);
    });

    it("stores a provider retry once and answers the duplicate with the original", async () => {
      const { store } = h();
      const message = inbound(freshAddress());
      const first = await store.recordInbound(message);
      const again = await store.recordInbound({ ...message, text: "changed on retry" });

      expect(again.duplicate).toBe(true);
      expect(again.message).toEqual(first.message);
      expect(again.conversation.lastSeq).toBe(1);
      expect(await store.listMessages(first.conversation.id)).toHaveLength(1);
    });

    it("settles 20 concurrent copies of one message into one row, never an error", async () => {
      const { store } = h();
      const message = inbound(freshAddress());
      const results = await Promise.all(Array.from({ length: 20 }, () => store.recordInbound(message)));

      const originals = results.filter((result) => !result.duplicate);
      expect(originals).toHaveLength(1);
      for (const result of results) expect(result.message.id).toBe(originals[0]!.message.id);
      const stored = await store.listMessages(originals[0]!.conversation.id);
      expect(stored).toHaveLength(1);
      expect((await store.getConversation(originals[0]!.conversation.id))?.lastSeq).toBe(1);
    });

    it("dedupes on (channelId, channelMessageId) only, whoever the sender claims to be", async () => {
      const { store } = h();
      const message = inbound(freshAddress());
      const first = await store.recordInbound(message);
      const spoofed = await store.recordInbound({ ...message, customerAddress: "someone-else" });
      const otherChannel = await store.recordInbound({ ...message, channelId: "sms" });

      expect(spoofed.duplicate).toBe(true);
      expect(spoofed.message.id).toBe(first.message.id);
      expect(await store.findConversationByAddress("webchat", "someone-else")).toBeNull();
      expect(otherChannel.duplicate).toBe(false);
      expect(otherChannel.conversation.channelId).toBe("sms");
    });

    it("re-opens a resolved conversation for the AI and records why", async () => {
      const { store } = h();
      const address = freshAddress();
      const { conversation } = await store.recordInbound(inbound(address));
      await store.transition(conversation.id, {
        to: "awaiting_human",
        by: "ai",
        actor: "brain",
        reason: "dispute",
        escalation: { reason: "dispute", reasonCodes: ["dispute"], priority: "high", at: new Date() },
      });
      await store.transition(conversation.id, { to: "human", by: "agent", actor: "slack:U1", reason: "claimed", assignee: "U1" });
      await store.transition(conversation.id, { to: "resolved", by: "agent", actor: "slack:U1", reason: "done" });

      const result = await store.recordInbound(inbound(address, { text: "one more thing" }));
      expect(result.reopened).toBe(true);
      expect(result.conversation.state).toBe("ai");
      expect(result.conversation.assignee).toBeUndefined();
      expect(result.conversation.escalation).toBeUndefined();
      const events = await store.listEvents(conversation.id);
      expect(events.at(-1)).toMatchObject({
        type: "state_changed",
        from: "resolved",
        to: "ai",
        actor: "customer",
        data: { messageId: result.message.id, seq: result.message.seq },
      });
      const next = await store.recordInbound(inbound(address));
      expect(next.reopened).toBe(false);
    });

    it("refuses malformed input with a ValidationError and stores nothing", async () => {
      const { store } = h();
      const address = freshAddress();
      await expect(store.recordInbound(inbound(address, { text: "x".repeat(100_001) }))).rejects.toBeInstanceOf(
        ValidationError,
      );
      await expect(store.recordInbound(inbound(address, { channelMessageId: "" }))).rejects.toBeInstanceOf(ValidationError);
      expect(await store.findConversationByAddress("webchat", address)).toBeNull();
      expect(await store.getConversation("not-a-uuid")).toBeNull();
    });
  });
}
