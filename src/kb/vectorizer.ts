/**
 * TF-IDF features for short customer messages, in the spirit of the strong linear baselines of intent
 * detection: word unigrams and bigrams plus character 3-5-grams inside word boundaries (robust to typos
 * and inflection), sublinear term frequency, and the word and character blocks each L2-normalised.
 */
import { learningTokens } from "./text.js";

export interface SparseVector {
  indices: Int32Array;
  values: Float32Array;
}

export interface VectorizerState {
  /** Feature strings; the position is the feature index. `w:` word, `b:` bigram, `c:` char n-gram. */
  features: string[];
  /** Inverse document frequency per feature, rounded to 4 decimals so the file diffs cleanly. */
  idf: number[];
  docCount: number;
}

const CHAR_MIN = 3;
const CHAR_MAX = 5;
/** Words longer than this contribute only their first characters' n-grams (a pasted hash, a URL). */
const CHAR_WORD_LIMIT = 24;

/** Counts of the raw features of a text: the vocabulary decides which of them count. */
export function rawFeatures(text: string): Map<string, number> {
  const tokens = learningTokens(text);
  const counts = new Map<string, number>();
  const add = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  for (let index = 0; index < tokens.length; index += 1) {
    const token = tokens[index] as string;
    add(`w:${token}`);
    if (index + 1 < tokens.length) add(`b:${token} ${tokens[index + 1] as string}`);
    const padded = ` ${token.slice(0, CHAR_WORD_LIMIT)} `;
    for (let size = CHAR_MIN; size <= CHAR_MAX; size += 1) {
      for (let start = 0; start + size <= padded.length; start += 1) add(`c:${padded.slice(start, start + size)}`);
    }
  }
  return counts;
}

export class Vectorizer {
  private readonly index: Map<string, number>;

  constructor(readonly state: VectorizerState) {
    this.index = new Map(state.features.map((feature, position) => [feature, position]));
  }

  get size(): number {
    return this.state.features.length;
  }

  featureIndex(feature: string): number | undefined {
    return this.index.get(feature);
  }

  transform(text: string): SparseVector {
    return this.transformCounts(rawFeatures(text));
  }

  transformCounts(counts: Map<string, number>): SparseVector {
    const entries: Array<[number, number, boolean]> = [];
    let wordNorm = 0;
    let charNorm = 0;
    for (const [feature, count] of counts) {
      const position = this.index.get(feature);
      if (position === undefined) continue;
      const value = (1 + Math.log(count)) * (this.state.idf[position] ?? 1);
      const isChar = feature.charCodeAt(0) === 99; // "c"
      if (isChar) charNorm += value * value;
      else wordNorm += value * value;
      entries.push([position, value, isChar]);
    }
    entries.sort((a, b) => a[0] - b[0]);
    const wordScale = wordNorm > 0 ? 1 / Math.sqrt(wordNorm) : 0;
    const charScale = charNorm > 0 ? 1 / Math.sqrt(charNorm) : 0;
    const indices = new Int32Array(entries.length);
    const values = new Float32Array(entries.length);
    entries.forEach(([position, value, isChar], slot) => {
      indices[slot] = position;
      values[slot] = value * (isChar ? charScale : wordScale);
    });
    return { indices, values };
  }
}

export interface FitOptions {
  /** Features seen in fewer documents are dropped (default: 1 for small sets, 2 from 2,000 documents). */
  minDf?: number;
  /** Most frequent features kept at most. */
  maxFeatures?: number;
}

/** Learns the vocabulary and IDF from the training texts (given as raw feature counts, computed once). */
export function fitVectorizer(documents: ReadonlyArray<Map<string, number>>, options: FitOptions = {}): Vectorizer {
  const docCount = documents.length;
  const minDf = options.minDf ?? (docCount >= 2_000 ? 2 : 1);
  const maxFeatures = options.maxFeatures ?? 250_000;
  const df = new Map<string, number>();
  for (const counts of documents) {
    for (const feature of counts.keys()) df.set(feature, (df.get(feature) ?? 0) + 1);
  }
  let kept = [...df.entries()].filter(([, count]) => count >= minDf);
  if (kept.length > maxFeatures) {
    kept.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    kept = kept.slice(0, maxFeatures);
  }
  kept.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return new Vectorizer({
    features: kept.map(([feature]) => feature),
    idf: kept.map(([, count]) => Math.round((Math.log((1 + docCount) / (1 + count)) + 1) * 1e4) / 1e4),
    docCount,
  });
}

/** Cosine similarity of two sparse vectors with sorted indices. */
export function sparseDot(a: SparseVector, b: SparseVector): number {
  let i = 0;
  let j = 0;
  let sum = 0;
  while (i < a.indices.length && j < b.indices.length) {
    const ai = a.indices[i] as number;
    const bj = b.indices[j] as number;
    if (ai === bj) {
      sum += (a.values[i] as number) * (b.values[j] as number);
      i += 1;
      j += 1;
    } else if (ai < bj) i += 1;
    else j += 1;
  }
  return sum;
}
