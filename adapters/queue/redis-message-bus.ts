/**
 * Cross-process notifications over Redis pub/sub: JSON objects on channels `<prefix>:bus:<topic>`.
 * Publishing uses the ordinary connection; subscribing a dedicated one (a subscribed connection can send
 * nothing else), opened at the first subscribe. Delivery is at-most-once: a process that is not
 * subscribed when a message is published never sees it, so the bus carries hints, never the only copy.
 */
import { z } from "zod";
import { ValidationError } from "../../src/errors.js";
import type { Logger } from "../../src/logging/logger.js";
import type { MessageBus } from "../../src/ports/work-queue.js";
import { toJsonText } from "./job-data.js";
import { adapterKeys, type AdapterKeys } from "./keys.js";
import type { RedisSource } from "./options.js";
import { leaseDuplicate, type RedisLease } from "./redis-connection.js";

const TopicSchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,200}$/, "must be 1-200 characters of letters, digits, '_', '.', ':' or '-'");
export const MAX_BUS_PAYLOAD_BYTES = 256 * 1024;

type Listener = (payload: Record<string, unknown>) => void;

export class RedisMessageBus implements MessageBus {
  private readonly keys: AdapterKeys;
  private subscriber: RedisLease | undefined;
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly subscribed = new Set<string>();
  /** SUBSCRIBE/UNSUBSCRIBE run one at a time, so a quick unsubscribe-subscribe cannot end unsubscribed. */
  private syncing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly publisher: RedisLease,
    private readonly source: RedisSource,
    prefix: string,
    private readonly logger: Logger,
  ) {
    this.keys = adapterKeys(prefix);
  }

  async publish(topic: string, payload: Record<string, unknown>): Promise<void> {
    const channel = this.channelFor(topic);
    if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
      throw new ValidationError("a bus payload must be a JSON object");
    }
    const text = toJsonText(payload, "a bus payload");
    if (Buffer.byteLength(text, "utf8") > MAX_BUS_PAYLOAD_BYTES) {
      throw new ValidationError(`a bus payload may be at most ${MAX_BUS_PAYLOAD_BYTES} bytes`);
    }
    await this.publisher.client.publish(channel, text);
  }

  async subscribe(topic: string, onMessage: Listener): Promise<() => Promise<void>> {
    if (this.closed) throw new ValidationError("the message bus is closed");
    const channel = this.channelFor(topic);
    let listeners = this.listeners.get(channel);
    if (!listeners) {
      listeners = new Set();
      this.listeners.set(channel, listeners);
    }
    // A wrapper per call, so the same function subscribed twice is also unsubscribed one at a time.
    const listener: Listener = (payload) => onMessage(payload);
    listeners.add(listener);
    await this.sync(channel);
    let active = true;
    return async () => {
      if (!active) return;
      active = false;
      this.listeners.get(channel)?.delete(listener);
      await this.sync(channel);
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    await this.syncing.catch(() => {});
    await this.subscriber?.release();
    await this.publisher.release();
  }

  private channelFor(topic: string): string {
    const parsed = TopicSchema.safeParse(topic);
    if (!parsed.success) throw new ValidationError(`invalid bus topic: ${parsed.error.issues[0]?.message ?? "malformed"}`);
    return this.keys.busChannel(parsed.data);
  }

  private sync(channel: string): Promise<void> {
    const step = this.syncing.then(async () => {
      if (this.closed) return;
      const wanted = (this.listeners.get(channel)?.size ?? 0) > 0;
      const client = this.subscriberClient();
      if (wanted && !this.subscribed.has(channel)) {
        await client.subscribe(channel);
        this.subscribed.add(channel);
      } else if (!wanted && this.subscribed.has(channel)) {
        await client.unsubscribe(channel);
        this.subscribed.delete(channel);
        this.listeners.delete(channel);
      }
    });
    // The chain continues after a failed step; the caller still sees its own step's error.
    this.syncing = step.catch(() => {});
    return step;
  }

  private subscriberClient() {
    if (!this.subscriber) {
      this.subscriber = leaseDuplicate(this.source, "switchboard-bus-subscriber", this.logger);
      this.subscriber.client.on("message", (channel: string, text: string) => this.deliver(channel, text));
    }
    return this.subscriber.client;
  }

  private deliver(channel: string, text: string): void {
    const listeners = this.listeners.get(channel);
    if (!listeners || listeners.size === 0) return;
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      this.logger.warn({ channel, bytes: text.length }, "bus message is not JSON; ignored");
      return;
    }
    if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
      this.logger.warn({ channel }, "bus message is not a JSON object; ignored");
      return;
    }
    for (const listener of [...listeners]) {
      try {
        const returned: unknown = listener(payload as Record<string, unknown>);
        if (returned instanceof Promise) returned.catch((error: unknown) => this.logListenerError(channel, error));
      } catch (error) {
        this.logListenerError(channel, error);
      }
    }
  }

  private logListenerError(channel: string, error: unknown): void {
    this.logger.error({ err: error, channel }, "bus subscriber threw; other subscribers still get the message");
  }
}
