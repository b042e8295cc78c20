/**
 * The web chat `ChannelAdapter`: our own widget over WebSocket. Inbound frames go to the core's intake;
 * outbound messages are published on the conversation's bus topic, and whichever web process holds the
 * customer's socket pushes them (the send worker may run in another process).
 */
import websocketPlugin from "@fastify/websocket";
import type { FastifyInstance } from "fastify";
import type { WebSocket } from "ws";
import { verifyCustomerToken } from "../../src/agent/identity.js";
import { ChannelEntry, channelSettings } from "../../src/config/channels-file.js";
import { ConfigError, DeliveryFailedError, errorMessage } from "../../src/errors.js";
import type { ChannelAdapter, ChannelContext, OutboundDelivery, SendReceipt } from "../../src/ports/channel-adapter.js";
import { conversationTopic, messageEventPayload } from "../../src/ports/conversation-events.js";
import {
  DEFAULT_TIMING,
  MAX_PAYLOAD_BYTES,
  WebchatChannelSettings,
  type CustomerTokenVerifier,
  type SocketTiming,
  type WebchatAdapterOptions,
} from "./config.js";
import { ConversationHub } from "./conversation-hub.js";
import { CloseCode } from "./frames.js";
import { OriginPolicy, originHeader } from "./origin-policy.js";
import { registerSessionRoute } from "./session-route.js";
import { SocketSession } from "./socket-session.js";
import { loadWidgetAssets, registerWidgetRoutes } from "./widget-routes.js";

/** Options for `@fastify/websocket` when the server registers it itself (the hard frame limit). */
export const webchatWebsocketOptions = { options: { maxPayload: MAX_PAYLOAD_BYTES } } as const;

export class WebchatAdapter implements ChannelAdapter {
  readonly kind = "webchat" as const;
  readonly id: string;
  readonly settings: WebchatChannelSettings;
  private readonly sessionSecret: string;
  private readonly verifyCustomerToken: CustomerTokenVerifier | undefined;
  private readonly timing: SocketTiming;
  private context: ChannelContext | undefined;
  private hub: ConversationHub | undefined;
  private readonly sockets = new Set<SocketSession>();

  constructor(options: WebchatAdapterOptions) {
    const entry = ChannelEntry.safeParse(options.settings);
    if (!entry.success) throw new ConfigError(`web chat channel: ${entry.error.issues.map((issue) => issue.message).join("; ")}`);
    this.settings = channelSettings(entry.data, WebchatChannelSettings);
    this.id = this.settings.id;
    if (typeof options.sessionSecret !== "string" || options.sessionSecret.length < 32) {
      throw new ConfigError(`web chat channel "${this.id}": WEBCHAT_SECRET must be at least 32 characters.`);
    }
    this.sessionSecret = options.sessionSecret;
    this.verifyCustomerToken = options.verifyCustomerToken ?? (options.customerTokenSecret ? signedCustomerTokens(options.customerTokenSecret) : undefined);
    this.timing = { ...DEFAULT_TIMING, ...options.timing };
  }

  /** Open sockets in this process (for metrics and tests). */
  get openSockets(): number {
    return this.sockets.size;
  }

  async start(context: ChannelContext): Promise<void> {
    this.context ??= context;
  }

  async registerRoutes(app: FastifyInstance, context: ChannelContext): Promise<void> {
    this.context = context;
    const hub = new ConversationHub(context.bus, context.logger);
    this.hub = hub;
    // The server may have registered the plugin already (with `webchatWebsocketOptions`); never twice.
    if (!app.hasPlugin("@fastify/websocket")) await app.register(websocketPlugin, webchatWebsocketOptions);

    const origins = new OriginPolicy(this.settings.allowedOrigins, context.publicUrl);
    registerWidgetRoutes(app, await loadWidgetAssets(this.settings));
    registerSessionRoute(app, {
      settings: this.settings,
      sessionSecret: this.sessionSecret,
      context,
      origins,
      verifyCustomerToken: this.verifyCustomerToken,
    });

    app.get(
      "/webchat/ws",
      {
        websocket: true,
        onRequest: async (request, reply) => {
          if (!origins.allows(originHeader(request.headers))) {
            await reply.code(403).send({ error: "origin_not_allowed", message: "this page may not open chat sockets" });
          }
        },
      },
      (socket: WebSocket) => this.accept(socket, context, hub),
    );
  }

  private accept(socket: WebSocket, context: ChannelContext, hub: ConversationHub): void {
    // @fastify/websocket's default error handler terminates the socket at once, which drops the close
    // frame ws just queued (1009 for an oversized frame); let ws finish its own close instead.
    socket.removeAllListeners("error");
    socket.on("error", (error) => context.logger.debug({ err: error }, "webchat: socket error"));
    const session = new SocketSession(socket, { settings: this.settings, sessionSecret: this.sessionSecret, context, hub, timing: this.timing });
    this.sockets.add(session);
    socket.once("close", () => this.sockets.delete(session));
  }

  async stop(): Promise<void> {
    for (const session of this.sockets) session.close(CloseCode.goingAway, "server restarting; reconnect shortly");
    this.sockets.clear();
  }

  async send(delivery: OutboundDelivery): Promise<SendReceipt> {
    const { message, conversation } = delivery;
    if (conversation.channelId !== this.id) {
      throw new DeliveryFailedError("wrong_channel", `conversation ${conversation.id} is on channel ${conversation.channelId}, not ${this.id}`, { permanent: true });
    }
    if (message.meta.internal === true) {
      throw new DeliveryFailedError("internal_message", "internal notes are never sent to the customer", { permanent: true });
    }
    const context = this.context;
    if (!context) throw new DeliveryFailedError("not_started", "the web chat channel was not started in this process", { permanent: false });
    try {
      await context.bus.publish(conversationTopic(conversation.id), messageEventPayload(message));
    } catch (error) {
      throw new DeliveryFailedError("bus_unavailable", `could not publish the message: ${errorMessage(error)}`, { permanent: false, cause: error });
    }
    // Stored and published: a connected widget shows it now, a disconnected one with its history on
    // reconnect. `delivered` comes from the widget's ack.
    return { status: "sent" };
  }
}

/** Customer tokens in the company-site format of src/agent/identity.ts (`sbc1.`), checked with `secret`. */
export function signedCustomerTokens(secret: string): CustomerTokenVerifier {
  if (secret.length < 32) throw new ConfigError("CUSTOMER_TOKEN_SECRET must be at least 32 characters.");
  return (token, now) => {
    const verdict = verifyCustomerToken(token, secret, now);
    return verdict.ok ? verdict.customerId : null;
  };
}

export function createWebchatAdapter(options: WebchatAdapterOptions): WebchatAdapter {
  return new WebchatAdapter(options);
}
