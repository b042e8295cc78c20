import { describe, expect, it } from "vitest";
import { IntentModel, SerializedIntentModel, trainIntentModel } from "../../../src/kb/intent-model.js";
import { seededRandom } from "../../../src/kb/softmax.js";

/** A small synthetic task: each topic has its own words; fillers are shared. */
function syntheticTask(count: number, seed: number) {
  const random = seededRandom(seed);
  const topics: Record<string, string[]> = {
    refund: ["refund", "money", "returned", "back", "reimburse"],
    delivery: ["package", "shipping", "courier", "arrive", "tracking"],
    password: ["password", "login", "reset", "locked", "sign"],
    card: ["card", "expired", "debit", "visa", "replace"],
  };
  const fillers = ["my", "the", "please", "help", "i", "need", "with", "can", "you", "how", "do"];
  const labels = Object.keys(topics);
  const pick = <T,>(items: readonly T[]) => items[Math.floor(random() * items.length)] as T;
  return Array.from({ length: count }, () => {
    const label = pick(labels);
    const text = Array.from({ length: 7 }, () => (random() < 0.45 ? pick(topics[label] as string[]) : pick(fillers))).join(" ");
    return { text, label };
  });
}

describe("intent model", () => {
  const train = syntheticTask(400, 1);
  const model = trainIntentModel(train, { escalated: train.map((example) => example.label === "refund") });

  it("learns a small synthetic task", () => {
    const test = syntheticTask(200, 2);
    const correct = test.filter((example) => model.predict(example.text).ranking[0]?.label === example.label).length;
    expect(correct / test.length).toBeGreaterThan(0.9);
    expect(model.calibration.heldOut).toBeGreaterThan(0);
    expect(model.calibration.answerAt).toBeGreaterThanOrEqual(0.15);
  });

  it("ranks every class with probabilities that sum to one", () => {
    const prediction = model.predict("my package tracking please");
    expect(prediction.ranking[0]?.label).toBe("delivery");
    expect(prediction.ranking.reduce((sum, entry) => sum + entry.probability, 0)).toBeCloseTo(1, 6);
    expect(prediction.confidence).toBe(prediction.ranking[0]?.probability);
  });

  it("learns which messages needed a person", () => {
    expect(model.predict("refund my money back").humanProbability).toBeGreaterThan(0.5);
    expect(model.predict("reset my password login").humanProbability).toBeLessThan(0.5);
  });

  it("serialises and reloads to identical predictions", () => {
    const data = JSON.parse(JSON.stringify(model.serialize())) as unknown;
    const reloaded = IntentModel.deserialize(SerializedIntentModel.parse(data));
    for (const text of ["expired visa card", "where is my courier", "reimburse me", "unknown words entirely"]) {
      expect(reloaded.predict(text)).toEqual(model.predict(text));
    }
  });

  it("is deterministic for the same input", () => {
    const again = trainIntentModel(train, { escalated: train.map((example) => example.label === "refund") });
    expect(JSON.stringify(again.serialize())).toBe(JSON.stringify(model.serialize()));
  });
});
