/**
 * Categories for tickets that carry no labels: spherical k-means (cosine) over content-word TF-IDF,
 * seeded k-means++ so the same tickets give the same clusters, each named by its top terms.
 */
import { seededRandom } from "./softmax.js";
import { STOPWORDS, learningTokens } from "./text.js";

export interface Cluster {
  id: string;
  name: string;
  topTerms: string[];
}

export interface Clustering {
  clusters: Cluster[];
  /** Cluster index per message. */
  assignments: number[];
}

interface WordVector {
  terms: number[];
  weights: number[];
}

export function suggestedClusterCount(messages: number): number {
  return Math.max(2, Math.min(40, Math.round(Math.sqrt(messages / 2))));
}

export function clusterMessages(messages: readonly string[], options: { k?: number; seed?: number } = {}): Clustering {
  const random = seededRandom(options.seed ?? 11);
  const tokenLists = messages.map((message) =>
    learningTokens(message, 200).filter((token) => !STOPWORDS.has(token) && token.length > 2),
  );
  const df = new Map<string, number>();
  for (const tokens of tokenLists) for (const token of new Set(tokens)) df.set(token, (df.get(token) ?? 0) + 1);
  const vocabulary = [...df.entries()].filter(([, count]) => count >= 2).map(([term]) => term).sort();
  const termIndex = new Map(vocabulary.map((term, index) => [term, index]));
  const idf = vocabulary.map((term) => Math.log((1 + messages.length) / (1 + (df.get(term) ?? 0))) + 1);
  const vectors: WordVector[] = tokenLists.map((tokens) => {
    const counts = new Map<number, number>();
    for (const token of tokens) {
      const index = termIndex.get(token);
      if (index !== undefined) counts.set(index, (counts.get(index) ?? 0) + 1);
    }
    const terms = [...counts.keys()].sort((a, b) => a - b);
    const weights = terms.map((term) => (1 + Math.log(counts.get(term) as number)) * (idf[term] as number));
    const norm = Math.sqrt(weights.reduce((sum, weight) => sum + weight * weight, 0)) || 1;
    return { terms, weights: weights.map((weight) => weight / norm) };
  });

  const usable = vectors.map((vector, index) => (vector.terms.length > 0 ? index : -1)).filter((index) => index >= 0);
  const k = Math.min(options.k ?? suggestedClusterCount(messages.length), Math.max(1, usable.length));
  const dims = vocabulary.length;
  const similarity = (vector: WordVector, centroid: Float64Array) =>
    vector.terms.reduce((sum, term, slot) => sum + (vector.weights[slot] as number) * (centroid[term] as number), 0);
  const centroidOf = (vector: WordVector) => {
    const centroid = new Float64Array(dims);
    vector.terms.forEach((term, slot) => (centroid[term] = vector.weights[slot] as number));
    return centroid;
  };

  // k-means++: each next seed far from the seeds so far.
  const centroids: Float64Array[] = [];
  if (usable.length > 0) {
    centroids.push(centroidOf(vectors[usable[Math.floor(random() * usable.length)] as number] as WordVector));
    const closest = usable.map((index) => 1 - similarity(vectors[index] as WordVector, centroids[0] as Float64Array));
    while (centroids.length < k) {
      const total = closest.reduce((sum, distance) => sum + Math.max(0, distance) ** 2, 0);
      let target = random() * total;
      let chosen = usable[usable.length - 1] as number;
      for (let slot = 0; slot < usable.length; slot += 1) {
        target -= Math.max(0, closest[slot] as number) ** 2;
        if (target <= 0) {
          chosen = usable[slot] as number;
          break;
        }
      }
      const centroid = centroidOf(vectors[chosen] as WordVector);
      centroids.push(centroid);
      usable.forEach((index, slot) => {
        closest[slot] = Math.min(closest[slot] as number, 1 - similarity(vectors[index] as WordVector, centroid));
      });
    }
  }

  const assignments = new Array<number>(messages.length).fill(0);
  for (let iteration = 0; iteration < 20; iteration += 1) {
    let changed = 0;
    for (const index of usable) {
      const vector = vectors[index] as WordVector;
      let best = 0;
      let bestScore = -Infinity;
      centroids.forEach((centroid, cluster) => {
        const score = similarity(vector, centroid);
        if (score > bestScore) {
          bestScore = score;
          best = cluster;
        }
      });
      if (assignments[index] !== best) changed += 1;
      assignments[index] = best;
    }
    for (const centroid of centroids) centroid.fill(0);
    for (const index of usable) {
      const vector = vectors[index] as WordVector;
      const centroid = centroids[assignments[index] as number] as Float64Array;
      vector.terms.forEach((term, slot) => (centroid[term] = (centroid[term] as number) + (vector.weights[slot] as number)));
    }
    for (const centroid of centroids) {
      const norm = Math.sqrt(centroid.reduce((sum, value) => sum + value * value, 0)) || 1;
      for (let dim = 0; dim < dims; dim += 1) centroid[dim] = (centroid[dim] as number) / norm;
    }
    if (iteration > 0 && changed === 0) break;
  }

  // Messages with no known content word join the largest cluster: there is nothing else to go by.
  const sizes = new Array<number>(Math.max(1, k)).fill(0);
  for (const index of usable) sizes[assignments[index] as number] = (sizes[assignments[index] as number] as number) + 1;
  const largest = sizes.indexOf(Math.max(...sizes));
  vectors.forEach((vector, index) => {
    if (vector.terms.length === 0) assignments[index] = largest;
  });

  const used = [...new Set(assignments)].sort((a, b) => a - b);
  const renumber = new Map(used.map((cluster, index) => [cluster, index]));
  const ids = new Set<string>();
  const clusters = used.map((cluster) => {
    const centroid = centroids[cluster] ?? new Float64Array(dims);
    const topTerms = [...centroid.keys()]
      .filter((term) => (centroid[term] as number) > 0)
      .sort((a, b) => (centroid[b] as number) - (centroid[a] as number) || a - b)
      .slice(0, 5)
      .map((term) => vocabulary[term] as string);
    let id = topTerms.slice(0, 3).join("_") || "other";
    for (let n = 2; ids.has(id); n += 1) id = `${topTerms.slice(0, 3).join("_") || "other"}_${n}`;
    ids.add(id);
    const name = topTerms.length > 0 ? topTerms.slice(0, 3).join(", ").replace(/^./, (char) => char.toUpperCase()) : "Other";
    return { id, name, topTerms };
  });
  return { clusters, assignments: assignments.map((cluster) => renumber.get(cluster) as number) };
}
