/**
 * The intent model of a knowledge base: one TF-IDF vocabulary, a multinomial logistic regression over
 * the categories, and (when the tickets say which ones a human handled) a two-class "needs a human"
 * model over the same features. Confidence is calibrated on a held-out split inside the build
 * (temperature scaling), and the same split sets the confidence at which the engine answers outright.
 */
import { z } from "zod";
import {
  deserializeLinearModel,
  logits,
  seededRandom,
  serializeLinearModel,
  shuffleInPlace,
  softmax,
  trainSoftmax,
  type LinearModel,
} from "./softmax.js";
import { fitVectorizer, rawFeatures, Vectorizer, type SparseVector } from "./vectorizer.js";

export interface LabelledText {
  text: string;
  label: string;
}

export interface Calibration {
  temperature: number;
  /** Examples held out to calibrate (0 when the set was too small). */
  heldOut: number;
  /** Accuracy of the held-out split (null without one). */
  heldOutAccuracy: number | null;
  /** At or above this calibrated confidence the engine answers without asking. */
  answerAt: number;
}

export interface Prediction {
  label: string;
  probability: number;
}

export interface IntentPrediction {
  ranking: Prediction[];
  /** Calibrated probability of the top label. */
  confidence: number;
  /** Probability that a human must take the message (absent without a human model). */
  humanProbability?: number;
}

const SerializedLinear = z.object({
  classCount: z.number().int().nonnegative(),
  featureCount: z.number().int().nonnegative(),
  scales: z.string(),
  weights: z.string(),
  bias: z.array(z.number()),
});

export const SerializedIntentModel = z.object({
  classes: z.array(z.string()),
  vectorizer: z.object({ features: z.array(z.string()), idf: z.array(z.number()), docCount: z.number().int() }),
  intent: SerializedLinear,
  calibration: z.object({
    temperature: z.number().positive(),
    heldOut: z.number().int().nonnegative(),
    heldOutAccuracy: z.number().min(0).max(1).nullable(),
    answerAt: z.number().min(0).max(1),
  }),
  human: z.object({ model: SerializedLinear, temperature: z.number().positive() }).nullable(),
});
export type SerializedIntentModel = z.infer<typeof SerializedIntentModel>;

export interface TrainIntentOptions {
  seed?: number;
  /** Escalation labels per example, aligned with the examples (for the "needs a human" model). */
  escalated?: ReadonlyArray<boolean | undefined>;
  onStage?: (stage: string) => void;
}

const DEFAULT_ANSWER_AT = 0.45;
/** Held-out precision the engine should reach when it answers without asking. */
const TARGET_PRECISION = 0.85;

export class IntentModel {
  constructor(
    readonly classes: readonly string[],
    readonly vectorizer: Vectorizer,
    readonly linear: LinearModel,
    readonly calibration: Calibration,
    readonly human: { model: LinearModel; temperature: number } | null,
  ) {}

  vectorize(text: string): SparseVector {
    return this.vectorizer.transform(text);
  }

  predict(text: string): IntentPrediction {
    return this.predictVector(this.vectorize(text));
  }

  predictVector(vector: SparseVector): IntentPrediction {
    if (this.classes.length === 0) return { ranking: [], confidence: 0 };
    const probabilities = softmax(logits(this.linear, vector), this.calibration.temperature);
    const ranking = this.classes
      .map((label, index) => ({ label, probability: probabilities[index] as number }))
      .sort((a, b) => b.probability - a.probability || (a.label < b.label ? -1 : 1));
    const result: IntentPrediction = { ranking, confidence: ranking[0]?.probability ?? 0 };
    if (this.human) {
      const human = softmax(logits(this.human.model, vector), this.human.temperature);
      result.humanProbability = human[1];
    }
    return result;
  }

  serialize(): SerializedIntentModel {
    return {
      classes: [...this.classes],
      vectorizer: this.vectorizer.state,
      intent: serializeLinearModel(this.linear),
      calibration: this.calibration,
      human: this.human ? { model: serializeLinearModel(this.human.model), temperature: this.human.temperature } : null,
    };
  }

  static deserialize(data: SerializedIntentModel): IntentModel {
    return new IntentModel(
      data.classes,
      new Vectorizer(data.vectorizer),
      deserializeLinearModel(data.intent),
      data.calibration,
      data.human ? { model: deserializeLinearModel(data.human.model), temperature: data.human.temperature } : null,
    );
  }
}

/** Epochs shrink as data grows: big sets converge in fewer passes and must build in seconds. */
function epochsFor(count: number): number {
  if (count <= 2_000) return 15;
  if (count <= 20_000) return 10;
  return 6;
}

function stratifiedSplit(labels: readonly number[], share: number, seed: number): { train: number[]; held: number[] } {
  const byClass = new Map<number, number[]>();
  labels.forEach((label, index) => byClass.set(label, [...(byClass.get(label) ?? []), index]));
  const random = seededRandom(seed);
  const train: number[] = [];
  const held: number[] = [];
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const members = shuffleInPlace([...(byClass.get(label) ?? [])], random);
    // A class needs a few examples left to learn from before any are held out.
    const take = members.length >= 4 ? Math.max(1, Math.round(members.length * share)) : 0;
    held.push(...members.slice(0, take));
    train.push(...members.slice(take));
  }
  return { train: train.sort((a, b) => a - b), held: held.sort((a, b) => a - b) };
}

function fitTemperature(model: LinearModel, vectors: SparseVector[], labels: number[]): number {
  const raw = vectors.map((vector) => logits(model, vector));
  let best = { temperature: 1, loss: Infinity };
  for (let step = 0; step <= 40; step += 1) {
    const temperature = Math.round(0.2 * Math.pow(1.1, step) * 1e4) / 1e4;
    let loss = 0;
    raw.forEach((scores, index) => {
      const probabilities = softmax(Float64Array.from(scores), temperature);
      loss -= Math.log(Math.max(1e-12, probabilities[labels[index] as number] as number));
    });
    if (loss < best.loss) best = { temperature, loss };
  }
  return best.temperature;
}

/** The lowest confidence at which held-out answers reach the target precision. */
function answerThreshold(confidences: number[], correct: boolean[]): number {
  const order = confidences.map((_, index) => index).sort((a, b) => (confidences[b] as number) - (confidences[a] as number));
  let hits = 0;
  let threshold = DEFAULT_ANSWER_AT;
  order.forEach((index, rank) => {
    if (correct[index]) hits += 1;
    if (rank >= 4 && hits / (rank + 1) >= TARGET_PRECISION) threshold = confidences[index] as number;
  });
  return Math.round(Math.min(0.6, Math.max(0.15, threshold)) * 1e4) / 1e4;
}

export function trainIntentModel(examples: readonly LabelledText[], options: TrainIntentOptions = {}): IntentModel {
  const seed = options.seed ?? 7;
  const classes = [...new Set(examples.map((example) => example.label))].sort();
  const classIndex = new Map(classes.map((label, index) => [label, index]));
  const labels = examples.map((example) => classIndex.get(example.label) as number);
  options.onStage?.("features");
  const counts = examples.map((example) => rawFeatures(example.text));
  const vectorizer = fitVectorizer(counts);
  const vectors = counts.map((count) => vectorizer.transformCounts(count));
  const epochs = epochsFor(examples.length);
  const train = (indices: number[], classCount: number, ys: readonly number[]) =>
    trainSoftmax(
      indices.map((index) => vectors[index] as SparseVector),
      indices.map((index) => ys[index] as number),
      classCount,
      vectorizer.size,
      { epochs, seed },
    );

  let calibration: Calibration = { temperature: 1, heldOut: 0, heldOutAccuracy: null, answerAt: DEFAULT_ANSWER_AT };
  let linear: LinearModel;
  const split = stratifiedSplit(labels, 0.15, seed);
  if (classes.length >= 2 && split.held.length >= 10) {
    options.onStage?.("calibrating");
    const probe = train(split.train, classes.length, labels);
    const heldVectors = split.held.map((index) => vectors[index] as SparseVector);
    const heldLabels = split.held.map((index) => labels[index] as number);
    const temperature = fitTemperature(probe, heldVectors, heldLabels);
    const confidences: number[] = [];
    const correct: boolean[] = [];
    heldVectors.forEach((vector, index) => {
      const probabilities = softmax(logits(probe, vector), temperature);
      let top = 0;
      for (let k = 1; k < probabilities.length; k += 1) if ((probabilities[k] as number) > (probabilities[top] as number)) top = k;
      confidences.push(probabilities[top] as number);
      correct.push(top === heldLabels[index]);
    });
    const accuracy = correct.filter(Boolean).length / correct.length;
    calibration = {
      temperature,
      heldOut: split.held.length,
      heldOutAccuracy: Math.round(accuracy * 1e4) / 1e4,
      answerAt: answerThreshold(confidences, correct),
    };
    // Large sets lose nothing by keeping the probe; small ones need every example.
    options.onStage?.("training");
    linear = examples.length > 8_000 ? probe : train(labels.map((_, index) => index), classes.length, labels);
  } else {
    options.onStage?.("training");
    linear = train(labels.map((_, index) => index), classes.length, labels);
  }

  let human: IntentModel["human"] = null;
  const escalated = options.escalated;
  if (escalated) {
    const known = escalated.map((flag, index) => (flag === undefined ? -1 : index)).filter((index) => index >= 0);
    const humanLabels = escalated.map((flag) => (flag ? 1 : 0));
    const positives = known.filter((index) => humanLabels[index] === 1).length;
    if (positives >= 5 && known.length - positives >= 5) {
      options.onStage?.("human model");
      const model = trainSoftmax(
        known.map((index) => vectors[index] as SparseVector),
        known.map((index) => humanLabels[index] as number),
        2,
        vectorizer.size,
        // Two classes on every message: a sharper fit (higher rate, less regularisation) separates them better.
        { epochs, seed: seed + 1, learningRate: 0.4, l2: 1e-6 },
      );
      human = { model, temperature: 1 };
    }
  }
  return new IntentModel(classes, vectorizer, linear, calibration, human);
}
