/**
 * BM25 over the knowledge base's passages: the engine's retrieval. Built in memory when the kb loads
 * (a few hundred passages index in milliseconds); queries are capped so a huge message costs little.
 */
import type { Passage } from "../../kb/format.js";
import { STOPWORDS, words } from "../../kb/text.js";

const K1 = 1.2;
const B = 0.75;
const MAX_QUERY_TERMS = 64;

/** Words that carry meaning, with a light plural fold ("payments" and "payment" match). */
export function searchTerms(text: string): string[] {
  return words(text)
    .filter((word) => !STOPWORDS.has(word) && word.length > 1)
    .map((word) => (word.length > 4 && word.endsWith("s") && !word.endsWith("ss") ? word.slice(0, -1) : word));
}

export interface PassageHit {
  passage: Passage;
  score: number;
}

export class PassageIndex {
  private readonly termFrequencies: Array<Map<string, number>>;
  private readonly lengths: number[];
  private readonly documentFrequency = new Map<string, number>();
  private readonly averageLength: number;
  private readonly byId: Map<string, Passage>;

  constructor(readonly passages: readonly Passage[]) {
    this.termFrequencies = passages.map((passage) => {
      const counts = new Map<string, number>();
      // The title is the question a passage answers: count it twice.
      const terms = [...searchTerms(passage.title), ...searchTerms(passage.title), ...searchTerms(passage.text)];
      for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
      return counts;
    });
    this.lengths = this.termFrequencies.map((counts) => [...counts.values()].reduce((sum, count) => sum + count, 0));
    for (const counts of this.termFrequencies) {
      for (const term of counts.keys()) this.documentFrequency.set(term, (this.documentFrequency.get(term) ?? 0) + 1);
    }
    this.averageLength = this.lengths.reduce((sum, length) => sum + length, 0) / Math.max(1, this.lengths.length);
    this.byId = new Map(passages.map((passage) => [passage.id, passage]));
  }

  get(id: string): Passage | undefined {
    return this.byId.get(id);
  }

  /** Share of `terms` the passage contains (0 when it is unknown or `terms` is empty). */
  coverage(passageId: string, terms: readonly string[]): number {
    const index = this.passages.findIndex((passage) => passage.id === passageId);
    const counts = this.termFrequencies[index];
    if (!counts || terms.length === 0) return 0;
    return terms.filter((term) => counts.has(term)).length / terms.length;
  }

  search(query: string, options: { limit?: number; lang?: string; only?: ReadonlySet<string> } = {}): PassageHit[] {
    const terms = [...new Set(searchTerms(query.slice(0, 4_000)))].slice(0, MAX_QUERY_TERMS);
    if (terms.length === 0) return [];
    const total = this.passages.length;
    const hits: PassageHit[] = [];
    this.passages.forEach((passage, index) => {
      if (options.lang && passage.lang !== options.lang) return;
      if (options.only && !options.only.has(passage.id)) return;
      const counts = this.termFrequencies[index] as Map<string, number>;
      const length = this.lengths[index] as number;
      let score = 0;
      for (const term of terms) {
        const frequency = counts.get(term);
        if (!frequency) continue;
        const df = this.documentFrequency.get(term) ?? 0;
        const idf = Math.log(1 + (total - df + 0.5) / (df + 0.5));
        score += (idf * frequency * (K1 + 1)) / (frequency + K1 * (1 - B + (B * length) / this.averageLength));
      }
      if (score > 0) hits.push({ passage, score });
    });
    return hits.sort((a, b) => b.score - a.score || (a.passage.id < b.passage.id ? -1 : 1)).slice(0, options.limit ?? 5);
  }
}
