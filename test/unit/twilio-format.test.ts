import { describe, expect, it } from "vitest";
import { countSegments, isGsm7 } from "../../channels/twilio/format/segments.js";
import { splitForSending, TWILIO_BODY_LIMIT } from "../../channels/twilio/format/split.js";

describe("SMS segments", () => {
  it("counts plain GSM-7 text: 160 septets in one segment, 153 per part after that", () => {
    expect(countSegments("a".repeat(160))).toEqual({ encoding: "GSM-7", segments: 1, units: 160 });
    expect(countSegments("a".repeat(161))).toEqual({ encoding: "GSM-7", segments: 2, units: 161 });
    expect(countSegments("a".repeat(306)).segments).toBe(2);
    expect(countSegments("a".repeat(307)).segments).toBe(3);
  });

  it("counts GSM-7 extension characters as two septets and never splits an escape pair", () => {
    expect(isGsm7("Price: 10€ [approx] {ok} ~ | ^ \\")).toBe(true);
    expect(countSegments("€".repeat(80))).toEqual({ encoding: "GSM-7", segments: 1, units: 160 });
    expect(countSegments("€".repeat(81)).segments).toBe(2);
    // 152 plain septets then an extension char: it does not fit the 153-septet part, so it moves on.
    const text = `${"a".repeat(152)}€${"a".repeat(152)}`;
    expect(countSegments(text)).toEqual({ encoding: "GSM-7", segments: 3, units: 306 });
  });

  it("keeps accented letters of the GSM alphabet in GSM-7 but sends other scripts as UCS-2", () => {
    expect(countSegments("Hallå, äöü ñ é à ÇØ").encoding).toBe("GSM-7");
    expect(countSegments("Ça coûte 10 €").encoding).toBe("UCS-2"); // û is not in GSM 03.38
    expect(countSegments("Привет").encoding).toBe("UCS-2");
  });

  it("counts UCS-2 in UTF-16 units: an emoji takes two and is never split", () => {
    expect(countSegments("😀".repeat(35))).toEqual({ encoding: "UCS-2", segments: 1, units: 70 });
    expect(countSegments(`${"😀".repeat(35)}a`).segments).toBe(2);
    // 134 units would fill two parts of 67, but the emoji at units 67-68 may not straddle them: three.
    expect(countSegments(`${"я".repeat(66)}😀${"я".repeat(66)}`)).toEqual({ encoding: "UCS-2", segments: 3, units: 134 });
    expect(countSegments(`Thanks 👍`).encoding).toBe("UCS-2");
  });
});

describe("splitting long replies", () => {
  it("keeps a reply within the limit in one part", () => {
    expect(splitForSending("Your next payment is $42.50 on 3 March.")).toEqual(["Your next payment is $42.50 on 3 March."]);
    expect(splitForSending("   ")).toEqual([]);
  });

  it("splits at sentence boundaries within 1,600 characters and keeps every word in order", () => {
    const sentences = Array.from({ length: 60 }, (_, index) => `Sentence number ${index + 1} explains one more detail of your plan.`);
    const text = sentences.join(" ");
    const parts = splitForSending(text);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(TWILIO_BODY_LIMIT);
      expect(part.endsWith(".")).toBe(true);
      expect(part.startsWith("Sentence number")).toBe(true);
    }
    expect(parts.join(" ")).toBe(text);
  });

  it("falls back to words for a sentence longer than a part, and to characters for a giant word", () => {
    const longSentence = `${"word ".repeat(500)}end.`;
    const parts = splitForSending(longSentence, 100);
    expect(parts.every((part) => part.length <= 100)).toBe(true);
    expect(parts.join(" ").replace(/\s+/g, " ")).toBe(longSentence.replace(/\s+/g, " "));
    const giant = "x".repeat(250);
    expect(splitForSending(giant, 100)).toEqual(["x".repeat(100), "x".repeat(100), "x".repeat(50)]);
  });

  it("never cuts an emoji in half", () => {
    const parts = splitForSending("😀".repeat(120), 101);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(101);
      expect([...part].every((char) => char === "😀")).toBe(true);
    }
    expect(parts.join("")).toBe("😀".repeat(120));
  });
});
