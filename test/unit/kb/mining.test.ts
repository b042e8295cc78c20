import { describe, expect, it } from "vitest";
import { mineSignals, type MiningTicket } from "../../../src/kb/mining.js";

const CATEGORIES = ["billing", "delivery", "returns", "login"];

/** Answered questions in every category: the base rate stays low and their words are not escalation-prone. */
function background(count: number): MiningTicket[] {
  return Array.from({ length: count }, (_, index) => ({
    message: `quick question number ${index} about tracking parcel status`,
    escalated: false,
    category: CATEGORIES[index % CATEGORIES.length] as string,
  }));
}

function escalated(message: string, categories: readonly string[], count: number): MiningTicket[] {
  return Array.from({ length: count }, (_, index) => ({ message, escalated: true, category: categories[index % categories.length] as string }));
}

const phrases = (list: ReadonlyArray<{ phrase: string }>) => list.map((item) => item.phrase);

describe("mining human triggers and frustration phrases", () => {
  const tickets: MiningTicket[] = [
    ...background(120),
    // "account" and "never" are in every escalated ticket of two categories, and in no answered one.
    ...escalated("my account supervisor escalation needed", ["billing", "delivery"], 20),
    ...escalated("account never refunded, ridiculous", ["billing", "returns"], 20),
    // A phrase escalated a few times inside one topic only: that topic's vocabulary, not a trigger.
    ...escalated("warranty voucher", ["returns"], 20),
  ];
  const signals = mineSignals(tickets);

  it("learns a real trigger escalated in several categories", () => {
    expect(phrases(signals.humanTriggers)).toContain("supervisor");
    expect(phrases(signals.frustrationPhrases)).toContain("ridiculous");
  });

  it("never learns a single everyday word, however escalation-prone", () => {
    const all = [...phrases(signals.humanTriggers), ...phrases(signals.frustrationPhrases)];
    expect(all).not.toContain("account");
    expect(all).not.toContain("never");
    expect(all).not.toContain("account never");
  });

  it("needs two categories' escalations, or far more support, for a phrase of one topic", () => {
    expect(phrases(signals.humanTriggers)).not.toContain("warranty");
    const frequent = mineSignals([...background(120), ...escalated("warranty voucher", ["returns"], 40)]);
    expect(phrases(frequent.humanTriggers)).toContain("warranty");
  });
});
