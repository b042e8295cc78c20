/**
 * One linked-device session: starts the client, keeps the latest login QR code, and reconnects with
 * exponential backoff whenever WhatsApp drops the session, authentication fails or the browser does not
 * start. A fresh client is built for every attempt: whatsapp-web.js destroys itself on disconnect.
 */
import type { Logger } from "pino";
import { errorMessage } from "../../src/errors.js";
import type { WhatsAppWebClient, WhatsAppWebMessage } from "./client.js";

export type SessionState = "stopped" | "starting" | "waiting_for_qr_scan" | "authenticated" | "ready" | "reconnecting";

export interface SessionStatus {
  state: SessionState;
  since: Date;
  /** Consecutive failed attempts since the last `ready`. */
  failures: number;
  lastError?: string;
  nextAttemptAt?: Date;
}

export interface SessionOptions {
  createClient: () => WhatsAppWebClient;
  onMessage: (message: WhatsAppWebMessage) => Promise<void>;
  onQr: (qr: string) => void;
  logger: Logger;
  now: () => Date;
  initialDelayMs: number;
  maxDelayMs: number;
}

export class WhatsAppWebSession {
  private client: WhatsAppWebClient | undefined;
  private timer: NodeJS.Timeout | undefined;
  private qr: string | undefined;
  private status: SessionStatus;
  /** Bumped on every (re)start, so events of a client we already gave up on are ignored. */
  private generation = 0;
  /** Browsers still closing: `stop()` waits for them, so nothing writes to the session folder after it. */
  private readonly disposing = new Set<Promise<void>>();

  constructor(private readonly options: SessionOptions) {
    this.status = { state: "stopped", since: options.now(), failures: 0 };
  }

  get current(): SessionStatus {
    return { ...this.status };
  }

  get pendingQr(): string | undefined {
    return this.status.state === "waiting_for_qr_scan" ? this.qr : undefined;
  }

  get readyClient(): WhatsAppWebClient | undefined {
    return this.status.state === "ready" ? this.client : undefined;
  }

  start(): void {
    if (this.status.state !== "stopped") return;
    this.connect();
  }

  async stop(): Promise<void> {
    this.generation += 1;
    clearTimeout(this.timer);
    this.timer = undefined;
    const client = this.client;
    this.client = undefined;
    this.setState("stopped");
    if (client) void this.dispose(client);
    await Promise.all([...this.disposing]);
  }

  /** How long to wait before attempt `failures + 1`: initial * 2^(failures-1), capped. */
  delayFor(failures: number): number {
    return Math.min(this.options.initialDelayMs * 2 ** Math.max(failures - 1, 0), this.options.maxDelayMs);
  }

  private connect(): void {
    const generation = ++this.generation;
    const client = this.options.createClient();
    this.client = client;
    this.setState("starting");
    const current = () => generation === this.generation;

    client.on("qr", (qr) => {
      if (!current()) return;
      this.qr = qr;
      this.setState("waiting_for_qr_scan");
      this.options.onQr(qr);
    });
    client.on("authenticated", () => {
      if (current()) this.setState("authenticated");
    });
    client.on("ready", () => {
      if (!current()) return;
      this.qr = undefined;
      this.status = { state: "ready", since: this.options.now(), failures: 0 };
      this.options.logger.info("WhatsApp Web session ready");
    });
    client.on("auth_failure", (message) => {
      if (current()) this.fail(`authentication failed: ${message}`);
    });
    client.on("disconnected", (reason) => {
      if (current()) this.fail(`disconnected: ${reason}`);
    });
    client.on("message", (message) => {
      if (!current()) return;
      this.options.onMessage(message).catch((error: unknown) => {
        this.options.logger.error({ err: error }, "a WhatsApp Web message could not be accepted");
      });
    });

    client.initialize().catch((error: unknown) => {
      if (current()) this.fail(`could not start: ${errorMessage(error)}`);
    });
  }

  private fail(reason: string): void {
    const client = this.client;
    this.client = undefined;
    this.generation += 1;
    const failures = this.status.failures + 1;
    const delay = this.delayFor(failures);
    const nextAttemptAt = new Date(this.options.now().getTime() + delay);
    this.status = { state: "reconnecting", since: this.options.now(), failures, lastError: reason, nextAttemptAt };
    this.options.logger.warn({ failures, delayMs: delay, reason }, "WhatsApp Web session lost; reconnecting");
    if (client) void this.dispose(client);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.status.state === "reconnecting") this.connect();
    }, delay);
    this.timer.unref();
  }

  private dispose(client: WhatsAppWebClient): Promise<void> {
    client.removeAllListeners();
    const closing = client.destroy().catch((error: unknown) => {
      // The library may already have destroyed itself (it does on disconnect); nothing to clean up.
      this.options.logger.debug({ err: error }, "destroying a WhatsApp Web client failed");
    });
    this.disposing.add(closing);
    void closing.finally(() => this.disposing.delete(closing));
    return closing;
  }

  private setState(state: SessionState): void {
    this.status = { ...this.status, state, since: this.options.now() };
    if (state !== "reconnecting") delete this.status.nextAttemptAt;
  }
}
