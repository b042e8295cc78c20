/**
 * An in-memory `ChannelContext` for channel adapter tests that run before (or without) the real store
 * and queues: it implements the ports' contracts (dedupe on channel message id, forward-only status,
 * opt-out contacts, token buckets, once-keys) in a few maps. Integration and e2e suites use the real
 * PostgreSQL store and Redis instead.
 */
import { randomUUID } from "node:crypto";
import type { Conversation, InboundMessage, Message, MessageStatus } from "../../src/domain/model.js";
import { isStatusAdvance } from "../../src/domain/message-status.js";
import { NotFoundError, NotImplementedError } from "../../src/errors.js";
import { silentLogger } from "../../src/logging/logger.js";
import type { ChannelContext, InboundIntake, IntakeResult } from "../../src/ports/channel-adapter.js";
import type { Contact, ConversationStore, MessageStatusUpdate, NewOutboundMessage, RecordInboundResult } from "../../src/ports/conversation-store.js";
import type { MessageBus, OnceGuard, RateLimiter } from "../../src/ports/work-queue.js";

export class MemoryStore {
  readonly conversations = new Map<string, Conversation>();
  readonly messages = new Map<string, Message>();
  readonly contacts = new Map<string, Contact>();
  constructor(private readonly now: () => Date) {}

  async recordInbound(inbound: InboundMessage): Promise<RecordInboundResult> {
    const existing = [...this.messages.values()].find(
      (message) => message.channelMessageId === inbound.channelMessageId && this.conversations.get(message.conversationId)?.channelId === inbound.channelId,
    );
    if (existing) return { conversation: this.conversations.get(existing.conversationId)!, message: existing, duplicate: true, reopened: false };
    const at = this.now();
    let conversation = [...this.conversations.values()].find((c) => c.channelId === inbound.channelId && c.customerAddress === inbound.customerAddress);
    if (!conversation) {
      conversation = {
        id: randomUUID(), channelId: inbound.channelId, customerAddress: inbound.customerAddress, state: "ai", context: {},
        processedSeq: 0, lastSeq: 0, createdAt: at, updatedAt: at,
        ...(inbound.customerName ? { customerName: inbound.customerName } : {}),
      };
    }
    conversation = { ...conversation, lastSeq: conversation.lastSeq + 1, lastInboundAt: inbound.receivedAt, updatedAt: at };
    this.conversations.set(conversation.id, conversation);
    const message: Message = {
      id: randomUUID(), conversationId: conversation.id, seq: conversation.lastSeq, direction: "inbound", author: "customer",
      text: inbound.text, attachments: inbound.attachments, channelMessageId: inbound.channelMessageId, status: "received",
      meta: inbound.meta, createdAt: at, updatedAt: at,
    };
    this.messages.set(message.id, message);
    return { conversation, message, duplicate: false, reopened: false };
  }

  async appendOutbound(input: NewOutboundMessage): Promise<Message> {
    const conversation = this.conversations.get(input.conversationId)!;
    const updated = { ...conversation, lastSeq: conversation.lastSeq + 1 };
    this.conversations.set(updated.id, updated);
    const at = this.now();
    const message: Message = {
      id: randomUUID(), conversationId: input.conversationId, seq: updated.lastSeq, direction: "outbound", author: input.author,
      text: input.text, attachments: input.attachments ?? [], status: input.status ?? "queued", meta: input.meta ?? {},
      createdAt: at, updatedAt: at,
      ...(input.error ? { error: input.error } : {}), ...(input.authorName ? { authorName: input.authorName } : {}),
    };
    this.messages.set(message.id, message);
    return message;
  }

  async getConversation(id: string): Promise<Conversation | null> {
    return this.conversations.get(id) ?? null;
  }

  /** Messages in `seq` order; `newest` with `limit` keeps the newest ones (as the SQL store does). */
  async listMessages(conversationId: string, options: { afterSeq?: number; limit?: number; newest?: boolean } = {}): Promise<Message[]> {
    const all = [...this.messages.values()]
      .filter((message) => message.conversationId === conversationId && message.seq > (options.afterSeq ?? 0))
      .sort((a, b) => a.seq - b.seq);
    if (options.limit === undefined) return all;
    return options.newest ? all.slice(-options.limit) : all.slice(0, options.limit);
  }

  async getMessage(id: string): Promise<Message | null> {
    return this.messages.get(id) ?? null;
  }

  async findMessageByChannelMessageId(channelId: string, channelMessageId: string): Promise<Message | null> {
    return (
      [...this.messages.values()].find(
        (message) => message.channelMessageId === channelMessageId && this.conversations.get(message.conversationId)?.channelId === channelId,
      ) ?? null
    );
  }

  async updateMessageStatus(messageId: string, status: MessageStatus, update: MessageStatusUpdate = {}): Promise<boolean> {
    const message = this.messages.get(messageId);
    if (!message || !isStatusAdvance(message.status, status)) return false;
    this.messages.set(messageId, {
      ...message, status, updatedAt: this.now(), meta: { ...message.meta, ...update.meta },
      ...(update.error ? { error: update.error } : {}), ...(update.channelMessageId ? { channelMessageId: update.channelMessageId } : {}),
    });
    return true;
  }

  async mergeMessageMeta(messageId: string, meta: Record<string, unknown>): Promise<void> {
    const message = this.messages.get(messageId);
    if (!message) throw new NotFoundError(`message ${messageId}`);
    this.messages.set(messageId, { ...message, updatedAt: this.now(), meta: { ...message.meta, ...meta } });
  }

  async getContact(channelId: string, address: string): Promise<Contact | null> {
    return this.contacts.get(`${channelId}|${address}`) ?? null;
  }

  async setOptOut(channelId: string, address: string, optedOut: boolean): Promise<Contact> {
    const contact = { channelId, address, optedOut, updatedAt: this.now() };
    this.contacts.set(`${channelId}|${address}`, contact);
    return contact;
  }
}

/** Only the methods channel adapters use exist; anything else says so loudly. */
function asStore(memory: MemoryStore): ConversationStore {
  return new Proxy(memory, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (value !== undefined || typeof property !== "string") return value;
      return () => Promise.reject(new NotImplementedError(`MemoryStore.${property}`));
    },
  }) as unknown as ConversationStore;
}

export class MemoryIntake implements InboundIntake {
  readonly accepted: InboundMessage[] = [];
  constructor(private readonly store: MemoryStore) {}
  async accept(inbound: InboundMessage): Promise<IntakeResult> {
    const result = await this.store.recordInbound(inbound);
    if (!result.duplicate) this.accepted.push(inbound);
    return { conversationId: result.conversation.id, messageId: result.message.id, seq: result.message.seq, duplicate: result.duplicate };
  }
}

export class MemoryRateLimiter implements RateLimiter {
  readonly taken: string[] = [];
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(private readonly clock: () => number = () => Date.now()) {}
  async take(key: string, limit: { perSecond: number; burst?: number }): Promise<{ allowed: boolean; retryAfterMs: number }> {
    const capacity = limit.burst ?? 1;
    const now = this.clock();
    const bucket = this.buckets.get(key) ?? { tokens: capacity, at: now };
    const tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) / 1000) * limit.perSecond);
    if (tokens >= 1) {
      this.buckets.set(key, { tokens: tokens - 1, at: now });
      this.taken.push(key);
      return { allowed: true, retryAfterMs: 0 };
    }
    this.buckets.set(key, { tokens, at: now });
    return { allowed: false, retryAfterMs: Math.ceil(((1 - tokens) / limit.perSecond) * 1000) };
  }
}

export class MemoryOnce implements OnceGuard {
  readonly keys = new Set<string>();
  async firstTime(key: string): Promise<boolean> {
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    return true;
  }

  async seen(key: string): Promise<boolean> {
    return this.keys.has(key);
  }

  async remember(key: string): Promise<void> {
    this.keys.add(key);
  }
}

class SilentBus implements MessageBus {
  async publish(): Promise<void> {}
  async subscribe(): Promise<() => Promise<void>> {
    return async () => {};
  }
}

export interface MemoryChannelContext extends ChannelContext {
  /** What `reportDeliveryProblem` was told. */
  deliveryProblems: Array<{ conversationId: string; messageId: string }>;
  memory: MemoryStore;
  memoryIntake: MemoryIntake;
  rates: MemoryRateLimiter;
  onceKeys: MemoryOnce;
}

export function memoryChannelContext(options: { publicUrl?: string; now?: () => Date; dataDir?: string } = {}): MemoryChannelContext {
  const now = options.now ?? (() => new Date());
  const memory = new MemoryStore(now);
  const memoryIntake = new MemoryIntake(memory);
  const rates = new MemoryRateLimiter(() => now().getTime());
  const onceKeys = new MemoryOnce();
  const deliveryProblems: Array<{ conversationId: string; messageId: string }> = [];
  return {
    deliveryProblems,
    reportDeliveryProblem: async (conversationId, messageId) => {
      deliveryProblems.push({ conversationId, messageId });
    },
    intake: memoryIntake,
    store: asStore(memory),
    bus: new SilentBus(),
    rateLimiter: rates,
    once: onceKeys,
    logger: silentLogger(),
    publicUrl: options.publicUrl ?? "https://support.example.com",
    dataDir: options.dataDir ?? ".data",
    now,
    memory,
    memoryIntake,
    rates,
    onceKeys,
  };
}
