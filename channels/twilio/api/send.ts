/**
 * One outbound message through `client.messages.create`: the body split into parts Twilio accepts,
 * sent in order and paced by the sender's rate limit, or one WhatsApp template. Every failure leaves
 * here as a `DeliveryFailedError` (transient: the queue retries; permanent: shown to the agent).
 */
import type { Logger } from "pino";
import type twilio from "twilio";
import type { MessageListInstanceCreateOptions } from "twilio/lib/rest/api/v2010/account/message.js";
import { DeliveryFailedError } from "../../../src/errors.js";
import type { RateLimiter } from "../../../src/ports/work-queue.js";
import { countSegments, type SmsEncoding } from "../format/segments.js";
import { splitForSending, TWILIO_BODY_LIMIT } from "../format/split.js";
import { toDeliveryFailure } from "./errors.js";

/** The part of the official client we use; `twilio(sid, token, opts)` returns one. */
export type TwilioMessagesClient = Pick<twilio.Twilio, "messages">;

export interface Sender {
  from?: string;
  messagingServiceSid?: string;
}

export interface PartPacing {
  rateLimiter: RateLimiter;
  key: string;
  limit: { perSecond: number; burst?: number };
  sleep: (ms: number) => Promise<void>;
}

export interface TextSendRequest {
  to: string;
  sender: Sender;
  text: string;
  mediaUrls: string[];
  /** MMS carries up to 10 media per message; WhatsApp one, so further media go as messages of their own. */
  mediaPerMessage: number;
  statusCallback?: string;
  /** SIDs of the first parts, accepted by Twilio on an earlier attempt: those parts are not sent again. */
  acceptedSids?: readonly string[];
  /** Called with every SID so far after each part Twilio accepts, so a retry can resume after it. */
  onPartAccepted?: (sids: string[]) => Promise<void>;
}

export interface TextSendResult {
  sids: string[];
  parts: number;
  segments: number;
  encoding: SmsEncoding;
}

/** A later part that fails transiently is retried here a few times before the whole send is retried. */
const PART_RETRIES = 3;
const MAX_PART_RETRY_DELAY_MS = 10_000;

function baseParams(request: { to: string; sender: Sender; statusCallback?: string }): MessageListInstanceCreateOptions {
  return {
    to: request.to,
    ...(request.sender.messagingServiceSid !== undefined
      ? { messagingServiceSid: request.sender.messagingServiceSid }
      : { from: request.sender.from }),
    ...(request.statusCallback !== undefined ? { statusCallback: request.statusCallback } : {}),
  };
}

export async function sendText(
  client: TwilioMessagesClient,
  request: TextSendRequest,
  pacing: PartPacing,
  logger: Logger,
): Promise<TextSendResult> {
  const parts = splitForSending(request.text, TWILIO_BODY_LIMIT);
  if (parts.length === 0 && request.mediaUrls.length === 0) {
    throw new DeliveryFailedError("empty_message", "The message has no text and no attachment; there is nothing to send.", { permanent: true });
  }
  // Media rides on the first part, so the picture arrives with the start of the text; media beyond what
  // one message may carry follow as messages of their own.
  const mediaGroups: string[][] = [];
  for (let start = 0; start < request.mediaUrls.length; start += request.mediaPerMessage) {
    mediaGroups.push(request.mediaUrls.slice(start, start + request.mediaPerMessage));
  }
  const messages: Array<{ body: string; media: string[] }> = (parts.length === 0 ? [""] : parts).map((body, index) => ({ body, media: index === 0 ? (mediaGroups[0] ?? []) : [] }));
  for (const media of mediaGroups.slice(1)) messages.push({ body: "", media });

  const sids = (request.acceptedSids ?? []).slice(0, messages.length);
  const resumeAt = sids.length;
  if (resumeAt > 0) logger.info({ accepted: resumeAt, total: messages.length }, "resuming a split message after the parts Twilio already accepted");
  for (const [index, { body, media }] of messages.entries()) {
    if (index < resumeAt) continue;
    // The send worker's token paid for the first part sent on this attempt; later parts take their own.
    if (index > resumeAt) await waitForToken(pacing);
    const params: MessageListInstanceCreateOptions = {
      ...baseParams(request),
      ...(body !== "" ? { body } : {}),
      ...(media.length > 0 ? { mediaUrl: media } : {}),
    };
    const created = index === 0 ? await createOnce(client, params) : await createWithRetries(client, params, pacing, index, messages.length, logger);
    sids.push(created.sid);
    if (messages.length > 1) await request.onPartAccepted?.([...sids]);
  }
  return { sids, parts: messages.length, ...segmentsOf(messages.map((message) => message.body)) };
}

function segmentsOf(bodies: readonly string[]): { segments: number; encoding: SmsEncoding } {
  let segments = 0;
  let encoding: SmsEncoding = "GSM-7";
  for (const body of bodies.filter((text) => text !== "")) {
    const info = countSegments(body);
    segments += info.segments;
    if (info.encoding === "UCS-2") encoding = "UCS-2";
  }
  return { segments, encoding };
}

export interface TemplateSendRequest {
  to: string;
  sender: Sender;
  contentSid: string;
  contentVariables: Record<string, string>;
  statusCallback?: string;
}

export async function sendTemplate(client: TwilioMessagesClient, request: TemplateSendRequest): Promise<string> {
  const created = await createOnce(client, {
    ...baseParams(request),
    contentSid: request.contentSid,
    contentVariables: JSON.stringify(request.contentVariables),
  });
  return created.sid;
}

async function createOnce(client: TwilioMessagesClient, params: MessageListInstanceCreateOptions): Promise<{ sid: string }> {
  try {
    const created = await client.messages.create(params);
    if (typeof created.sid !== "string" || created.sid === "") {
      throw new DeliveryFailedError("twilio_no_sid", "Twilio accepted the message but returned no message SID.", { permanent: false });
    }
    return created;
  } catch (error) {
    throw toDeliveryFailure(error);
  }
}

async function createWithRetries(
  client: TwilioMessagesClient,
  params: MessageListInstanceCreateOptions,
  pacing: PartPacing,
  index: number,
  total: number,
  logger: Logger,
): Promise<{ sid: string }> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await createOnce(client, params);
    } catch (error) {
      const failure = toDeliveryFailure(error);
      if (failure.permanent || attempt > PART_RETRIES) {
        throw new DeliveryFailedError(
          failure.providerCode,
          `Part ${index + 1} of ${total} could not be sent (the earlier parts went out and are not sent again): ${failure.message}`,
          { permanent: failure.permanent, cause: failure, ...(failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {}) },
        );
      }
      const delay = Math.min(failure.retryAfterMs ?? 250 * 2 ** attempt, MAX_PART_RETRY_DELAY_MS);
      logger.warn({ part: index + 1, total, attempt, delayMs: delay, code: failure.providerCode }, "retrying a part of a split message");
      await pacing.sleep(delay);
    }
  }
}

/** Parts after the first take their own token: a split message must not break the sender's rate. */
async function waitForToken(pacing: PartPacing): Promise<void> {
  for (;;) {
    const taken = await pacing.rateLimiter.take(pacing.key, pacing.limit);
    if (taken.allowed) return;
    await pacing.sleep(Math.max(taken.retryAfterMs, 10));
  }
}
