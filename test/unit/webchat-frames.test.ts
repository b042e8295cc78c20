import { describe, expect, it } from "vitest";
import { MAX_FRAME_BYTES, MAX_TEXT_CHARS } from "../../channels/webchat/config.js";
import { countChars, parseClientFrame } from "../../channels/webchat/frames.js";

const parse = (value: unknown) => parseClientFrame(typeof value === "string" ? value : JSON.stringify(value), false);
const ID = "client-0001";

describe("web chat client frames", () => {
  it("parses every client frame type", () => {
    expect(parse({ type: "auth", token: "sbw1.a.b" })).toEqual({ ok: true, frame: { type: "auth", token: "sbw1.a.b" } });
    expect(parse({ type: "message", id: ID, text: "hello" })).toEqual({ ok: true, frame: { type: "message", id: ID, text: "hello" } });
    expect(parse({ type: "message", id: ID, text: "I'd like to talk to a person", intent: "human" })).toMatchObject({ ok: true, frame: { intent: "human" } });
    expect(parse({ type: "typing", on: true })).toEqual({ ok: true, frame: { type: "typing", on: true } });
    expect(parse({ type: "history", afterSeq: 0 })).toEqual({ ok: true, frame: { type: "history", afterSeq: 0 } });
    expect(parse({ type: "ack", seq: 3 })).toEqual({ ok: true, frame: { type: "ack", seq: 3 } });
    expect(parse({ type: "action", id: ID, forSeq: 7, value: "5" })).toEqual({ ok: true, frame: { type: "action", id: ID, forSeq: 7, value: "5" } });
  });

  it("reports malformed JSON, non-objects and missing types", () => {
    expect(parse("{not json")).toMatchObject({ ok: false, error: { code: "malformed_json" } });
    expect(parse("[1,2]")).toMatchObject({ ok: false, error: { code: "invalid_frame" } });
    expect(parse("null")).toMatchObject({ ok: false, error: { code: "invalid_frame" } });
    expect(parse({ text: "hi" })).toMatchObject({ ok: false, error: { code: "invalid_frame" } });
  });

  it("reports unknown frame types, also prototype names", () => {
    expect(parse({ type: "delete_everything" })).toMatchObject({ ok: false, error: { code: "unknown_frame_type" } });
    expect(parse({ type: "constructor" })).toMatchObject({ ok: false, error: { code: "unknown_frame_type" } });
    expect(parse({ type: "__proto__" })).toMatchObject({ ok: false, error: { code: "unknown_frame_type" } });
  });

  it("reports missing and wrong fields, and extra fields (a frame cannot name a conversation)", () => {
    const missing = parse({ type: "message", id: ID });
    expect(missing).toMatchObject({ ok: false, error: { code: "invalid_frame", id: ID } });
    expect(!missing.ok && missing.error.message).toContain("text");
    expect(parse({ type: "message", id: "short", text: "x" })).toMatchObject({ ok: false, error: { code: "invalid_frame" } });
    expect(parse({ type: "ack", seq: -1 })).toMatchObject({ ok: false, error: { code: "invalid_frame" } });
    expect(parse({ type: "ack", seq: 1.5 })).toMatchObject({ ok: false, error: { code: "invalid_frame" } });
    expect(parse({ type: "typing", on: "yes" })).toMatchObject({ ok: false, error: { code: "invalid_frame" } });
    expect(parse({ type: "message", id: ID, text: "hi", conversationId: "00000000-0000-4000-8000-000000000001" })).toMatchObject({
      ok: false,
      error: { code: "invalid_frame", id: ID },
    });
    expect(parse({ type: "message", id: ID, text: "hi", intent: "refund" })).toMatchObject({ ok: false, error: { code: "invalid_frame" } });
  });

  it("limits text to 4,000 characters, counted as a person counts them", () => {
    expect(parse({ type: "message", id: ID, text: "a".repeat(MAX_TEXT_CHARS) })).toMatchObject({ ok: true });
    expect(parse({ type: "message", id: ID, text: "a".repeat(MAX_TEXT_CHARS + 1) })).toMatchObject({ ok: false, error: { code: "text_too_long", id: ID } });
    // 4,000 emoji are 8,000 UTF-16 units but 4,000 characters.
    expect(countChars("😀".repeat(MAX_TEXT_CHARS))).toBe(MAX_TEXT_CHARS);
    expect(parse({ type: "message", id: ID, text: "😀".repeat(MAX_TEXT_CHARS) })).toMatchObject({ ok: true });
    expect(parse({ type: "message", id: ID, text: "  \n\t " })).toMatchObject({ ok: false, error: { code: "text_empty" } });
  });

  it("refuses binary frames and frames over the byte limit", () => {
    expect(parseClientFrame(Buffer.from(JSON.stringify({ type: "typing", on: true })), true)).toMatchObject({ ok: false, error: { code: "binary_not_supported" } });
    const huge = JSON.stringify({ type: "message", id: ID, text: "x".repeat(MAX_FRAME_BYTES) });
    expect(parse(huge)).toMatchObject({ ok: false, error: { code: "frame_too_large" } });
    // The largest legal message, with worst-case escaping, still fits under the soft limit.
    const escaped = JSON.stringify({ type: "message", id: ID, text: "\u0001".repeat(MAX_TEXT_CHARS) });
    expect(Buffer.byteLength(escaped)).toBeLessThanOrEqual(MAX_FRAME_BYTES);
  });
});
