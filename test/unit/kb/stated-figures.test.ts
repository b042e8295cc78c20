import { describe, expect, it } from "vitest";
import { isCustomerSpecific, sanitizeResponse, statedFigures } from "../../../src/kb/templates.js";

const FREE_OVER_50 = "Shipping is free on orders over $50.";
const OTHER = "Standard delivery takes 3-5 business days.";

function responses(withFigure: number, total: number, sentence = FREE_OVER_50): string[] {
  return Array.from({ length: total }, (_, index) => (index < withFigure ? `${OTHER} ${sentence}` : OTHER));
}

describe("amounts the agents state as policy", () => {
  it("needs at least 3 tickets and a fifth of the category's responses", () => {
    expect(statedFigures(responses(2, 2), new Set())).toEqual([]);
    expect(statedFigures(responses(3, 20), new Set())).toEqual([]);
    expect(statedFigures(responses(4, 20), new Set())).toEqual([{ amount: "$50", tickets: 4, share: 0.2 }]);
    expect(statedFigures(responses(3, 5), new Set())).toEqual([{ amount: "$50", tickets: 3, share: 0.6 }]);
  });

  it("counts a ticket once and leaves out documented amounts", () => {
    const twice = Array.from({ length: 4 }, () => `${FREE_OVER_50} Again: free over $50.`);
    expect(statedFigures(twice, new Set())).toEqual([{ amount: "$50", tickets: 4, share: 1 }]);
    expect(statedFigures(twice, new Set(["50.00"]))).toEqual([]);
  });

  it("never learns an amount from a refund, credit or waiver sentence, or one with an order number or date", () => {
    expect(statedFigures(responses(6, 6, "I've refunded the $5 fee to your card."), new Set())).toEqual([]);
    expect(statedFigures(responses(6, 6, "We waived $5 as a courtesy."), new Set())).toEqual([]);
    expect(statedFigures(responses(6, 6, "Order 99887766 came to $50."), new Set())).toEqual([]);
    expect(statedFigures(responses(6, 6, "Pay by credit card; orders over $50 ship free."), new Set())).toHaveLength(1);
  });

  it("keeps a stated amount in a template sentence, but never in a refund sentence, and never a one-off amount", () => {
    const allowed = { documented: new Set<string>(), stated: new Set(["50.00"]) };
    expect(isCustomerSpecific(FREE_OVER_50, allowed)).toBe(false);
    expect(isCustomerSpecific("We've refunded $50 to your card.", allowed)).toBe(true);
    expect(isCustomerSpecific("Your total was $23.17.", allowed)).toBe(true);
    expect(sanitizeResponse(`Hi Sam, ${FREE_OVER_50} I've refunded $23.17 to your card.`, allowed).text).toBe(`Hi, ${FREE_OVER_50}`);
    // A documented amount stays allowed in any sentence, as before.
    expect(isCustomerSpecific("We refund the $7 fee when the payment failed on our side.", { documented: new Set(["7.00"]) })).toBe(false);
  });
});
