import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { newVisitorId, signSessionToken, verifySessionToken, type WebchatSession } from "../../channels/webchat/session-token.js";
import { maskSensitiveText } from "../../src/privacy/mask.js";

const SECRET = "s".repeat(40);
const NOW = new Date("2030-01-01T12:00:00Z");

function session(overrides: Partial<WebchatSession> = {}): WebchatSession {
  return {
    visitorId: "wv_visitor1",
    channelId: "webchat",
    issuedAt: NOW,
    expiresAt: new Date(NOW.getTime() + 60 * 60_000),
    ...overrides,
  };
}

describe("web chat session tokens", () => {
  it("round-trips the visitor, channel, expiry and verified customer", () => {
    const token = signSessionToken(session({ customerId: "C-1001" }), SECRET);
    expect(token).toMatch(/^sbw1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const verified = verifySessionToken(token, SECRET, "webchat", NOW);
    expect(verified).toEqual({
      ok: true,
      session: { visitorId: "wv_visitor1", channelId: "webchat", customerId: "C-1001", issuedAt: NOW, expiresAt: new Date(NOW.getTime() + 3_600_000) },
    });
  });

  it("refuses an expired token but says whose it was (for resume decisions)", () => {
    const token = signSessionToken(session(), SECRET);
    const later = new Date(NOW.getTime() + 60 * 60_000);
    const verified = verifySessionToken(token, SECRET, "webchat", later);
    expect(verified.ok).toBe(false);
    expect(verified).toMatchObject({ problem: "expired", session: { visitorId: "wv_visitor1" } });
  });

  it("refuses a token for another channel", () => {
    const token = signSessionToken(session({ channelId: "other-chat" }), SECRET);
    expect(verifySessionToken(token, SECRET, "webchat", NOW)).toMatchObject({ ok: false, problem: "wrong_channel" });
  });

  it("refuses forged tokens: another secret, an edited payload, an edited MAC", () => {
    const token = signSessionToken(session(), SECRET);
    expect(verifySessionToken(signSessionToken(session(), "x".repeat(40)), SECRET, "webchat", NOW)).toEqual({ ok: false, problem: "forged" });

    const [prefix, payload, mac] = token.split(".") as [string, string, string];
    const decoded = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    const edited = Buffer.from(JSON.stringify({ ...decoded, vid: "wv_someone_else" })).toString("base64url");
    expect(verifySessionToken(`${prefix}.${edited}.${mac}`, SECRET, "webchat", NOW)).toEqual({ ok: false, problem: "forged" });

    const flipped = mac.slice(0, -2) + (mac.endsWith("AA") ? "BB" : "AA");
    expect(verifySessionToken(`${prefix}.${payload}.${flipped}`, SECRET, "webchat", NOW)).toEqual({ ok: false, problem: "forged" });
    // A truncated MAC is a different length: refused without a comparison.
    expect(verifySessionToken(`${prefix}.${payload}.${mac.slice(0, 10)}`, SECRET, "webchat", NOW)).toEqual({ ok: false, problem: "forged" });
  });

  it("refuses malformed tokens of every shape without throwing", () => {
    for (const bad of [undefined, null, 42, "", "sbw1", "sbw1.a", "sbw1.a.b.c", "sbw2.abc.def", "sbw1.a+b.c", "sbw1..", "x".repeat(5_000)]) {
      expect(verifySessionToken(bad, SECRET, "webchat", NOW)).toMatchObject({ ok: false });
    }
  });

  it("refuses an authentic token whose payload is not a session", () => {
    // Signed with the right secret but not by signSessionToken: the payload schema still applies.
    const payload = Buffer.from(JSON.stringify({ vid: "", ch: "webchat", iat: 1, exp: 9_999_999_999 })).toString("base64url");
    const mac = createHmac("sha256", SECRET).update(`sbw1.${payload}`).digest("base64url");
    expect(verifySessionToken(`sbw1.${payload}.${mac}`, SECRET, "webchat", NOW)).toEqual({ ok: false, problem: "malformed" });
  });

  it("issues random, URL-safe visitor ids", () => {
    const ids = new Set(Array.from({ length: 200 }, () => newVisitorId()));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^wv_[A-Za-z0-9_-]{22}$/);
  });

  it("is masked whole by the logger's masking", () => {
    const token = signSessionToken(session(), SECRET);
    expect(maskSensitiveText(`token ${token} used`)).not.toContain(token.split(".")[2]);
  });
});
