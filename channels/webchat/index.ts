/** Web chat channel: the public surface the composition root (src/main.ts) uses. */
export { WebchatAdapter, createWebchatAdapter, signedCustomerTokens, webchatWebsocketOptions } from "./adapter.js";
export {
  WebchatChannelSettings,
  MAX_TEXT_CHARS,
  MAX_PAYLOAD_BYTES,
  type WebchatAdapterOptions,
  type CustomerTokenVerifier,
  type SocketTiming,
} from "./config.js";
export { signSessionToken, verifySessionToken, newVisitorId, type WebchatSession, type SessionVerification } from "./session-token.js";
export { CloseCode, type ClientFrame, type ServerFrame, type VisibleMessage, type FrameErrorCode } from "./frames.js";
