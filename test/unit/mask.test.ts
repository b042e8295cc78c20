import { describe, expect, it } from "vitest";
import { maskDeep, maskPhoneNumber, maskSensitiveText } from "../../src/privacy/mask.js";

describe("masking", () => {
  it("keeps only the last four digits of a card number", () => {
    const text = maskSensitiveText("my card is 4111 1111 1111 1111 thanks");
    expect(text).not.toContain("4111 1111 1111 1111");
    expect(text).toContain("1111]");
    expect(maskSensitiveText("card 4242-4242-4242-4242")).toBe("card [card ending 4242]");
    // A digit group next to the card makes the whole run fail Luhn; the card inside is still masked.
    expect(maskSensitiveText("item 1 4111 1111 1111 1111 word")).toBe("item 1 [card ending 1111] word");
    expect(maskSensitiveText("4111 1111 1111 1111 2")).toBe("[card ending 1111] 2");
  });

  it("leaves digit runs that are not card numbers (order numbers) alone", () => {
    expect(maskSensitiveText("order 48213 and 1234567890123")).toContain("48213");
  });

  it("masks the middle digits of phone numbers", () => {
    expect(maskPhoneNumber("+15551234567")).toBe("+1555***4567");
    expect(maskSensitiveText("call me at +44 7700 900123")).not.toContain("7700 900123");
    expect(maskSensitiveText("whatsapp:+15551234567")).toBe("whatsapp:+1555***4567");
  });

  it("masks national and bare phone numbers too, but not order numbers", () => {
    expect(maskSensitiveText("call 4155550101 now")).toBe("call 4155**0101 now");
    expect(maskSensitiveText("uk 07700 900123")).not.toContain("900123");
    expect(maskSensitiveText("order 48213, plan P-1001")).toBe("order 48213, plan P-1001");
  });

  it("masks card security codes, PINs and common API keys", () => {
    expect(maskSensitiveText("my cvv 123")).toBe("my cvv [redacted]");
    expect(maskSensitiveText("pin 4821 please")).toBe("pin [redacted] please");
    expect(maskSensitiveText("sk_live_abcdefghijklmnop")).toBe("[redacted-key]");
    expect(maskSensitiveText("ghp_abcdefghijklmnopqrstuvwxyz0123456789")).toBe("[redacted-key]");
  });

  it("masks e-mail addresses and secrets", () => {
    expect(maskSensitiveText("mail jane.doe@example.com")).toBe("mail j***@example.com");
    expect(maskSensitiveText("Authorization: Bearer abcdefghijklmnop")).not.toContain("abcdefghijklmnop");
    expect(maskSensitiveText("my password is hunter22")).toBe("my password is [redacted]");
    expect(maskSensitiveText("key sk-proj-ABCDEFGHIJKLMNOPQRSTUV")).not.toContain("ABCDEFGHIJ");
    expect(maskSensitiveText("xoxb-123456789-abcdefgh")).toBe("[redacted-slack-token]");
  });

  it("replaces values under secret-looking keys in objects", () => {
    const masked = maskDeep({ authToken: "abc", nested: { phone: "+15551234567" }, list: ["4111111111111111"] });
    expect(masked).toEqual({ authToken: "[redacted]", nested: { phone: "+1555***4567" }, list: ["[card ending 1111]"] });
  });
});
