/**
 * The Microsoft Bot Framework channel (Teams, Web Chat, the Emulator... through an Azure Bot), on
 * botbuilder's `CloudAdapter`. Inbound, botbuilder authenticates the activity's token, a `message` is
 * parsed into the core's `InboundIntake` with its conversation reference, and the endpoint answers at
 * once (the turn runs in the queue). Outbound, the send worker continues the stored conversation
 * proactively and posts the reply to the connector; failures leave as `DeliveryFailedError`.
 */
import type { Activity, InvokeResponse } from "botbuilder";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { ChannelEntry } from "../../src/config/channels-file.js";
import { ChannelNotStartedError, DeliveryFailedError } from "../../src/errors.js";
import { requireChannelContext, type ChannelAdapter, type ChannelContext, type OutboundDelivery, type SendRateLimit, type SendReceipt } from "../../src/ports/channel-adapter.js";
import { createCloudAdapter, sendProactive, type BotAuthOverrides, type SwitchboardCloudAdapter } from "./cloud-adapter.js";
import { loadBotFrameworkChannelConfig, serviceUrlAllowed, type BotFrameworkChannelConfig, type BotFrameworkChannelSettings } from "./config.js";
import { parseActivity } from "./inbound/parse.js";
import { ActivityRefusedError, messagesPath, registerBotFrameworkRoutes } from "./inbound/routes.js";
import { outboundActivity } from "./outbound/activity.js";
import { toDeliveryFailure } from "./outbound/errors.js";
import { latestReference } from "./reference.js";

export interface BotFrameworkAdapterDeps {
  /** Where the credentials named in the entry are read (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** botbuilder settings for another cloud (or, in tests, a loopback OpenID metadata document). */
  authOverrides?: BotAuthOverrides;
  logger?: Logger;
  now?: () => Date;
}

const NETWORK_FAILURE = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|FetchError/;

export class BotFrameworkChannelAdapter implements ChannelAdapter {
  readonly kind = "botframework" as const;
  readonly id: string;
  readonly settings: BotFrameworkChannelSettings;
  /** `anonymous`: no token checked or sent (Bot Framework Emulator); `app`: the Azure Bot's credentials. */
  readonly authMode: "anonymous" | "app";

  private readonly cloud: SwitchboardCloudAdapter;
  private readonly appId: string;
  private readonly ownLogger: Logger | undefined;
  private readonly clock: (() => Date) | undefined;
  private context: ChannelContext | undefined;
  private warnedUntuned = false;

  constructor(config: BotFrameworkChannelConfig, deps: Omit<BotFrameworkAdapterDeps, "env"> = {}) {
    this.settings = config.settings;
    this.id = config.settings.id;
    this.authMode = config.auth.mode;
    this.appId = config.auth.mode === "app" ? config.auth.appId : "";
    this.cloud = createCloudAdapter(config.auth, deps.authOverrides);
    this.ownLogger = deps.logger?.child({ channelId: this.id });
    this.clock = deps.now;
  }

  /** The messaging endpoint to enter in the Azure Bot resource (or the Emulator). */
  messagingEndpoint(publicUrl: string): string {
    return publicUrl.replace(/\/+$/, "") + messagesPath(this.id);
  }

  async start(context: ChannelContext): Promise<void> {
    this.context ??= context;
    if (this.authMode === "anonymous") {
      this.logger().warn(
        { endpoint: messagesPath(this.id) },
        "Bot Framework channel runs in anonymous (Emulator) mode: inbound activities are not authenticated; set the app id and password for Azure, or allowAnonymous: false",
      );
    }
  }

  async registerRoutes(app: FastifyInstance, context: ChannelContext): Promise<void> {
    this.context = context;
    await registerBotFrameworkRoutes(app, {
      channelId: this.id,
      logger: this.logger(),
      onActivity: (activity, authHeader) => this.handleActivity(activity, authHeader),
    });
  }

  sendRateLimit(delivery: OutboundDelivery): SendRateLimit {
    // The Bot Framework (Teams) limits each bot per conversation; one customer's replies share a bucket.
    return { key: `botframework:${this.id}:${delivery.conversation.id}`, perSecond: this.settings.rateLimit.perSecond, burst: this.settings.rateLimit.burst };
  }

  async send(delivery: OutboundDelivery): Promise<SendReceipt> {
    const context = this.context;
    // Workers may pick up a send job a moment before the composition root starts the channels.
    if (context === undefined) throw new ChannelNotStartedError(this.id);
    const { message, conversation } = delivery;
    if (conversation.channelId !== this.id) {
      throw new DeliveryFailedError("wrong_channel", `conversation ${conversation.id} is on channel ${conversation.channelId}, not ${this.id}`, { permanent: true });
    }
    if (message.meta.internal === true) {
      throw new DeliveryFailedError("internal_message", "Internal notes are never sent to the customer.", { permanent: true });
    }
    const reference = await latestReference(context.store, conversation);
    if (reference === undefined) {
      throw new DeliveryFailedError("no_conversation_reference", "The customer's Bot Framework conversation is unknown (none of their messages carries it), so nothing can be sent.", { permanent: true });
    }
    if (!serviceUrlAllowed(this.settings, reference.serviceUrl)) {
      throw new DeliveryFailedError("service_url_not_allowed", "The conversation's service URL is not in this channel's allowedServiceUrls; nothing was sent.", { permanent: true });
    }
    const activity = outboundActivity(message, reference, this.settings);
    let response;
    try {
      response = await sendProactive({
        adapter: this.cloud,
        appId: this.appId,
        reference,
        activity,
        timeoutMs: this.settings.sendTimeoutMs,
        onUntuned: () => this.warnUntuned(),
      });
    } catch (error) {
      const failure = toDeliveryFailure(error, this.now());
      this.logger().warn({ conversationId: conversation.id, messageId: message.id, code: failure.providerCode, permanent: failure.permanent }, "Bot Framework send failed");
      throw failure;
    }
    return {
      status: "sent",
      ...(response?.id ? { channelMessageId: response.id } : {}),
      meta: { botChannel: reference.channelId },
    };
  }

  /** One inbound activity: authenticate (botbuilder), then parse and hand a message to the intake. */
  private async handleActivity(activity: Activity, authHeader: string): Promise<InvokeResponse | undefined> {
    const context = this.requireContext();
    if (typeof activity.serviceUrl === "string" && !serviceUrlAllowed(this.settings, activity.serviceUrl)) {
      throw new ActivityRefusedError(403, "auth.service_url", "this channel does not talk to that serviceUrl");
    }
    let turnStarted = false;
    try {
      return await this.cloud.runInbound(authHeader, activity, async (turn) => {
        turnStarted = true;
        const parsed = parseActivity(turn.activity, { channelId: this.id, receivedAt: this.now() });
        if (parsed.kind === "ignored") {
          this.logger().debug({ reason: parsed.reason }, "Bot Framework activity acknowledged and ignored");
          // An invoke (a card action) expects an answer in the HTTP response; 200 says "received".
          if (turn.activity.type === "invoke") await turn.sendActivity({ type: "invokeResponse", value: { status: 200 } });
          return;
        }
        if (parsed.droppedAttachments > 0) this.logger().info({ dropped: parsed.droppedAttachments }, "kept Bot Framework attachments by summary only (no http(s) URL)");
        const result = await context.intake.accept(parsed.inbound);
        this.logger().info(
          { conversationId: result.conversationId, messageId: result.messageId, duplicate: result.duplicate },
          result.duplicate ? "replayed Bot Framework activity ignored" : "Bot Framework message accepted",
        );
      });
    } catch (error) {
      if (turnStarted) throw error;
      throw authenticationFailure(error);
    }
  }

  private warnUntuned(): void {
    if (this.warnedUntuned) return;
    this.warnedUntuned = true;
    this.logger().warn("could not take botbuilder's own retries off the connector client; sends retry inside the SDK too");
  }

  private now(): Date {
    return (this.clock ?? this.context?.now ?? (() => new Date()))();
  }

  private logger(): Logger {
    return this.ownLogger ?? this.requireContext().logger.child({ channelId: this.id });
  }

  private requireContext(): ChannelContext {
    return requireChannelContext(this.id, this.context);
  }
}

/**
 * Anything that fails before the turn starts is botbuilder's authentication saying no (401), except when
 * it could not load the signing keys (its status 500, or the network): then 503, and the channel retries.
 */
function authenticationFailure(error: unknown): ActivityRefusedError {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  const text = `${(error as Error | null)?.name ?? ""} ${(error as Error | null)?.message ?? ""}`;
  if ((typeof status === "number" && status >= 500) || NETWORK_FAILURE.test(text)) {
    return new ActivityRefusedError(503, "auth.unavailable", "the Bot Framework signing keys could not be loaded; try again", { cause: error });
  }
  return new ActivityRefusedError(401, "auth.invalid", "the activity's token is missing or not valid for this bot", { cause: error });
}

/** Build the adapter from its channels-file entry; credentials come from the environment. */
export function createBotFrameworkAdapter(entry: ChannelEntry, deps: BotFrameworkAdapterDeps = {}): BotFrameworkChannelAdapter {
  const { env, ...rest } = deps;
  return new BotFrameworkChannelAdapter(loadBotFrameworkChannelConfig(entry, env ?? process.env), rest);
}
