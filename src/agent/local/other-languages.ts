/**
 * Messages in a language other than English. The engine's model and templates are English, so it never
 * answers them with an English template: a request for a person is handed over, a language the knowledge
 * base has no passages (or no reply phrases) in is handed over with `unsupported_language`, and in a
 * language it does have (Spanish) it answers only from a passage that covers what the customer wrote,
 * asks once when unsure, and hands over when still unsure.
 */
import type { LanguageTag } from "../../kb/language.js";
import { isFunctionWord } from "../../kb/language.js";
import { foldText } from "../../kb/text.js";
import type { Draft } from "../../ports/agent-engine.js";
import { DRAFT_REASON } from "../reason-codes.js";
import { MIN_PASSAGE_SCORE, passageFact, snippet } from "./compose.js";
import { SPANISH } from "./cues.js";
import { searchTerms, type PassageIndex } from "./retrieval.js";

/** Languages the engine has reply phrases for (besides English); the knowledge base must also have passages. */
const REPLY_LANGUAGES: ReadonlySet<LanguageTag> = new Set(["es"]);
/** A passage answers only if it holds at least this share of the message's content words. */
const MIN_COVERAGE = 0.5;

const PERSON_WORDS = "(?:persona|agente|humano|alguien|asesor|representante|operador|pessoa|atendente|humano|personne|conseiller|agent humain|operatore|persona reale|mitarbeiter|mensch|berater)";
const ASKS_FOR_PERSON = new RegExp(
  `\\b(?:hablar|comunicar|pasar|contactar|falar|parler|parlare|sprechen)\\w*\\b[^.!?]{0,30}\\b${PERSON_WORDS}\\b|\\b(?:quiero|necesito|quisiera|prefiero|voglio|vorrei|je veux|je voudrais|quero|preciso|ich mochte|ich will)\\b[^.!?]{0,20}\\b${PERSON_WORDS}\\b|^\\W*(?:un |una |el |la )?${PERSON_WORDS}\\W*$`,
);

const HANDOFF = {
  es: "Con gusto. Le comunico con una persona de nuestro equipo.",
  neutral: "Thank you for your message. I'm connecting you with a member of our team who can help.",
} as const;

export interface OtherLanguageInput {
  lang: LanguageTag;
  text: string;
  index: PassageIndex;
  /** Languages the knowledge base has passages in. */
  passageLanguages: ReadonlySet<string>;
  /** The previous turn already asked the customer to say more. */
  clarifiedBefore: boolean;
}

export interface OtherLanguageReply {
  draft: Partial<Draft> & Pick<Draft, "kind">;
  /** Set when the reply asks the customer to say more. */
  clarify?: { options: string[]; text: string };
}

/** Whether the message (in any language but English) asks for a person: "hablar con un agente", "agente". */
export function asksForPersonInOtherLanguage(text: string): boolean {
  return ASKS_FOR_PERSON.test(foldText(text.slice(0, 500)));
}

export function replyInOtherLanguage(input: OtherLanguageInput): OtherLanguageReply {
  const { lang, text } = input;
  const summary = `Customer wrote in language "${lang}".`;
  const handoff = lang === "es" ? HANDOFF.es : HANDOFF.neutral;
  if (asksForPersonInOtherLanguage(text)) {
    return { draft: { kind: "escalate", text: handoff, reasonCodes: [DRAFT_REASON.humanRequested], confidence: 1, summary } };
  }
  if (!REPLY_LANGUAGES.has(lang) || !input.passageLanguages.has(lang)) {
    return { draft: { kind: "escalate", text: HANDOFF.neutral, reasonCodes: [DRAFT_REASON.unsupportedLanguage], confidence: 0, summary } };
  }
  const hit = input.index.search(text, { lang, limit: 1 })[0];
  const contentTerms = searchTerms(text).filter((term) => !isFunctionWord(lang, term));
  if (hit && hit.score >= MIN_PASSAGE_SCORE * 0.6 && input.index.coverage(hit.passage.id, contentTerms) >= MIN_COVERAGE) {
    return { draft: { kind: "answer", text: `${SPANISH.passageIntro}\n\n${snippet(hit.passage.text)}`, facts: [passageFact(hit.passage)], confidence: 0.8, summary } };
  }
  if (input.clarifiedBefore) {
    return { draft: { kind: "escalate", text: handoff, reasonCodes: [DRAFT_REASON.lowConfidence], confidence: 0, summary } };
  }
  return {
    draft: { kind: "clarify", text: SPANISH.clarify, reasonCodes: [DRAFT_REASON.clarification, DRAFT_REASON.lowConfidence], confidence: 0, summary },
    clarify: { options: [], text: text.slice(0, 500) },
  };
}
