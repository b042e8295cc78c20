/**
 * botbuilder's `CloudAdapter` with `ConfigurationBotFrameworkAuthentication`, as the channel uses it.
 * Inbound, the activity goes straight to the adapter's own `processActivity` (the JWT check of the
 * Bot Framework, then our turn logic) instead of `process(req, res)`: the route keeps its own status
 * mapping and logging, and no Express-like response shim is needed. Outbound, each proactive send gets
 * a fresh connector client whose built-in retries are removed (the send queue retries, honouring
 * Retry-After, in conversation order) and whose calls time out.
 */
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type Activity,
  type ConversationAccount,
  type ConversationReference,
  type InvokeResponse,
  type ResourceResponse,
  type TurnContext,
} from "botbuilder";
import { ConfigError, errorMessage } from "../../src/errors.js";
import type { BotFrameworkAuth } from "./config.js";
import type { StoredReference } from "./reference.js";

/**
 * Settings of botbuilder's configuration that point it elsewhere than the public Azure cloud: a
 * sovereign cloud, or in tests a loopback OpenID metadata document whose keys sign test tokens.
 */
export type BotAuthOverrides = Partial<
  Record<
    | "ChannelService"
    | "ToBotFromChannelOpenIdMetadataUrl"
    | "ToBotFromChannelTokenIssuer"
    | "ToBotFromEmulatorOpenIdMetadataUrl"
    | "ToChannelFromBotLoginUrl"
    | "ToChannelFromBotOAuthScope"
    | "OAuthUrl",
    string
  >
>;

/**
 * The public Azure cloud's values (botframework-connector's AuthenticationConstants). botbuilder uses its
 * built-in set only when no such setting is given; once one is, it expects them all.
 */
const PUBLIC_CLOUD: Required<Omit<BotAuthOverrides, "ChannelService">> & { CallerId: string } = {
  ToBotFromChannelOpenIdMetadataUrl: "https://login.botframework.com/v1/.well-known/openidconfiguration",
  ToBotFromChannelTokenIssuer: "https://api.botframework.com",
  ToBotFromEmulatorOpenIdMetadataUrl: "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration",
  ToChannelFromBotLoginUrl: "https://login.microsoftonline.com/botframework.com",
  ToChannelFromBotOAuthScope: "https://api.botframework.com",
  OAuthUrl: "https://api.botframework.com",
  CallerId: "urn:botframework:azure",
};

export type TurnLogic = (turn: TurnContext) => Promise<void>;

export class SwitchboardCloudAdapter extends CloudAdapter {
  /** Authenticate one inbound activity (botbuilder checks the token) and run `logic` in its turn. */
  runInbound(authHeader: string, activity: Activity, logic: TurnLogic): Promise<InvokeResponse | undefined> {
    return this.processActivity(authHeader, activity, logic);
  }
}

export function createCloudAdapter(auth: BotFrameworkAuth, overrides: BotAuthOverrides = {}): SwitchboardCloudAdapter {
  const credentials =
    auth.mode === "anonymous"
      ? {}
      : {
          MicrosoftAppId: auth.appId,
          MicrosoftAppType: auth.appType,
          ...(auth.appPassword !== undefined ? { MicrosoftAppPassword: auth.appPassword } : {}),
          ...(auth.tenantId !== undefined ? { MicrosoftAppTenantId: auth.tenantId } : {}),
        };
  const { ChannelService, ...endpoints } = overrides;
  const cloud = Object.keys(endpoints).length > 0 ? { ...PUBLIC_CLOUD, ...endpoints } : {};
  try {
    return new SwitchboardCloudAdapter(
      new ConfigurationBotFrameworkAuthentication({ ...credentials, ...cloud, ...(ChannelService !== undefined ? { ChannelService } : {}) }),
    );
  } catch (error) {
    // botbuilder's own checks (missing tenant...) name settings, never their values.
    throw new ConfigError(`the Bot Framework refused the channel's credentials settings: ${errorMessage(error)}`, { cause: error });
  }
}

/** The parts of @azure/core-rest-pipeline's pipeline we adjust (typed by shape: it is not our dependency). */
interface PipelineRequestLike {
  timeout: number;
}
interface PipelineLike {
  removePolicy(options: { name: string }): unknown[];
  addPolicy(policy: { name: string; sendRequest: (request: PipelineRequestLike, next: (request: PipelineRequestLike) => Promise<unknown>) => Promise<unknown> }): void;
}

const SDK_RETRY_POLICY = "defaultRetryPolicy";
const TIMEOUT_POLICY = "switchboardSendTimeout";

function isPipeline(value: unknown): value is PipelineLike {
  return value !== null && typeof value === "object" && typeof (value as PipelineLike).removePolicy === "function" && typeof (value as PipelineLike).addPolicy === "function";
}

/**
 * Take the SDK's retries off this turn's connector client and give its calls a timeout. Returns false
 * when the client is not shaped as expected (a botbuilder upgrade): sends still work, with its retries.
 */
export function tuneConnector(adapter: CloudAdapter, turn: TurnContext, timeoutMs: number): boolean {
  const connector: unknown = turn.turnState.get(adapter.ConnectorClientKey);
  const pipeline = (connector as { client?: { pipeline?: unknown } } | undefined)?.client?.pipeline;
  if (!isPipeline(pipeline)) return false;
  pipeline.removePolicy({ name: SDK_RETRY_POLICY });
  pipeline.removePolicy({ name: TIMEOUT_POLICY });
  pipeline.addPolicy({
    name: TIMEOUT_POLICY,
    sendRequest: (request, next) => {
      request.timeout = timeoutMs;
      return next(request);
    },
  });
  return true;
}

export interface ProactiveSend {
  adapter: SwitchboardCloudAdapter;
  /** The bot's app id; empty in anonymous mode. */
  appId: string;
  reference: StoredReference;
  activity: Partial<Activity>;
  timeoutMs: number;
  /** Told when the connector could not be tuned (so the operator learns the SDK retries are back). */
  onUntuned?: () => void;
}

/** Continue the stored conversation and send one activity into it; the connector's answer is returned. */
export async function sendProactive(send: ProactiveSend): Promise<ResourceResponse | undefined> {
  let response: ResourceResponse | undefined;
  await send.adapter.continueConversationAsync(send.appId, toConversationReference(send.reference), async (turn) => {
    if (!tuneConnector(send.adapter, turn, send.timeoutMs)) send.onUntuned?.();
    response = await turn.sendActivity(send.activity);
  });
  return response;
}

function toConversationReference(reference: StoredReference): Partial<ConversationReference> {
  return {
    serviceUrl: reference.serviceUrl,
    channelId: reference.channelId,
    // botbuilder's types want every ConversationAccount field; the connector needs only the id (and tenant).
    conversation: reference.conversation as ConversationAccount,
    bot: reference.bot as ConversationReference["bot"],
    user: reference.user as ConversationReference["user"],
    ...(reference.activityId !== undefined ? { activityId: reference.activityId } : {}),
    ...(reference.locale !== undefined ? { locale: reference.locale } : {}),
  };
}
