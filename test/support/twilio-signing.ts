/**
 * Webhook requests signed exactly as Twilio signs them: HMAC-SHA1 of the URL Twilio called plus the
 * sorted form parameters, computed by the official SDK's own helper.
 */
import twilio from "twilio";

export interface SignedForm {
  payload: string;
  headers: Record<string, string>;
}

export function signedTwilioForm(authToken: string, signedUrl: string, params: Record<string, string>): SignedForm {
  return {
    payload: new URLSearchParams(params).toString(),
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-twilio-signature": twilio.getExpectedTwilioSignature(authToken, signedUrl, params),
      "i-twilio-idempotency-token": crypto.randomUUID(),
    },
  };
}

let counter = 0;
/** A Twilio-looking SID that differs on every call (prefix + 32 hex digits). */
export function sid(prefix: string): string {
  counter += 1;
  return `${prefix}${counter.toString(16).padStart(8, "0")}${crypto.randomUUID().replace(/-/g, "").slice(0, 24)}`;
}

export function smsParams(options: { from: string; to: string; body: string; messageSid?: string; accountSid: string; extra?: Record<string, string> }): Record<string, string> {
  const messageSid = options.messageSid ?? sid("SM");
  return {
    ToCountry: "US", ToState: "CA", SmsMessageSid: messageSid, NumMedia: "0", ToCity: "", FromZip: "", SmsSid: messageSid,
    FromState: "NY", SmsStatus: "received", FromCity: "", Body: options.body, FromCountry: "US", To: options.to,
    ToZip: "", NumSegments: "1", MessageSid: messageSid, AccountSid: options.accountSid, From: options.from, ApiVersion: "2010-04-01",
    ...options.extra,
  };
}

export function whatsappParams(options: {
  from: string; to: string; body: string; profileName?: string; messageSid?: string; accountSid: string; media?: Array<{ url: string; contentType: string }>;
}): Record<string, string> {
  const messageSid = options.messageSid ?? sid(options.media?.length ? "MM" : "SM");
  const params: Record<string, string> = {
    SmsMessageSid: messageSid, NumMedia: String(options.media?.length ?? 0), ProfileName: options.profileName ?? "Ada",
    MessageType: options.media?.length ? "image" : "text", SmsSid: messageSid, WaId: options.from.replace(/\D/g, ""),
    SmsStatus: "received", Body: options.body, To: options.to, NumSegments: "1", ReferralNumMedia: "0", MessageSid: messageSid,
    AccountSid: options.accountSid, From: options.from, ApiVersion: "2010-04-01",
  };
  options.media?.forEach((item, index) => {
    params[`MediaUrl${index}`] = item.url;
    params[`MediaContentType${index}`] = item.contentType;
  });
  return params;
}

export function statusParams(options: { messageSid: string; status: string; accountSid: string; from: string; to: string; errorCode?: string }): Record<string, string> {
  return {
    SmsSid: options.messageSid, SmsStatus: options.status, MessageStatus: options.status, To: options.to, MessageSid: options.messageSid,
    AccountSid: options.accountSid, From: options.from, ApiVersion: "2010-04-01",
    ...(options.errorCode ? { ErrorCode: options.errorCode } : {}),
  };
}
