import { describe, expect, it } from "vitest";
import { logits, seededRandom, trainSoftmax } from "../../../src/kb/softmax.js";
import type { SparseVector } from "../../../src/kb/vectorizer.js";

/**
 * Many classes, few examples each (the shape of real intent sets): every class owns a few features,
 * and every example also carries shared noise features.
 */
function manyClassTask(classes: number, perClass: number, seed: number) {
  const random = seededRandom(seed);
  const ownFeatures = 6;
  const noiseFeatures = 200;
  const featureCount = classes * ownFeatures + noiseFeatures;
  const vectors: SparseVector[] = [];
  const labels: number[] = [];
  for (let label = 0; label < classes; label += 1) {
    for (let example = 0; example < perClass; example += 1) {
      const features = new Set<number>();
      while (features.size < 3) features.add(label * ownFeatures + Math.floor(random() * ownFeatures));
      while (features.size < 8) features.add(classes * ownFeatures + Math.floor(random() * noiseFeatures));
      const indices = Int32Array.from([...features].sort((a, b) => a - b));
      vectors.push({ indices, values: Float32Array.from(indices, () => 1 / Math.sqrt(indices.length)) });
      labels.push(label);
    }
  }
  return { vectors, labels, featureCount };
}

function accuracy(model: ReturnType<typeof trainSoftmax>, vectors: SparseVector[], labels: number[]): number {
  let hits = 0;
  vectors.forEach((vector, index) => {
    const scores = logits(model, vector);
    let top = 0;
    for (let k = 1; k < scores.length; k += 1) if ((scores[k] as number) > (scores[top] as number)) top = k;
    if (top === labels[index]) hits += 1;
  });
  return hits / vectors.length;
}

describe("softmax training with sparse class updates", () => {
  const classes = 60;
  const train = manyClassTask(classes, 12, 1);
  const test = manyClassTask(classes, 6, 2);

  it("learns a many-class task as well as updating every class does", () => {
    const sparse = trainSoftmax(train.vectors, train.labels, classes, train.featureCount, { epochs: 8 });
    const dense = trainSoftmax(train.vectors, train.labels, classes, train.featureCount, { epochs: 8, minGradient: 0 });
    const sparseAccuracy = accuracy(sparse, test.vectors, test.labels);
    expect(sparseAccuracy).toBeGreaterThan(0.9);
    expect(sparseAccuracy).toBeGreaterThanOrEqual(accuracy(dense, test.vectors, test.labels) - 0.02);
  });

  it("leaves a class's weights alone when its gradient never reaches the threshold", () => {
    // With a threshold above any possible gradient, only each example's own class is ever updated, so a
    // feature seen only with class 0 keeps exactly zero weight for every other class.
    const model = trainSoftmax(train.vectors, train.labels, classes, train.featureCount, { epochs: 2, minGradient: 2 });
    const ownFeatureOfClassZero = 0;
    const row = model.weights.slice(ownFeatureOfClassZero * classes, (ownFeatureOfClassZero + 1) * classes);
    expect(row[0]).toBeGreaterThan(0);
    expect([...row.slice(1)].every((weight) => weight === 0)).toBe(true);
  });

  it("is deterministic for the same input", () => {
    const first = trainSoftmax(train.vectors, train.labels, classes, train.featureCount, { epochs: 3, seed: 5 });
    const second = trainSoftmax(train.vectors, train.labels, classes, train.featureCount, { epochs: 3, seed: 5 });
    expect([...first.weights]).toEqual([...second.weights]);
  });
});
