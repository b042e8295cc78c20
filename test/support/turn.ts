/** Builds valid `TurnContext`s for brain tests (conversation and message pass the domain schemas). */
import { randomUUID } from "node:crypto";
import { Conversation, Message, type ChannelKind } from "../../src/domain/model.js";
import type { Draft, GroundingFact, TurnContext } from "../../src/ports/agent-engine.js";

export interface TurnOptions {
  text: string;
  now?: Date;
  channelKind?: ChannelKind;
  customerAddress?: string;
  customerId?: string;
  context?: Record<string, unknown>;
  meta?: Record<string, unknown>;
  history?: Array<{ author: "customer" | "ai" | "agent"; text: string }>;
}

export const TEST_NOW = new Date("2026-12-01T15:00:00Z");

export function makeTurn(options: TurnOptions): TurnContext {
  const now = options.now ?? TEST_NOW;
  const conversationId = randomUUID();
  const history = (options.history ?? []).map((entry, index) =>
    Message.parse({
      id: randomUUID(),
      conversationId,
      seq: index + 1,
      direction: entry.author === "customer" ? "inbound" : "outbound",
      author: entry.author,
      text: entry.text,
      status: entry.author === "customer" ? "received" : "sent",
      createdAt: now,
      updatedAt: now,
    }),
  );
  const seq = history.length + 1;
  const conversation = Conversation.parse({
    id: conversationId,
    channelId: options.channelKind ?? "webchat",
    customerAddress: options.customerAddress ?? "visitor-1",
    ...(options.customerId ? { customerId: options.customerId } : {}),
    state: "ai",
    context: options.context ?? {},
    processedSeq: seq - 1,
    lastSeq: seq,
    createdAt: now,
    updatedAt: now,
  });
  const message = Message.parse({
    id: randomUUID(),
    conversationId,
    seq,
    direction: "inbound",
    author: "customer",
    text: options.text,
    status: "received",
    meta: options.meta ?? {},
    createdAt: now,
    updatedAt: now,
  });
  return { conversation, message, history, channelKind: options.channelKind ?? "webchat", now };
}

export function makeDraft(text: string, facts: GroundingFact[] = [], extra: Partial<Draft> = {}): Draft {
  return { kind: "answer", text, confidence: 0.9, facts, reasonCodes: [], engine: "test", ...extra };
}
