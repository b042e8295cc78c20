/**
 * Replies from the knowledge base's own words: the category's answer template (the agents' best
 * answer) and the passage that fits the question best, each recorded as a grounding fact so the
 * guardrails can check every amount and date against what was used.
 */
import type { Category, Passage } from "../../kb/format.js";
import { contentOverlap } from "../../kb/text.js";
import { splitSentences } from "../../kb/templates.js";
import type { GroundingFact } from "../../ports/agent-engine.js";
import type { PassageIndex } from "./retrieval.js";

const SNIPPET_CHARS = 420;
/** BM25 score below which a passage is not trusted to be about the question. */
export const MIN_PASSAGE_SCORE = 2.5;

export interface Composed {
  text: string;
  facts: GroundingFact[];
  passage?: Passage;
}

/** The first sentences of a passage, up to a chat-sized length. */
export function snippet(text: string, limit = SNIPPET_CHARS): string {
  const lines = text.split(/\n+/).map((line) => line.trim()).filter(Boolean);
  if (lines.some((line) => line.startsWith("- "))) {
    const kept: string[] = [];
    for (const line of lines) {
      if (kept.join("\n").length + line.length > limit) break;
      kept.push(line);
    }
    return kept.join("\n") || (lines[0] ?? "").slice(0, limit);
  }
  const sentences = splitSentences(text);
  let out = "";
  for (const sentence of sentences) {
    if (out.length > 0 && out.length + sentence.length + 1 > limit) break;
    out = out ? `${out} ${sentence}` : sentence;
  }
  return out || text.slice(0, limit);
}

/** The passage that best answers the question, preferring the ones linked to the category. */
export function bestPassage(index: PassageIndex, question: string, category: Category | undefined, lang = "en"): Passage | undefined {
  const linked = new Set(category?.passages ?? []);
  if (linked.size > 0) {
    const within = index.search(question, { only: linked, limit: 1, lang })[0];
    if (within && within.score >= MIN_PASSAGE_SCORE * 0.6) return within.passage;
  }
  const anywhere = index.search(question, { limit: 1, lang })[0];
  if (anywhere && anywhere.score >= MIN_PASSAGE_SCORE && (linked.size === 0 || linked.has(anywhere.passage.id) || anywhere.score >= MIN_PASSAGE_SCORE * 2)) {
    return anywhere.passage;
  }
  if (linked.size > 0) {
    const first = index.get([...linked][0] as string);
    if (first && first.lang === lang) return first;
  }
  return undefined;
}

export function passageFact(passage: Passage): GroundingFact {
  return { source: "knowledge_base", ref: passage.id, text: passage.text };
}

/** Template first (it answers in the company's voice), then the passage when it adds something. */
export function composeAnswer(category: Category, passage: Passage | undefined): Composed | null {
  const template = category.template?.text;
  const facts: GroundingFact[] = [];
  const parts: string[] = [];
  if (template) {
    parts.push(template);
    facts.push({ source: "knowledge_base", ref: `template:${category.id}`, text: template });
  }
  if (passage) {
    const excerpt = snippet(passage.text);
    if (!template || contentOverlap(template, excerpt) < 0.3) parts.push(excerpt);
    facts.push(passageFact(passage));
  }
  if (parts.length === 0) return null;
  return { text: parts.join("\n\n"), facts, ...(passage ? { passage } : {}) };
}

/** A clarifying question naming the likeliest topics. */
export function clarifyingQuestion(names: readonly string[]): string {
  if (names.length === 0) {
    return "I want to make sure I help with the right thing. Could you tell me a bit more about what you need? You can also ask for a person at any time.";
  }
  if (names.length === 1) {
    return `Just to be sure I understand: is your question about ${names[0]}? If not, tell me a bit more, or ask for a person at any time.`;
  }
  const listed = names.map((name, index) => `(${index + 1}) ${name}`).join(", ");
  return `I want to make sure I help with the right thing. Is your question about ${listed}? Or tell me a bit more, or ask for a person at any time.`;
}

export function lowerFirst(name: string): string {
  return /^[A-Z][a-z]/.test(name) ? name.charAt(0).toLowerCase() + name.slice(1) : name;
}
