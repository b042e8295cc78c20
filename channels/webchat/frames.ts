/**
 * The web chat protocol's frames (JSON over WebSocket; PROTOCOL.md documents them). Client frames are
 * parsed here into a tagged result, never thrown: every way a frame can be wrong has a stable error code
 * the widget (and a test) can act on.
 */
import { z } from "zod";
import type { ConversationState } from "../../src/domain/model.js";
import { MAX_FRAME_BYTES, MAX_TEXT_CHARS } from "./config.js";

/** Client-generated ids: the dedupe key of a message (a resend after reconnect is the same message). */
const ClientId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "must be 8-64 characters of A-Z, a-z, 0-9, _ or -");
const Seq = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const AuthFrame = z.strictObject({ type: z.literal("auth"), token: z.string().min(1).max(2_048) });
export const MessageFrame = z.strictObject({
  type: z.literal("message"),
  id: ClientId,
  // Length is checked separately (code points, with its own error code); this only bounds the parse.
  text: z.string(),
  /** `human`: the "Talk to a human" button; the routing rules escalate on it in every state. */
  intent: z.literal("human").optional(),
});
export const TypingFrame = z.strictObject({ type: z.literal("typing"), on: z.boolean() });
export const HistoryFrame = z.strictObject({
  type: z.literal("history"),
  afterSeq: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  limit: z.number().int().min(1).max(200).optional(),
});
export const AckFrame = z.strictObject({ type: z.literal("ack"), seq: Seq });
/** A quick-reply button (CSAT 1-5 and others): `value` must be one the message at `forSeq` offered. */
export const ActionFrame = z.strictObject({
  type: z.literal("action"),
  id: ClientId,
  forSeq: Seq,
  value: z.string().min(1).max(100),
});

const SCHEMAS = {
  auth: AuthFrame,
  message: MessageFrame,
  typing: TypingFrame,
  history: HistoryFrame,
  ack: AckFrame,
  action: ActionFrame,
} as const;

export type ClientFrameType = keyof typeof SCHEMAS;
export type AuthFrame = z.infer<typeof AuthFrame>;
export type MessageFrame = z.infer<typeof MessageFrame>;
export type TypingFrame = z.infer<typeof TypingFrame>;
export type HistoryFrame = z.infer<typeof HistoryFrame>;
export type AckFrame = z.infer<typeof AckFrame>;
export type ActionFrame = z.infer<typeof ActionFrame>;
export type ClientFrame = AuthFrame | MessageFrame | TypingFrame | HistoryFrame | AckFrame | ActionFrame;

export type FrameErrorCode =
  | "malformed_json"
  | "invalid_frame"
  | "unknown_frame_type"
  | "text_too_long"
  | "text_empty"
  | "binary_not_supported"
  | "frame_too_large"
  | "rate_limited"
  | "not_authenticated"
  | "already_authenticated"
  | "invalid_action"
  | "unknown_message"
  | "no_conversation"
  | "unavailable";

export interface FrameError {
  code: FrameErrorCode;
  message: string;
  /** The client id of the frame it answers, when the frame had one. */
  id?: string;
}

export type ParsedFrame = { ok: true; frame: ClientFrame } | { ok: false; error: FrameError };

/** Characters as a person counts them (code points), the same rule as the widget's counter. */
export function countChars(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

function idOf(raw: Record<string, unknown>): { id?: string } {
  return typeof raw.id === "string" && ClientId.safeParse(raw.id).success ? { id: raw.id } : {};
}

export function parseClientFrame(data: Buffer | string, isBinary: boolean): ParsedFrame {
  if (isBinary) return { ok: false, error: { code: "binary_not_supported", message: "send JSON text frames, not binary frames" } };
  const size = typeof data === "string" ? Buffer.byteLength(data) : data.length;
  if (size > MAX_FRAME_BYTES) {
    return { ok: false, error: { code: "frame_too_large", message: `frames are limited to ${MAX_FRAME_BYTES} bytes` } };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(typeof data === "string" ? data : data.toString("utf8"));
  } catch {
    return { ok: false, error: { code: "malformed_json", message: "the frame is not valid JSON" } };
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    return { ok: false, error: { code: "invalid_frame", message: "a frame is a JSON object with a \"type\"" } };
  }
  const record = raw as Record<string, unknown>;
  if (typeof record.type !== "string") {
    return { ok: false, error: { code: "invalid_frame", message: "a frame is a JSON object with a \"type\"", ...idOf(record) } };
  }
  if (!Object.hasOwn(SCHEMAS, record.type)) {
    return {
      ok: false,
      error: { code: "unknown_frame_type", message: `unknown frame type "${record.type.slice(0, 40)}"`, ...idOf(record) },
    };
  }
  const parsed = SCHEMAS[record.type as ClientFrameType].safeParse(record);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join(".") || "frame"}: ${issue.message}`)
      .join("; ");
    return { ok: false, error: { code: "invalid_frame", message: `invalid ${record.type} frame (${problems})`, ...idOf(record) } };
  }
  const frame = parsed.data;
  if (frame.type === "message") {
    if (frame.text.trim() === "") return { ok: false, error: { code: "text_empty", message: "the message is empty", id: frame.id } };
    const chars = countChars(frame.text);
    if (chars > MAX_TEXT_CHARS) {
      return {
        ok: false,
        error: { code: "text_too_long", message: `messages are limited to ${MAX_TEXT_CHARS} characters (got ${chars})`, id: frame.id },
      };
    }
  }
  return { ok: true, frame };
}

/** A message as the customer sees it: no internal fields, dates as ISO strings. */
export interface VisibleMessage {
  id: string;
  seq: number;
  author: "customer" | "ai" | "agent" | "system";
  /** The name shown with the message (the assistant's label, the agent's first name). */
  authorName?: string;
  text: string;
  /** Quick replies offered with this message (CSAT 1-5...). */
  actions?: Array<{ label: string; value: string }>;
  /** For the customer's own messages: the client id it was sent with. */
  clientId?: string;
  createdAt: string;
}

export type ServerFrame =
  | {
      type: "ready";
      conversationId: string | null;
      state: ConversationState;
      verified: boolean;
      history: VisibleMessage[];
      /** Older messages exist than the ones in `history`. */
      hasMore: boolean;
      maxTextChars: number;
    }
  | { type: "message"; message: VisibleMessage }
  | { type: "receipt"; id: string; seq: number; conversationId: string; duplicate: boolean }
  | { type: "typing"; on: boolean; author: "ai" | "agent"; name?: string }
  | { type: "state"; state: ConversationState; agentName?: string }
  | { type: "history"; messages: VisibleMessage[]; hasMore: boolean }
  | ({ type: "error"; retryAfterMs?: number } & FrameError);

/** WebSocket close codes the server uses (PROTOCOL.md). */
export const CloseCode = {
  goingAway: 1001,
  policyViolation: 1008,
  tooBig: 1009,
  internalError: 1011,
  /** The session token is missing, forged, expired or for another channel: get a new one, reconnect. */
  unauthorized: 4401,
  /** Too many sockets for one session. */
  tooManySockets: 4429,
} as const;
