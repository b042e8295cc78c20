/**
 * Phrases that tell a human is needed, mined from resolved tickets that say whether a human handled
 * them. A phrase counts when it is frequent enough to trust and far more often escalated than the base
 * rate (smoothed share). Human-only triggers are the near-certain ones; frustration phrases are the
 * escalation-prone ones that carry negative feeling (a small lexicon) or lower satisfaction, across
 * categories rather than inside one topic. A phrase of everyday words only ("account", "never", "never received")
 * is never mined, and a phrase must be escalated in at least two categories or be seen far more often than the
 * minimum (one topic's vocabulary is that topic, which the category model already routes).
 */
import type { MinedPhrase, Signals } from "./format.js";
import { EVERYDAY_WORDS } from "./everyday-words.js";
import { STOPWORDS, words } from "./text.js";

export interface MiningTicket {
  message: string;
  escalated?: boolean;
  csat?: number;
  category?: string;
}

/** Words of negative feeling; a phrase with one of them is a frustration candidate. */
export const NEGATIVE_WORDS: ReadonlySet<string> = new Set(
  (
    "angry annoyed annoying frustrated frustrating furious upset ridiculous unacceptable terrible horrible awful " +
    "useless worst joke scam scammed thieves thief stealing stole disgusting disgraceful pathetic incompetent " +
    "fed sick tired nightmare hate hopeless outrageous insane absurd rude lied lying liar sucks garbage rubbish " +
    "crap shameful disappointed disappointing unhappy mad nobody ignored ignoring again third fourth enough " +
    "never waste wasted wasting"
  ).split(" "),
);

interface PhraseStats {
  total: number;
  escalated: number;
  csatSum: number;
  csatCount: number;
  categories: Set<string>;
  escalatedCategories: Set<string>;
}

function phrasesOf(message: string): Set<string> {
  const tokens = words(message).slice(0, 120);
  const found = new Set<string>();
  for (let size = 1; size <= 3; size += 1) {
    for (let start = 0; start + size <= tokens.length; start += 1) {
      const gram = tokens.slice(start, start + size);
      const first = gram[0] as string;
      const last = gram[gram.length - 1] as string;
      if (STOPWORDS.has(first) || STOPWORDS.has(last)) continue;
      if (gram.some((word) => /^\d+$/.test(word))) continue;
      if (size === 1 && first.length < 4) continue;
      if (gram.every((word) => EVERYDAY_WORDS.has(word) || STOPWORDS.has(word))) continue;
      found.add(gram.join(" "));
    }
  }
  return found;
}

export interface MiningOptions {
  /** At most this many phrases of each kind. */
  limit?: number;
}

export function mineSignals(tickets: readonly MiningTicket[], options: MiningOptions = {}): Signals {
  const limit = options.limit ?? 40;
  const known = tickets.filter((ticket) => ticket.escalated !== undefined);
  if (known.length === 0) return { baseEscalationRate: null, frustrationPhrases: [], humanTriggers: [] };
  const escalatedCount = known.filter((ticket) => ticket.escalated).length;
  const base = escalatedCount / known.length;
  const csatKnown = known.filter((ticket) => ticket.csat !== undefined);
  const meanCsat = csatKnown.length > 0 ? csatKnown.reduce((sum, ticket) => sum + (ticket.csat as number), 0) / csatKnown.length : null;
  const labelledCategories = new Set(known.map((ticket) => ticket.category).filter(Boolean)).size;

  const stats = new Map<string, PhraseStats>();
  for (const ticket of known) {
    for (const phrase of phrasesOf(ticket.message)) {
      let entry = stats.get(phrase);
      if (!entry) {
        entry = { total: 0, escalated: 0, csatSum: 0, csatCount: 0, categories: new Set(), escalatedCategories: new Set() };
        stats.set(phrase, entry);
      }
      entry.total += 1;
      if (ticket.escalated) entry.escalated += 1;
      if (ticket.csat !== undefined) {
        entry.csatSum += ticket.csat;
        entry.csatCount += 1;
      }
      if (ticket.category && entry.categories.size < 50) entry.categories.add(ticket.category);
      if (ticket.escalated && ticket.category && entry.escalatedCategories.size < 50) entry.escalatedCategories.add(ticket.category);
    }
  }

  const minSupport = Math.max(3, Math.ceil(known.length * 0.002));
  /** Escalated tickets a phrase needs when they all come from one category (or no category is known). */
  const singleTopicSupport = Math.max(25, minSupport * 5);
  const smoothing = 2;
  const triggers: Array<MinedPhrase & { rank: number }> = [];
  const frustration: Array<MinedPhrase & { rank: number }> = [];
  for (const [phrase, entry] of stats) {
    if (entry.total < minSupport) continue;
    const share = (entry.escalated + smoothing * base) / (entry.total + smoothing);
    if (share < Math.min(0.95, base * 1.5 + 0.1)) continue;
    const mined: MinedPhrase = {
      phrase,
      count: entry.total,
      escalatedShare: Math.round((entry.escalated / entry.total) * 1e4) / 1e4,
      categories: entry.categories.size,
    };
    const rank = entry.escalated * share;
    const negative = phrase.split(" ").some((word) => NEGATIVE_WORDS.has(word));
    const lowCsat = meanCsat !== null && entry.csatCount >= 3 && entry.csatSum / entry.csatCount <= meanCsat - 0.75;
    const spread = entry.escalatedCategories.size >= 2 || (entry.escalated >= singleTopicSupport && (labelledCategories < 2 || entry.categories.size >= 2));
    // Low satisfaction alone is weak evidence (escalated tickets score lower anyway): it needs a phrase
    // seen often, in several categories, and almost always escalated.
    const strongLowCsat = lowCsat && entry.total >= 5 && entry.categories.size >= 3 && share >= 0.8;
    if ((negative || strongLowCsat) && spread && share >= 0.6) frustration.push({ ...mined, rank });
    else if (share >= 0.9 && entry.escalated / entry.total >= 0.9 && (entry.escalatedCategories.size >= 2 || entry.escalated >= singleTopicSupport)) {
      triggers.push({ ...mined, rank });
    }
  }
  const top = (list: Array<MinedPhrase & { rank: number }>) =>
    list
      .sort((a, b) => b.rank - a.rank || (a.phrase < b.phrase ? -1 : 1))
      .slice(0, limit)
      .map(({ rank: _rank, ...phrase }) => phrase)
      .sort((a, b) => (a.phrase < b.phrase ? -1 : 1));
  return {
    baseEscalationRate: Math.round(base * 1e4) / 1e4,
    frustrationPhrases: top(frustration),
    humanTriggers: top(dropContained(triggers)),
  };
}

/** "open a dispute" adds nothing when "dispute" is already a trigger with as much support. */
function dropContained<T extends MinedPhrase>(list: T[]): T[] {
  const phrases = new Set(list.map((item) => item.phrase));
  return list.filter((item) => {
    const parts = item.phrase.split(" ");
    if (parts.length === 1) return true;
    return !parts.some((part) => part !== item.phrase && phrases.has(part));
  });
}
