/** Contract: forward-only delivery status, message and conversation listings, contacts, ping. */
import { describe, expect, it } from "vitest";
import type { MessageStatus } from "../../../src/domain/model.js";
import { NotFoundError, ValidationError } from "../../../src/errors.js";
import { freshAddress, inbound, shuffled, type StoreHarness } from "./harness.js";

export function messagesContract(h: () => StoreHarness): void {
  describe("updateMessageStatus", () => {
    it("only moves forward, merges meta, keeps the provider id and the error", async () => {
      const { store } = h();
      const { conversation } = await store.recordInbound(inbound(freshAddress()));
      const message = await store.appendOutbound({ conversationId: conversation.id, author: "ai", text: "hi", meta: { a: 1 } });

      expect(await store.updateMessageStatus(message.id, "sent", { channelMessageId: "SM0001", meta: { segments: 1 } })).toBe(true);
      expect(await store.updateMessageStatus(message.id, "sent")).toBe(false);
      expect(await store.updateMessageStatus(message.id, "queued")).toBe(false);
      const failure = { code: "30003", message: "Unreachable destination handset", permanent: true };
      expect(await store.updateMessageStatus(message.id, "failed", { error: failure })).toBe(true);
      // A late proof of delivery beats `failed`.
      expect(await store.updateMessageStatus(message.id, "delivered", { meta: { late: true } })).toBe(true);
      expect(await store.updateMessageStatus(message.id, "sent")).toBe(false);

      const stored = await store.getMessage(message.id);
      expect(stored).toMatchObject({
        status: "delivered",
        channelMessageId: "SM0001",
        meta: { a: 1, segments: 1, late: true },
        error: failure,
      });
      expect(stored!.updatedAt.getTime()).toBeGreaterThan(stored!.createdAt.getTime());
      await expect(store.updateMessageStatus("00000000-0000-4000-8000-000000000000", "sent")).rejects.toBeInstanceOf(
        NotFoundError,
      );
      await expect(store.updateMessageStatus(message.id, "lost" as MessageStatus)).rejects.toBeInstanceOf(ValidationError);
    });

    it("ends on the furthest status whatever order concurrent callbacks arrive in", async () => {
      const { store } = h();
      const { conversation } = await store.recordInbound(inbound(freshAddress()));
      const callbacks: MessageStatus[] = ["sent", "delivered", "read", "failed", "sent", "delivered"];
      const messages = await Promise.all(
        Array.from({ length: 12 }, (_, index) =>
          store.appendOutbound({ conversationId: conversation.id, author: "ai", text: `m${index}` }),
        ),
      );
      await Promise.all(
        messages.flatMap((message, index) =>
          shuffled(callbacks, index + 1).map((status) => store.updateMessageStatus(message.id, status)),
        ),
      );
      for (const message of messages) expect((await store.getMessage(message.id))?.status).toBe("read");

      // Sequentially in a shuffled order, the result of each call says whether it advanced.
      const solo = await store.appendOutbound({ conversationId: conversation.id, author: "ai", text: "solo" });
      const order: MessageStatus[] = ["delivered", "sent", "failed", "read", "delivered"];
      const advanced = [];
      for (const status of order) advanced.push(await store.updateMessageStatus(solo.id, status));
      expect(advanced).toEqual([true, false, false, true, false]);
    });

    it("merges meta whatever the status, without moving the status", async () => {
      const { store } = h();
      const { conversation } = await store.recordInbound(inbound(freshAddress()));
      const message = await store.appendOutbound({ conversationId: conversation.id, author: "ai", text: "long", meta: { a: 1 } });
      await store.mergeMessageMeta(message.id, { partSids: ["SM1"] });
      await store.mergeMessageMeta(message.id, { partSids: ["SM1", "SM2"] });
      expect(await store.getMessage(message.id)).toMatchObject({ status: "queued", meta: { a: 1, partSids: ["SM1", "SM2"] } });
      await store.updateMessageStatus(message.id, "failed", { error: { code: "x", message: "x", permanent: true } });
      await store.mergeMessageMeta(message.id, { note: "after" });
      expect(await store.getMessage(message.id)).toMatchObject({ status: "failed", meta: { a: 1, partSids: ["SM1", "SM2"], note: "after" } });

      await expect(store.mergeMessageMeta("00000000-0000-4000-8000-000000000000", { a: 1 })).rejects.toBeInstanceOf(NotFoundError);
      await expect(store.mergeMessageMeta("nope", { a: 1 })).rejects.toBeInstanceOf(NotFoundError);
      await expect(store.mergeMessageMeta(message.id, {})).rejects.toBeInstanceOf(ValidationError);
    });

    it("finds outbound messages by the provider's id, inbound ones by their dedupe key", async () => {
      const { store } = h();
      const first = await store.recordInbound(inbound(freshAddress(), { channelMessageId: "SMin1" }));
      const reply = await store.appendOutbound({ conversationId: first.conversation.id, author: "ai", text: "ok" });
      await store.updateMessageStatus(reply.id, "sent", { channelMessageId: "SMout1" });

      expect((await store.findMessageByChannelMessageId("webchat", "SMout1"))?.id).toBe(reply.id);
      expect((await store.findMessageByChannelMessageId("webchat", "SMin1"))?.id).toBe(first.message.id);
      expect(await store.findMessageByChannelMessageId("sms", "SMout1")).toBeNull();
    });
  });

  describe("listings", () => {
    it("lists messages after a seq, the first or the newest N, in seq order", async () => {
      const { store } = h();
      const address = freshAddress();
      let id = "";
      for (let index = 0; index < 6; index += 1) id = (await store.recordInbound(inbound(address))).conversation.id;
      const seqs = async (options?: { afterSeq?: number; limit?: number; newest?: boolean }) =>
        (await store.listMessages(id, options)).map((message) => message.seq);

      expect(await seqs()).toEqual([1, 2, 3, 4, 5, 6]);
      expect(await seqs({ afterSeq: 4 })).toEqual([5, 6]);
      expect(await seqs({ limit: 2 })).toEqual([1, 2]);
      expect(await seqs({ limit: 2, newest: true })).toEqual([5, 6]);
      expect(await seqs({ afterSeq: 1, limit: 3, newest: true })).toEqual([4, 5, 6]);
      expect(await store.listMessages("not-a-uuid")).toEqual([]);
      await expect(store.listMessages(id, { limit: 0 })).rejects.toBeInstanceOf(ValidationError);
    });

    it("lists pending inbound after the cursor and queued outbound oldest first", async () => {
      const { store } = h();
      const a = await store.recordInbound(inbound(freshAddress()));
      const b = await store.recordInbound(inbound(freshAddress()));
      await store.recordInbound(inbound(a.conversation.customerAddress));
      const first = await store.appendOutbound({ conversationId: b.conversation.id, author: "system", text: "1" });
      const second = await store.appendOutbound({ conversationId: a.conversation.id, author: "system", text: "2" });
      const third = await store.appendOutbound({ conversationId: b.conversation.id, author: "system", text: "3" });
      await store.updateMessageStatus(third.id, "sent");

      expect((await store.listPendingInbound(a.conversation.id)).map((message) => message.seq)).toEqual([1, 2]);
      await store.commitTurn({ conversationId: a.conversation.id, inboundSeq: 1, replies: [] });
      expect((await store.listPendingInbound(a.conversation.id)).map((message) => message.seq)).toEqual([2]);
      expect((await store.listQueuedOutbound()).map((message) => message.id)).toEqual([first.id, second.id]);
      expect((await store.listQueuedOutbound(b.conversation.id)).map((message) => message.id)).toEqual([first.id]);
    });

    it("lists conversations by state and recency, newest first", async () => {
      const { store } = h();
      const one = await store.recordInbound(inbound(freshAddress()));
      const two = await store.recordInbound(inbound(freshAddress()));
      const three = await store.recordInbound(inbound(freshAddress()));
      await store.transition(two.conversation.id, { to: "awaiting_human", by: "ai", actor: "brain", reason: "x" });

      const ids = async (filter: Parameters<typeof store.listConversations>[0]) =>
        (await store.listConversations(filter)).map((conversation) => conversation.id);
      expect(await ids({})).toEqual([two.conversation.id, three.conversation.id, one.conversation.id]);
      expect(await ids({ states: ["awaiting_human"] })).toEqual([two.conversation.id]);
      expect(await ids({ states: ["ai", "human"] })).toEqual([three.conversation.id, one.conversation.id]);
      expect(await ids({ updatedSince: three.conversation.updatedAt })).toEqual([two.conversation.id, three.conversation.id]);
      expect(await ids({ limit: 1 })).toEqual([two.conversation.id]);
      expect(await ids({ states: [] })).toEqual([]);
    });
  });

  describe("contacts and health", () => {
    it("records opt-out and opt-in per channel and address", async () => {
      const { store } = h();
      expect(await store.getContact("sms", "+15550001111")).toBeNull();
      const out = await store.setOptOut("sms", "+15550001111", true);
      expect(out).toMatchObject({ channelId: "sms", address: "+15550001111", optedOut: true });
      expect(out.updatedAt).toBeInstanceOf(Date);
      expect(await store.getContact("sms", "+15550001111")).toEqual(out);
      expect(await store.getContact("whatsapp", "+15550001111")).toBeNull();
      const back = await store.setOptOut("sms", "+15550001111", false);
      expect(back.optedOut).toBe(false);
      expect(back.updatedAt.getTime()).toBeGreaterThan(out.updatedAt.getTime());
      await expect(store.setOptOut("", "x", true)).rejects.toBeInstanceOf(ValidationError);
    });

    it("answers ping", async () => {
      await expect(h().store.ping()).resolves.toBeUndefined();
    });
  });
}
