/**
 * Reference classifiers for the benchmarks, deliberately simple and independent of the brain's learner:
 * the majority class, and nearest centroid over TF-IDF word unigrams and bigrams (cosine). They give a
 * figure to read the brain's category accuracy against on the same split.
 */
import { words } from "../../src/kb/text.js";

export interface LabelledRow {
  text: string;
  label: string;
}

export function majorityAccuracy(train: readonly LabelledRow[], test: readonly LabelledRow[]): number {
  const counts = new Map<string, number>();
  for (const row of train) counts.set(row.label, (counts.get(row.label) ?? 0) + 1);
  const majority = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0];
  return round(test.filter((row) => row.label === majority).length / Math.max(1, test.length));
}

function terms(text: string): string[] {
  const tokens = words(text);
  return [...tokens, ...tokens.slice(1).map((token, index) => `${tokens[index] as string} ${token}`)];
}

export function nearestCentroidAccuracy(train: readonly LabelledRow[], test: readonly LabelledRow[]): number {
  const df = new Map<string, number>();
  const documents = train.map((row) => new Set(terms(row.text)));
  for (const document of documents) for (const term of document) df.set(term, (df.get(term) ?? 0) + 1);
  const idf = (term: string) => Math.log((1 + train.length) / (1 + (df.get(term) ?? 0))) + 1;
  const vector = (text: string) => {
    const counts = new Map<string, number>();
    for (const term of terms(text)) if (df.has(term)) counts.set(term, (counts.get(term) ?? 0) + 1);
    const weighted = new Map([...counts].map(([term, count]) => [term, (1 + Math.log(count)) * idf(term)]));
    const norm = Math.sqrt([...weighted.values()].reduce((sum, value) => sum + value * value, 0)) || 1;
    return new Map([...weighted].map(([term, value]) => [term, value / norm]));
  };
  const centroids = new Map<string, Map<string, number>>();
  for (const row of train) {
    const centroid = centroids.get(row.label) ?? new Map<string, number>();
    for (const [term, value] of vector(row.text)) centroid.set(term, (centroid.get(term) ?? 0) + value);
    centroids.set(row.label, centroid);
  }
  for (const centroid of centroids.values()) {
    const norm = Math.sqrt([...centroid.values()].reduce((sum, value) => sum + value * value, 0)) || 1;
    for (const [term, value] of centroid) centroid.set(term, value / norm);
  }
  let hits = 0;
  for (const row of test) {
    const query = vector(row.text);
    let best = { label: "", score: -1 };
    for (const [label, centroid] of centroids) {
      let score = 0;
      for (const [term, value] of query) score += value * (centroid.get(term) ?? 0);
      if (score > best.score || (score === best.score && label < best.label)) best = { label, score };
    }
    if (best.label === row.label) hits += 1;
  }
  return round(hits / Math.max(1, test.length));
}

const round = (value: number) => Math.round(value * 1e4) / 1e4;
