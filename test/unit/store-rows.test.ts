import { describe, expect, it } from "vitest";
import {
  contactFromRow,
  conversationFromRow,
  escalationToJson,
  eventFromRow,
  messageFromRow,
  toInteger,
  type ConversationRow,
  type MessageRow,
} from "../../adapters/store/rows.js";
import { DatabaseError, toDatabaseError } from "../../adapters/store/sql-client.js";

const conversationRow: ConversationRow = {
  id: "6f1c2a52-1d7e-4a8e-9b44-1c8f0c7a1b01",
  channel_id: "twilio-sms",
  customer_address: "+15550001111",
  customer_id: null,
  customer_name: "Ada",
  state: "awaiting_human",
  assignee: null,
  escalation: '{"reason":"dispute","reasonCodes":["dispute"],"priority":"high","at":"2025-03-01T10:00:00.000Z"}',
  category: null,
  csat: null,
  context: { step: 2 },
  last_inbound_at: "2025-03-01T09:59:00.000Z",
  processed_seq: "3",
  last_seq: 4,
  created_at: new Date("2025-03-01T09:00:00.000Z"),
  updated_at: "2025-03-01T10:00:00+00:00",
};

const messageRow: MessageRow = {
  id: "0b6f3f9e-1e61-4d1a-a7a1-8b0d6f0e2c11",
  conversation_id: conversationRow.id,
  channel_id: "twilio-sms",
  seq: "4",
  direction: "outbound",
  author: "agent",
  author_ref: "U1",
  author_name: null,
  text: "Hi",
  attachments: "[]",
  channel_message_id: null,
  status: "failed",
  error: { code: "30003", message: "unreachable", permanent: true },
  decision: null,
  meta: {},
  created_at: "2025-03-01T10:00:00.000Z",
  updated_at: "2025-03-01T10:00:01.000Z",
};

describe("store row mapping", () => {
  it("turns text timestamps, bigint strings, JSON text and nulls into the model's types", () => {
    const conversation = conversationFromRow(conversationRow);
    expect(conversation.processedSeq).toBe(3);
    expect(conversation.lastInboundAt).toEqual(new Date("2025-03-01T09:59:00.000Z"));
    expect(conversation.updatedAt).toEqual(new Date("2025-03-01T10:00:00.000Z"));
    expect(conversation.escalation?.at).toEqual(new Date("2025-03-01T10:00:00.000Z"));
    expect(conversation).not.toHaveProperty("customerId");
    expect(conversation).not.toHaveProperty("assignee");
    expect(conversation.context).toEqual({ step: 2 });

    const message = messageFromRow(messageRow);
    expect(message.seq).toBe(4);
    expect(message.attachments).toEqual([]);
    expect(message.error?.permanent).toBe(true);
    expect(message).not.toHaveProperty("decision");
    expect(message).not.toHaveProperty("authorName");
  });

  it("round-trips an escalation through its JSON form", () => {
    const escalation = { reason: "x", reasonCodes: [], priority: "low" as const, at: new Date("2025-01-02T03:04:05.006Z") };
    const row = { ...conversationRow, escalation: JSON.parse(escalationToJson(escalation)) as unknown };
    expect(conversationFromRow(row).escalation).toEqual(escalation);
  });

  it("fails loudly on a row the model cannot describe", () => {
    expect(() => conversationFromRow({ ...conversationRow, state: "archived" })).toThrow(DatabaseError);
    expect(() => messageFromRow({ ...messageRow, seq: 0 })).toThrow(DatabaseError);
    expect(() => conversationFromRow({ ...conversationRow, created_at: "yesterday" })).toThrow(DatabaseError);
    expect(() => toInteger("12.5")).toThrow(DatabaseError);
    expect(toInteger(7n)).toBe(7);
  });

  it("maps events and contacts", () => {
    const event = eventFromRow({
      id: "7a1d0f0e-2b7c-4b9a-8d1e-0c2f3a4b5c6d",
      conversation_id: conversationRow.id,
      type: "state_changed",
      from_state: "ai",
      to_state: "awaiting_human",
      reason: "dispute",
      actor: "brain",
      data: null,
      at: "2025-03-01T10:00:00.000Z",
    });
    expect(event).toMatchObject({ from: "ai", to: "awaiting_human", data: {} });
    expect(contactFromRow({ channel_id: "sms", address: "+1555", opted_out: true, updated_at: "2025-03-01T10:00:00Z" })).toEqual({
      channelId: "sms",
      address: "+1555",
      optedOut: true,
      updatedAt: new Date("2025-03-01T10:00:00Z"),
    });
  });
});

describe("database errors", () => {
  it("keep the SQLSTATE and drop the bound parameters", () => {
    const driverError = Object.assign(new Error("duplicate key value violates unique constraint"), {
      code: "23505",
      constraint: "messages_seq_key",
      params: ["+15550001111", "my card is 4111 1111 1111 1111"],
    });
    const converted = toDatabaseError(driverError);
    expect(converted).toBeInstanceOf(DatabaseError);
    expect(converted).toMatchObject({ sqlState: "23505", constraint: "messages_seq_key", code: "store.sql_23505" });
    expect(JSON.stringify(converted)).not.toContain("4111");
    expect((converted as Error).cause).toBeUndefined();
    const plain = new TypeError("not a database error");
    expect(toDatabaseError(plain)).toBe(plain);
  });
});
