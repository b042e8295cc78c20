/**
 * One customer's WebSocket, from the `auth` frame to close. Frames are handled one at a time in arrival
 * order (a customer's messages reach the intake in the order they were typed). The session only ever
 * touches the conversation found by (channelId, visitor id from the signed token): no frame can name
 * another conversation.
 */
import type { WebSocket } from "ws";
import type { ChannelContext } from "../../src/ports/channel-adapter.js";
import type { ConversationState } from "../../src/domain/model.js";
import type { ConversationBusEvent } from "../../src/ports/conversation-events.js";
import { MAX_TEXT_CHARS, type SocketTiming, type WebchatChannelSettings } from "./config.js";
import type { ConversationHub, LiveSocket } from "./conversation-hub.js";
import { CloseCode, parseClientFrame, type ClientFrame, type FrameError, type ServerFrame } from "./frames.js";
import { handleClientFrame, rememberShown, type FrameHandlerScope } from "./frame-handlers.js";
import { isSessionExpired, verifySessionToken, type WebchatSession } from "./session-token.js";
import { SocketGuard } from "./socket-guard.js";
import { isCustomerVisible, toVisibleMessage } from "./visible-messages.js";

export interface SocketSessionDeps {
  settings: WebchatChannelSettings;
  sessionSecret: string;
  context: ChannelContext;
  hub: ConversationHub;
  timing: SocketTiming;
}

/** Frames waiting to be handled on one socket; more than this is a flood. */
const MAX_PENDING_FRAMES = 32;
/** A close reason is limited to 123 bytes by the WebSocket protocol. */
const reasonText = (text: string) => text.slice(0, 120);

export class SocketSession implements LiveSocket, FrameHandlerScope {
  session: WebchatSession | undefined;
  conversationId: string | null = null;
  readonly unacked = new Map<number, string>();
  highestShownSeq = 0;
  lastState: ConversationState = "ai";
  guard: SocketGuard | undefined;

  private chain: Promise<void> = Promise.resolve();
  private pending = 0;
  private closed = false;
  private cleanedUp = false;
  private alive = true;
  private readonly authTimer: NodeJS.Timeout;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: WebSocket,
    readonly deps: SocketSessionDeps,
  ) {
    this.authTimer = setTimeout(() => this.close(CloseCode.unauthorized, "authenticate with an auth frame first"), deps.timing.authTimeoutMs);
    socket.on("message", (data, isBinary) => this.enqueue(toBuffer(data), isBinary));
    socket.on("pong", () => {
      this.alive = true;
    });
    socket.on("close", () => this.cleanUp());
  }

  get visitorId(): string {
    return this.session?.visitorId ?? "";
  }

  get logger() {
    return this.deps.context.logger;
  }

  send(frame: ServerFrame): void {
    if (this.closed || this.socket.readyState !== this.socket.OPEN) return;
    this.socket.send(JSON.stringify(frame));
  }

  sendError(error: FrameError, retryAfterMs?: number): void {
    this.send({ type: "error", ...error, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close(code, reasonText(reason));
    this.cleanUp();
  }

  /** Count a refused or invalid frame; close the socket when the strikes add up. */
  strike(): void {
    if (this.guard?.strike()) this.close(CloseCode.policyViolation, "too many refused or invalid frames");
  }

  sessionStillValid(): boolean {
    if (this.session && !isSessionExpired(this.session, this.deps.context.now())) return true;
    this.close(CloseCode.unauthorized, "session expired");
    return false;
  }

  /** LiveSocket: a bus event of this socket's conversation. */
  deliver(event: ConversationBusEvent): void {
    if (event.type === "message") {
      if (!isCustomerVisible(event.message)) return;
      rememberShown(this, [event.message]);
      this.send({ type: "message", message: toVisibleMessage(event.message, this.deps.settings) });
    } else if (event.type === "state") {
      this.lastState = event.state;
      this.send({ type: "state", state: event.state, ...(event.agentName ? { agentName: event.agentName } : {}) });
    } else if (event.author === "ai" || event.author === "agent") {
      // The customer's own typing is for the desk, not echoed back to the customer.
      this.send({ type: "typing", on: event.on, author: event.author, ...(event.name ? { name: event.name } : {}) });
    }
  }

  /** LiveSocket: the visitor's conversation was opened (by this socket or another tab). */
  joined(conversationId: string): void {
    this.conversationId = conversationId;
  }

  private enqueue(data: Buffer, isBinary: boolean): void {
    if (this.closed) return;
    if (this.pending >= MAX_PENDING_FRAMES) {
      this.sendError({ code: "rate_limited", message: "too many frames at once; slow down" });
      this.strike();
      return;
    }
    this.pending += 1;
    this.chain = this.chain
      .then(() => this.handleRaw(data, isBinary))
      .catch((error: unknown) => {
        this.logger.error({ err: error, conversationId: this.conversationId }, "webchat: frame handling failed");
        this.sendError({ code: "unavailable", message: "the server could not handle that frame; try again" });
      })
      .finally(() => {
        this.pending -= 1;
      });
  }

  private async handleRaw(data: Buffer, isBinary: boolean): Promise<void> {
    if (this.closed) return;
    const parsed = parseClientFrame(data, isBinary);
    if (!this.session) {
      if (!parsed.ok || parsed.frame.type !== "auth") {
        this.close(CloseCode.unauthorized, "the first frame must be {\"type\":\"auth\",\"token\":...}");
        return;
      }
      await this.authenticate(parsed.frame.token);
      return;
    }
    if (!parsed.ok) {
      this.sendError(parsed.error);
      this.strike();
      return;
    }
    await this.handleFrame(parsed.frame);
  }

  private async handleFrame(frame: ClientFrame): Promise<void> {
    const budget = await this.guard!.take("frames");
    if (!budget.allowed) {
      this.sendError({ code: "rate_limited", message: "too many frames; slow down", ...idOf(frame) }, budget.retryAfterMs);
      this.strike();
      return;
    }
    if (frame.type === "auth") {
      this.sendError({ code: "already_authenticated", message: "this socket is already authenticated" });
      this.strike();
      return;
    }
    await handleClientFrame(this, frame);
  }

  private async authenticate(token: string): Promise<void> {
    clearTimeout(this.authTimer);
    const { settings, context, hub, timing } = this.deps;
    const verified = verifySessionToken(token, this.deps.sessionSecret, settings.id, context.now());
    if (!verified.ok) {
      const reason = { malformed: "invalid session token", forged: "invalid session token", expired: "session expired", wrong_channel: "session is for another channel" }[verified.problem];
      this.logger.info({ problem: verified.problem, channelId: settings.id }, "webchat: socket refused");
      this.close(CloseCode.unauthorized, reason);
      return;
    }
    const session = verified.session;
    if (hub.socketsOfVisitor(session.visitorId) >= settings.rateLimit.maxSocketsPerSession) {
      this.close(CloseCode.tooManySockets, "too many open chats for this session; close another tab");
      return;
    }
    this.session = session;
    this.guard = new SocketGuard(context.rateLimiter, settings.rateLimit, `webchat:${settings.id}:${session.visitorId}`, context.now, timing.strikeWindowMs);
    hub.addSocket(this);

    let ready: ServerFrame;
    try {
      ready = await this.readyFrame(session);
    } catch (error) {
      this.logger.error({ err: error, channelId: settings.id }, "webchat: could not load the conversation for a socket");
      this.close(CloseCode.internalError, "server unavailable; reconnect shortly");
      return;
    }
    if (this.closed) return;
    if (ready.type === "ready") this.lastState = ready.state;
    this.send(ready);
    this.startHeartbeat();
  }

  /** The visitor's conversation, state and newest history; subscribes this socket to its live events. */
  private async readyFrame(session: WebchatSession): Promise<ServerFrame> {
    const { settings, context, hub } = this.deps;
    const verified = session.customerId !== undefined;
    const found = await context.store.findConversationByAddress(settings.id, session.visitorId);
    if (!found) return { type: "ready", conversationId: null, state: "ai", verified, history: [], hasMore: false, maxTextChars: MAX_TEXT_CHARS };
    // Subscribe before reading state and history: an event in between arrives twice, never zero times
    // (the widget de-duplicates messages by seq).
    await hub.join(this, found.id);
    this.conversationId = found.id;
    const conversation = (await context.store.getConversation(found.id)) ?? found;
    const newest = await context.store.listMessages(found.id, { limit: settings.historyLimit + 1, newest: true });
    const hasMore = newest.length > settings.historyLimit;
    const shown = (hasMore ? newest.slice(1) : newest).filter(isCustomerVisible);
    rememberShown(this, shown);
    return {
      type: "ready",
      conversationId: found.id,
      state: conversation.state,
      verified,
      history: shown.map((message) => toVisibleMessage(message, settings)),
      hasMore,
      maxTextChars: MAX_TEXT_CHARS,
    };
  }

  private startHeartbeat(): void {
    this.heartbeat = setInterval(() => {
      if (!this.alive) {
        // No pong since the last ping: the peer is gone without a close (a laptop lid, a dead network).
        this.socket.terminate();
        this.cleanUp();
        return;
      }
      this.alive = false;
      this.socket.ping();
    }, this.deps.timing.heartbeatMs);
    this.heartbeat.unref();
  }

  private cleanUp(): void {
    this.closed = true;
    if (this.cleanedUp) return;
    this.cleanedUp = true;
    clearTimeout(this.authTimer);
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.session) {
      void this.deps.hub.removeSocket(this);
    }
  }
}

function idOf(frame: ClientFrame): { id?: string } {
  return "id" in frame ? { id: frame.id } : {};
}

function toBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.isBuffer(data) ? data : Buffer.from(data);
}
