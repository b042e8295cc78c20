import { describe, expect, it } from "vitest";
import { checkMediaToken, signMediaToken } from "../../src/media/signed-token.js";
import { isAllowedMediaType, mediaRefusal, safeFileName } from "../../src/media/policy.js";

const SECRET = "media-test-secret-0123456789abcdefghij";
const ID = "abcdefghijklmnopqrstuvwx";
const now = new Date("2026-03-01T12:00:00Z");
const later = new Date(now.getTime() + 24 * 3_600_000);

describe("media tokens", () => {
  it("opens its own file until it expires, then says expired", () => {
    const token = signMediaToken(SECRET, ID, later);
    expect(checkMediaToken(SECRET, token, now)).toEqual({ kind: "valid", id: ID });
    expect(checkMediaToken(SECRET, token, later)).toEqual({ kind: "expired", id: ID });
  });

  it("calls every altered, foreign or malformed token forged", () => {
    const token = signMediaToken(SECRET, ID, later);
    const [id, expiry, signature] = token.split(".") as [string, string, string];
    const forged = [
      `${id}.${Number(expiry) + 86_400}.${signature}`, // a longer life
      `${"b".repeat(24)}.${expiry}.${signature}`, // another file
      `${id}.${expiry}.${signature.slice(0, -1)}${signature.endsWith("A") ? "B" : "A"}`,
      signMediaToken("another-secret-0123456789abcdefghij", ID, later),
      `${token}.extra`,
      "",
      "../../secrets/media-secret",
      `${id}.${expiry}`,
    ];
    for (const candidate of forged) expect(checkMediaToken(SECRET, candidate, now), candidate).toEqual({ kind: "forged" });
  });

  it("refuses to sign an id that is not one of ours", () => {
    expect(() => signMediaToken(SECRET, "../x", later)).toThrow();
  });
});

describe("media policy", () => {
  it("carries images, PDF, audio and video only, never SVG", () => {
    for (const type of ["image/png", "image/jpeg; charset=binary", "application/pdf", "audio/ogg", "video/mp4", "IMAGE/GIF"]) expect(isAllowedMediaType(type), type).toBe(true);
    for (const type of ["image/svg+xml", "text/html", "application/zip", "text/vcard", "application/octet-stream", ""]) expect(isAllowedMediaType(type), type).toBe(false);
  });

  it("says why a file is refused: its type, or its size over the cap", () => {
    expect(mediaRefusal("image/png", 1_000)).toBeUndefined();
    expect(mediaRefusal("image/png", 6 * 1024 * 1024)).toBe("6 MB is over the 5 MB limit");
    expect(mediaRefusal("application/zip", 10)).toMatch(/application\/zip is not a type we carry/);
  });

  it("keeps file names safe for headers and Slack", () => {
    expect(safeFileName('bad"name\r\n.png', "image/png", "file-1")).toBe("bad_name_.png");
    expect(safeFileName(undefined, "image/jpeg", "customer-2")).toBe("customer-2.jpg");
    expect(safeFileName("../../etc/passwd", "application/pdf", "x")).toBe("_.._etc_passwd");
  });
});
