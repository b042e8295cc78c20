/**
 * The model's knowledge-base search: the same BM25 passage retrieval the embedded engine uses
 * (src/agent/local/retrieval.ts), over the loaded knowledge base, and its categories for the final
 * answer's category list.
 */
import type { KnowledgeBase } from "../../kb/load.js";
import { PassageIndex } from "../local/retrieval.js";
import type { CategoryChoice } from "./final-answer.js";
import type { KnowledgeSearch } from "./tools.js";

export function knowledgeSearchOver(kb: Pick<KnowledgeBase, "passages">): KnowledgeSearch {
  const index = new PassageIndex(kb.passages);
  return {
    search(query, limit) {
      return index.search(query, { limit }).map((hit) => ({ id: hit.passage.id, title: hit.passage.title, text: hit.passage.text }));
    },
  };
}

export function categoryChoicesOf(kb: Pick<KnowledgeBase, "categories">): CategoryChoice[] {
  return kb.categories.map((category) => ({ id: category.id, name: category.name }));
}
