/**
 * The live sockets of this process, by conversation and by visitor, and one bus subscription per
 * conversation that has at least one socket here. Whichever process sends (the send worker may run
 * elsewhere) publishes on the conversation's topic; the process holding the customer's socket pushes.
 */
import type { Logger } from "pino";
import { ConversationBusEvent, conversationTopic } from "../../src/ports/conversation-events.js";
import type { MessageBus } from "../../src/ports/work-queue.js";

export interface LiveSocket {
  readonly visitorId: string;
  /** A bus event for the socket's conversation (already validated). */
  deliver(event: ConversationBusEvent): void;
  /** The visitor's first message (maybe from another tab) opened a conversation this socket joined. */
  joined(conversationId: string): void;
}

interface ConversationEntry {
  sockets: Set<LiveSocket>;
  subscription: Promise<() => Promise<void>>;
}

export class ConversationHub {
  private readonly conversations = new Map<string, ConversationEntry>();
  private readonly visitors = new Map<string, Set<LiveSocket>>();
  private readonly joinedConversation = new Map<LiveSocket, string>();

  constructor(
    private readonly bus: MessageBus,
    private readonly logger: Logger,
  ) {}

  socketsOfVisitor(visitorId: string): number {
    return this.visitors.get(visitorId)?.size ?? 0;
  }

  get socketCount(): number {
    let count = 0;
    for (const sockets of this.visitors.values()) count += sockets.size;
    return count;
  }

  /** Every socket of this process (for shutdown). */
  allSockets(): LiveSocket[] {
    return [...this.visitors.values()].flatMap((sockets) => [...sockets]);
  }

  addSocket(socket: LiveSocket): void {
    const sockets = this.visitors.get(socket.visitorId) ?? new Set<LiveSocket>();
    sockets.add(socket);
    this.visitors.set(socket.visitorId, sockets);
  }

  /** Subscribe the socket to its conversation's live events; resolves once the subscription is active. */
  async join(socket: LiveSocket, conversationId: string): Promise<void> {
    const current = this.joinedConversation.get(socket);
    if (current === conversationId) return;
    // A store policy may open a new conversation for the same visitor: follow it, leave the old one.
    if (current !== undefined) await this.leaveConversation(socket);
    this.joinedConversation.set(socket, conversationId);
    let entry = this.conversations.get(conversationId);
    if (!entry) {
      const sockets = new Set<LiveSocket>();
      const subscription = this.bus.subscribe(conversationTopic(conversationId), (payload) =>
        this.dispatch(conversationId, sockets, payload),
      );
      entry = { sockets, subscription };
      this.conversations.set(conversationId, entry);
      subscription.catch((error: unknown) => {
        this.logger.error({ err: error, conversationId }, "webchat: bus subscription failed");
        if (this.conversations.get(conversationId) === entry) this.conversations.delete(conversationId);
      });
    }
    entry.sockets.add(socket);
    await entry.subscription;
  }

  /**
   * The visitor's conversation became known (its first message was accepted): every socket of that
   * visitor in this process joins it, so a second tab sees the conversation without reconnecting.
   */
  async conversationOpened(visitorId: string, conversationId: string): Promise<void> {
    const sockets = [...(this.visitors.get(visitorId) ?? [])].filter((socket) => this.joinedConversation.get(socket) !== conversationId);
    await Promise.all(
      sockets.map(async (socket) => {
        await this.join(socket, conversationId);
        socket.joined(conversationId);
      }),
    );
  }

  async removeSocket(socket: LiveSocket): Promise<void> {
    const visitorSockets = this.visitors.get(socket.visitorId);
    visitorSockets?.delete(socket);
    if (visitorSockets?.size === 0) this.visitors.delete(socket.visitorId);
    await this.leaveConversation(socket);
  }

  private async leaveConversation(socket: LiveSocket): Promise<void> {
    const conversationId = this.joinedConversation.get(socket);
    this.joinedConversation.delete(socket);
    if (conversationId === undefined) return;
    const entry = this.conversations.get(conversationId);
    if (!entry) return;
    entry.sockets.delete(socket);
    if (entry.sockets.size > 0) return;
    this.conversations.delete(conversationId);
    try {
      const unsubscribe = await entry.subscription;
      await unsubscribe();
    } catch (error) {
      this.logger.warn({ err: error, conversationId }, "webchat: unsubscribing from the bus failed");
    }
  }

  private dispatch(conversationId: string, sockets: Set<LiveSocket>, payload: Record<string, unknown>): void {
    const parsed = ConversationBusEvent.safeParse(payload);
    if (!parsed.success) {
      this.logger.warn({ conversationId, issues: parsed.error.issues.slice(0, 3) }, "webchat: ignored a malformed bus event");
      return;
    }
    if (parsed.data.type === "message" && parsed.data.message.conversationId !== conversationId) {
      // Defence in depth: a message only ever reaches the sockets of its own conversation.
      this.logger.error({ conversationId, messageId: parsed.data.message.id }, "webchat: bus message for another conversation dropped");
      return;
    }
    for (const socket of sockets) socket.deliver(parsed.data);
  }
}
