/**
 * Part of the composition root (with src/main.ts): one factory per channel kind, each validating its own
 * settings from the channel file.
 */
import { resolve } from "node:path";
import { createWebchatAdapter } from "../../channels/webchat/index.js";
import type { ChannelEntry } from "../config/channels-file.js";
import type { Env } from "../config/env.js";
import { persistentSecret } from "../config/persistent-secret.js";
import { ConfigError } from "../errors.js";
import type { Logger } from "../logging/logger.js";
import type { ChannelAdapter } from "../ports/channel-adapter.js";

export interface ChannelBuildContext {
  env: Env;
  /** The raw environment: channels name their own credential variables (`authTokenEnv`). */
  rawEnv: NodeJS.ProcessEnv;
  dataDir: string;
  logger: Logger;
  now: () => Date;
}

/**
 * One factory per channel kind; each validates its own settings from the channel file. Channels other than
 * web chat are imported only when configured: their SDKs (botbuilder alone takes about 2.7 s to load) would
 * otherwise slow every start.
 */
export async function createChannel(entry: ChannelEntry, context: ChannelBuildContext): Promise<ChannelAdapter> {
  const { env } = context;
  switch (entry.kind) {
    case "webchat":
      return createWebchatAdapter({
        settings: entry,
        sessionSecret: webchatSecretOf(env),
        ...(env.CUSTOMER_TOKEN_SECRET ? { customerTokenSecret: env.CUSTOMER_TOKEN_SECRET } : {}),
      });
    case "twilio_sms":
    case "twilio_whatsapp": {
      const { createTwilioAdapter } = await import("../../channels/twilio/index.js");
      return createTwilioAdapter(entry, { env: context.rawEnv, logger: context.logger, now: context.now });
    }
    case "whatsapp_web": {
      const { createWhatsAppWebAdapter } = await import("../../channels/whatsapp-web/index.js");
      return createWhatsAppWebAdapter(entry, { env: context.rawEnv, logger: context.logger });
    }
    case "botframework": {
      const { createBotFrameworkAdapter } = await import("../../channels/botframework/index.js");
      return createBotFrameworkAdapter(entry, { env: context.rawEnv, logger: context.logger, now: context.now });
    }
    default: {
      // Every kind has a case; a kind added to the model without one stops start-up clearly.
      const kind: string = entry.kind;
      throw new ConfigError(`channel "${entry.id}": kind ${kind} is not available in this build.`);
    }
  }
}

/** The web chat signing secret: WEBCHAT_SECRET, or one generated once under the data directory. */
export function webchatSecretOf(env: Env): string {
  return env.WEBCHAT_SECRET ?? persistentSecret(resolve(env.DATA_DIR), "webchat-secret");
}
