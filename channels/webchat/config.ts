/**
 * The web chat channel's settings: its entry in the channel file (`kind: webchat`), validated with its own
 * schema, plus what the composition root passes at run time (the signing secret, the customer-token check).
 */
import { z } from "zod";

/** Customer text limit in characters (Unicode code points), the same on the widget and the server. */
export const MAX_TEXT_CHARS = 4_000;

const origin = z
  .string()
  .trim()
  .transform((value, ctx) => {
    try {
      const parsed = new URL(value);
      if ((parsed.protocol !== "http:" && parsed.protocol !== "https:") || parsed.pathname.length > 1) throw new Error();
      return parsed.origin;
    } catch {
      ctx.addIssue({ code: "custom", message: `"${value}" is not an origin like https://www.example.com (scheme, host, optional port; no path)` });
      return z.NEVER;
    }
  });

const bucket = z.object({
  perSecond: z.number().positive().max(1_000),
  burst: z.number().int().positive().max(10_000),
});

export const WebchatChannelSettings = z.object({
  id: z.string().min(1),
  kind: z.literal("webchat"),
  /**
   * Pages allowed to open sessions and sockets (checked against the `Origin` header). The server's own
   * `PUBLIC_URL` is always allowed. Empty or absent: any origin (the widget is public by design).
   */
  allowedOrigins: z.array(origin).max(100).default([]),
  /** Shown in the widget's header and on the demo page. */
  title: z.string().trim().min(1).max(80).default("Support"),
  /** The widget's first line, shown locally (never stored as a message). */
  greeting: z.string().trim().max(500).default("Hi! Ask us anything about your orders and payments."),
  /** How AI replies are labelled. */
  assistantName: z.string().trim().min(1).max(40).default("Assistant"),
  /** Agent replies show the agent's first name (default) or the full name the desk stored. */
  agentName: z.enum(["first", "full"]).default("first"),
  humanButtonLabel: z.string().trim().min(1).max(40).default("Talk to a human"),
  /** The visible text of the "talk to a human" message, so routing rules see it in every state. */
  humanRequestText: z.string().trim().min(1).max(200).default("I'd like to talk to a person"),
  session: z
    .object({
      /** Lifetime of a session token; the widget renews it on every page load. */
      ttlMinutes: z.number().int().min(5).max(60 * 24 * 30).default(60 * 24),
      /** An authentic but expired token still resumes its visitor (and history) within this window. */
      resumeWithinDays: z.number().int().min(0).max(365).default(30),
    })
    .prefault({}),
  rateLimit: z
    .object({
      /** Customer messages and actions per session: a burst, then one per `1 / perSecond` seconds. */
      messages: bucket.default({ perSecond: 1, burst: 8 }),
      /** Every frame (typing, history, ack...) per session. */
      frames: bucket.default({ perSecond: 10, burst: 40 }),
      /** New sessions per client IP. */
      sessions: bucket.default({ perSecond: 0.5, burst: 20 }),
      /** Refused or invalid frames on one socket before it is closed with 1008 (policy violation). */
      maxStrikes: z.number().int().min(1).max(1_000).default(10),
      /** Open sockets per session in one process (tabs of one browser). */
      maxSocketsPerSession: z.number().int().min(1).max(100).default(8),
    })
    .prefault({}),
  /** Messages sent in the `ready` frame (the newest ones); older ones come with `history` frames. */
  historyLimit: z.number().int().min(1).max(1_000).default(200),
});
export type WebchatChannelSettings = z.infer<typeof WebchatChannelSettings>;

/**
 * What the composition root knows and the channel file does not: secrets and cross-module checks.
 * Signed-in customers: pass `customerTokenSecret` (`CUSTOMER_TOKEN_SECRET`; tokens are checked with
 * `verifyCustomerToken` of src/agent/identity.ts), or another check as `verifyCustomerToken`. Neither:
 * the sessions endpoint refuses customer tokens (it never trusts an unverified customer id).
 */
export interface WebchatAdapterOptions {
  /** The channel's entry from the channel file (validated here with `WebchatChannelSettings`). */
  settings: unknown;
  /** `WEBCHAT_SECRET`: signs session tokens (HMAC-SHA256); at least 32 characters. */
  sessionSecret: string;
  customerTokenSecret?: string;
  verifyCustomerToken?: CustomerTokenVerifier;
  /** Timings (tests shorten them). */
  timing?: Partial<SocketTiming>;
}

/** Returns the verified customer id, or null when the token is invalid or expired. */
export type CustomerTokenVerifier = (token: string, now: Date) => Promise<string | null> | string | null;

export interface SocketTiming {
  /** A socket must authenticate within this time. */
  authTimeoutMs: number;
  /** Server pings; a socket that did not answer the previous ping is dropped. */
  heartbeatMs: number;
  /** Window in which strikes count towards closing a socket. */
  strikeWindowMs: number;
}

export const DEFAULT_TIMING: SocketTiming = { authTimeoutMs: 10_000, heartbeatMs: 30_000, strikeWindowMs: 60_000 };

/** Hard frame limit given to `ws` (`maxPayload`): larger frames close the socket with 1009. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;
/** Soft limit checked by the channel: larger frames get an error frame (a 4,000-character text fits). */
export const MAX_FRAME_BYTES = 32 * 1024;
