/** WhatsApp through whatsapp-web.js (a linked device), for teams without a WhatsApp Business API account. */
export { WhatsAppWebChannelAdapter, createWhatsAppWebAdapter, type WhatsAppWebAdapterDeps } from "./adapter.js";
export { WhatsAppWebSettings, loadWhatsAppWebSettings } from "./config.js";
export {
  CHROMIUM_ARGS,
  chromiumArgs,
  createWhatsAppWebJsClient,
  sessionDirFor,
  type WhatsAppWebClient,
  type WhatsAppWebClientFactory,
  type WhatsAppWebClientOptions,
  type WhatsAppWebMessage,
  type WhatsAppWebMedia,
} from "./client.js";
export { addressFromChatId, chatIdFromAddress } from "./inbound.js";
export { adminPaths } from "./admin-routes.js";
export type { SessionState, SessionStatus } from "./session.js";
