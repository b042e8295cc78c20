/**
 * TEMPORARY: an in-process stand-in for the core's store, bus and rate limiter, so the web chat socket
 * layer can be integration-tested before adapters/store and adapters/queue land on main. It records what
 * the channel hands the core. Replaced by the real PostgreSQL store and Redis bus once merged.
 */
import { randomUUID } from "node:crypto";
import { InboundMessage, type Conversation, type Message } from "../../src/domain/model.js";
import { isStatusAdvance } from "../../src/domain/message-status.js";
import { ValidationError } from "../../src/errors.js";
import { silentLogger } from "../../src/logging/logger.js";
import type { ChannelContext, InboundIntake, IntakeResult } from "../../src/ports/channel-adapter.js";
import type { ConversationStore, NewOutboundMessage } from "../../src/ports/conversation-store.js";
import type { MessageBus, OnceGuard, RateLimiter } from "../../src/ports/work-queue.js";

export class MemoryCore implements InboundIntake {
  readonly conversations = new Map<string, Conversation>();
  readonly messages: Message[] = [];
  readonly accepted: InboundMessage[] = [];
  now = () => new Date();

  async accept(input: InboundMessage): Promise<IntakeResult> {
    const parsed = InboundMessage.safeParse(input);
    if (!parsed.success) throw new ValidationError(parsed.error.message);
    const inbound = parsed.data;
    const existing = this.messages.find((message) => message.channelMessageId === inbound.channelMessageId && this.conversations.get(message.conversationId)?.channelId === inbound.channelId);
    if (existing) return { conversationId: existing.conversationId, messageId: existing.id, seq: existing.seq, duplicate: true };
    this.accepted.push(inbound);
    let conversation = [...this.conversations.values()].find((c) => c.channelId === inbound.channelId && c.customerAddress === inbound.customerAddress);
    const at = this.now();
    if (!conversation) {
      conversation = { id: randomUUID(), channelId: inbound.channelId, customerAddress: inbound.customerAddress, state: "ai", context: {}, processedSeq: 0, lastSeq: 0, createdAt: at, updatedAt: at };
      this.conversations.set(conversation.id, conversation);
    }
    const message = this.append(conversation, { direction: "inbound", author: "customer", text: inbound.text, channelMessageId: inbound.channelMessageId, status: "received", meta: inbound.meta });
    return { conversationId: conversation.id, messageId: message.id, seq: message.seq, duplicate: false };
  }

  appendOutbound(input: NewOutboundMessage): Message {
    const conversation = this.conversations.get(input.conversationId);
    if (!conversation) throw new Error("no such conversation");
    return this.append(conversation, {
      direction: "outbound",
      author: input.author,
      text: input.text,
      status: "queued",
      meta: input.meta ?? {},
      ...(input.authorName ? { authorName: input.authorName } : {}),
    });
  }

  private append(conversation: Conversation, fields: Pick<Message, "direction" | "author" | "text" | "status" | "meta"> & Partial<Message>): Message {
    conversation.lastSeq += 1;
    const at = this.now();
    const message: Message = { id: randomUUID(), conversationId: conversation.id, seq: conversation.lastSeq, attachments: [], createdAt: at, updatedAt: at, ...fields };
    this.messages.push(message);
    return message;
  }

  /** The subset of ConversationStore the web chat channel uses. */
  store(): ConversationStore {
    const partial: Partial<ConversationStore> = {
      findConversationByAddress: async (channelId, address) =>
        [...this.conversations.values()].find((c) => c.channelId === channelId && c.customerAddress === address) ?? null,
      getConversation: async (id) => this.conversations.get(id) ?? null,
      getMessage: async (id) => this.messages.find((message) => message.id === id) ?? null,
      listMessages: async (conversationId, options = {}) => {
        let list = this.messages.filter((m) => m.conversationId === conversationId && m.seq > (options.afterSeq ?? 0));
        if (options.limit !== undefined) list = options.newest ? list.slice(-options.limit) : list.slice(0, options.limit);
        return list;
      },
      updateMessageStatus: async (id, status) => {
        const message = this.messages.find((m) => m.id === id);
        if (!message || !isStatusAdvance(message.status, status)) return false;
        message.status = status;
        return true;
      },
    };
    return new Proxy(partial as ConversationStore, {
      get(target, key) {
        const value: unknown = Reflect.get(target, key);
        if (value === undefined && typeof key === "string") throw new Error(`MemoryCore store: ${key} is not used by web chat`);
        return value;
      },
    });
  }
}

/** Pub/sub with a JSON round trip, as over Redis. */
export class MemoryBus implements MessageBus {
  readonly published: Array<{ topic: string; payload: Record<string, unknown> }> = [];
  private readonly handlers = new Map<string, Set<(payload: Record<string, unknown>) => void>>();

  async publish(topic: string, payload: Record<string, unknown>): Promise<void> {
    this.published.push({ topic, payload });
    const wire = JSON.stringify(payload);
    for (const handler of this.handlers.get(topic) ?? []) setImmediate(() => handler(JSON.parse(wire) as Record<string, unknown>));
  }

  async subscribe(topic: string, onMessage: (payload: Record<string, unknown>) => void): Promise<() => Promise<void>> {
    const set = this.handlers.get(topic) ?? new Set();
    set.add(onMessage);
    this.handlers.set(topic, set);
    return async () => {
      set.delete(onMessage);
    };
  }

  subscribers(topic: string): number {
    return this.handlers.get(topic)?.size ?? 0;
  }
}

/** Token buckets on the real clock. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  async take(key: string, limit: { perSecond: number; burst?: number }) {
    const burst = limit.burst ?? 1;
    const now = Date.now();
    const bucket = this.buckets.get(key) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * limit.perSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, retryAfterMs: 0 };
    }
    return { allowed: false, retryAfterMs: Math.ceil(((1 - bucket.tokens) / limit.perSecond) * 1000) };
  }
}

const once: OnceGuard = { firstTime: async () => true };

export function memoryContext(core: MemoryCore, bus: MemoryBus, overrides: Partial<ChannelContext> = {}): ChannelContext {
  return {
    intake: core,
    store: core.store(),
    bus,
    rateLimiter: new MemoryRateLimiter(),
    once,
    logger: silentLogger(),
    publicUrl: "http://127.0.0.1",
    dataDir: ".data",
    now: () => core.now(),
    ...overrides,
  };
}
