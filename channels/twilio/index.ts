/** The Twilio channel (SMS and WhatsApp over Twilio Messaging). */
export { TwilioChannelAdapter, createTwilioAdapter, type TwilioAdapterDeps, type TwilioClientFactoryInput } from "./adapter.js";
export {
  TwilioChannelSettings,
  WhatsAppTemplate,
  SmsCompliance,
  loadTwilioChannelConfig,
  type TwilioChannelConfig,
  type TwilioCredentials,
} from "./config.js";
export { TwilioHttpClient, TwilioRetryAfterException } from "./api/http-client.js";
export { countSegments, isGsm7, type SegmentInfo, type SmsEncoding } from "./format/segments.js";
export { splitForSending, TWILIO_BODY_LIMIT } from "./format/split.js";
export { classifyKeyword, type ComplianceKeyword } from "./compliance.js";
export { verifyTwilioSignature, signedUrlOf } from "./webhook/verify.js";
export { webhookPaths, EMPTY_TWIML } from "./webhook/routes.js";
export { isTwilioMediaUrl } from "./media.js";
