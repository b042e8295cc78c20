/**
 * Names in Redis: BullMQ job ids and the adapter's own keys and channels, all under one prefix so
 * that tests and several deployments can share a server. BullMQ uses `:` as its key separator, so
 * job ids never contain one.
 */
import { createHash } from "node:crypto";

const SAFE_SEGMENT = /^[A-Za-z0-9_-]{1,100}$/;

/**
 * A value as a job-id segment: kept as is when it is plainly safe (UUIDs), otherwise base64url behind
 * a `b64.` marker. The marker's `.` never occurs in a kept value, so two inputs never share a segment.
 */
export function idSegment(value: string): string {
  return SAFE_SEGMENT.test(value) ? value : `b64.${Buffer.from(value, "utf8").toString("base64url")}`;
}

/** One job per (conversation, inbound seq): seq is last and numeric, so the id parses unambiguously. */
export function turnJobId(conversationId: string, seq: number): string {
  return `turn-${idSegment(conversationId)}-${seq}`;
}

export function sendJobId(messageId: string): string {
  return `send-${idSegment(messageId)}`;
}

export function taskJobId(dedupeKey: string): string {
  return `task-${idSegment(dedupeKey)}`;
}

/** Caller-chosen keys (rate-limit keys, once keys) are used as given unless very long. */
function boundedKey(key: string): string {
  return key.length <= 200 ? key : `sha256.${createHash("sha256").update(key).digest("hex")}`;
}

export function adapterKeys(prefix: string) {
  return {
    turnLock: (conversationId: string) => `${prefix}:lock:turn:${idSegment(conversationId)}`,
    /** Set once `sendFailed` was reported for a job, so a re-run (lost job lock) does not report again. */
    sendFailureReported: (jobId: string) => `${prefix}:send-failed:${jobId}`,
    rateBucket: (key: string) => `${prefix}:rate:${boundedKey(key)}`,
    once: (key: string) => `${prefix}:once:${boundedKey(key)}`,
    busChannel: (topic: string) => `${prefix}:bus:${topic}`,
  };
}

export type AdapterKeys = ReturnType<typeof adapterKeys>;
