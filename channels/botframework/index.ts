/** The Microsoft Bot Framework channel (Teams, Web Chat, the Emulator) on botbuilder's CloudAdapter. */
export { BotFrameworkChannelAdapter, createBotFrameworkAdapter, type BotFrameworkAdapterDeps } from "./adapter.js";
export {
  BotFrameworkChannelSettings,
  loadBotFrameworkChannelConfig,
  serviceUrlAllowed,
  type BotAppType,
  type BotFrameworkAuth,
  type BotFrameworkChannelConfig,
} from "./config.js";
export { createCloudAdapter, SwitchboardCloudAdapter, type BotAuthOverrides } from "./cloud-adapter.js";
export { parseActivity, MAX_TEXT_CHARS, type ParsedActivity } from "./inbound/parse.js";
export { ACTIVITY_BODY_LIMIT, messagesPath } from "./inbound/routes.js";
export { outboundActivity } from "./outbound/activity.js";
export { toDeliveryFailure } from "./outbound/errors.js";
export { customerAddressOf, latestReference, referenceOf, StoredReference } from "./reference.js";
