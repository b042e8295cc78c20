/**
 * Built-in detectors the rules file can name: signals that are not a word list (shouting, loops,
 * learned phrases, the draft's category or confidence). Each returns a short detail when it fires.
 */
import { DRAFT_REASON } from "../../src/agent/reason-codes.js";
import { contentOverlap, upperCaseShare, words } from "../../src/kb/text.js";
import type { Draft, LearnedRoutingSignals, TurnContext } from "../../src/ports/agent-engine.js";
import type { DetectorName } from "./schema.js";

export interface DetectorInput {
  text: string;
  /** Folded words of the message joined by single spaces, padded with a space at both ends. */
  wordLine: string;
  turn: TurnContext;
  draft?: Draft;
  signals: LearnedRoutingSignals;
  params: Record<string, number>;
  /** The rule's own patterns matched the message (for detectors that combine both). */
  patternMatched: boolean;
}

export type Detector = (input: DetectorInput) => string | null;

function phraseHit(wordLine: string, phrases: readonly string[]): string | null {
  for (const phrase of phrases) {
    const needle = ` ${words(phrase).join(" ")} `;
    if (needle.trim() !== "" && wordLine.includes(needle)) return phrase;
  }
  return null;
}

/** The last message before this one that the AI sent, if the conversation's latest reply was the AI's. */
function lastReplyWasAi(turn: TurnContext): boolean {
  for (let index = turn.history.length - 1; index >= 0; index -= 1) {
    const message = turn.history[index];
    if (!message || message.id === turn.message.id) continue;
    if (message.direction === "outbound") return message.author === "ai";
  }
  return false;
}

/** Earlier customer messages, newest first, that the AI answered (route ai). */
function aiAnsweredInbound(turn: TurnContext) {
  return turn.history
    .filter((message) => message.direction === "inbound" && message.id !== turn.message.id && message.decision?.route === "ai")
    .reverse();
}

/** Small talk ("thanks", "ok cool", 👍) asked nothing: never an answer that failed. */
const isSmallTalk = (message: { decision?: { reasonCodes: string[] } }) => message.decision?.reasonCodes.includes(DRAFT_REASON.smallTalk) === true;

export const DETECTOR_FUNCTIONS: Record<DetectorName, Detector> = {
  shouting({ text, params }) {
    const { share, letters } = upperCaseShare(text);
    const wordCount = words(text).length;
    if (letters >= (params.minLetters ?? 16) && wordCount >= (params.minWords ?? 3) && share >= (params.minShare ?? 0.8)) {
      return `${Math.round(share * 100)}% capitals`;
    }
    return null;
  },

  repeated_punctuation({ text, params }) {
    const run = params.minRun ?? 3;
    return new RegExp(`[!?]{${run},}`).test(text) ? "repeated ! or ?" : null;
  },

  repetition({ wordLine, params }) {
    const list = wordLine.trim().split(" ");
    const needed = params.minRepeats ?? 3;
    let streak = 1;
    for (let index = 1; index < list.length; index += 1) {
      const word = list[index] as string;
      // Words only: repeated digit groups ("4111 1111 1111", "00 00") are numbers, not insistence.
      streak = word === list[index - 1] && word.length > 1 && /\p{L}/u.test(word) ? streak + 1 : 1;
      if (streak >= needed) return `"${word}" repeated`;
    }
    return null;
  },

  learned_frustration({ wordLine, signals }) {
    const hit = phraseHit(wordLine, signals.frustrationPhrases);
    return hit ? `"${hit}"` : null;
  },

  learned_trigger({ wordLine, signals }) {
    const hit = phraseHit(wordLine, signals.humanTriggers);
    return hit ? `"${hit}"` : null;
  },

  not_helped({ turn, patternMatched }) {
    return patternMatched && lastReplyWasAi(turn) ? "right after an AI answer" : null;
  },

  repeated_question({ turn, params }) {
    const window = params.window ?? 6;
    const minOverlap = params.minOverlap ?? 0.6;
    const minWords = params.minWords ?? 2;
    const current = turn.message.text;
    if (words(current).length < minWords) return null;
    for (const earlier of aiAnsweredInbound(turn).slice(0, window)) {
      if (contentOverlap(current, earlier.text) >= minOverlap) return "same question as before";
    }
    return null;
  },

  unhelpful_answers({ turn, draft, params }) {
    if (!draft?.category || draft.kind !== "answer") return null;
    const needed = params.answers ?? 2;
    let streak = 0;
    // A thanks or an "ok" between answers says the last one helped: the streak ends there.
    for (const earlier of aiAnsweredInbound(turn)) {
      if (isSmallTalk(earlier) || earlier.decision?.category !== draft.category) break;
      streak += 1;
    }
    return streak >= needed ? `${streak} answers on "${draft.category}" already` : null;
  },

  second_clarification({ turn, draft }) {
    if (draft?.kind !== "clarify" || !draft.reasonCodes.includes(DRAFT_REASON.clarification)) return null;
    const previous = aiAnsweredInbound(turn)[0];
    return previous?.decision?.reasonCodes.includes(DRAFT_REASON.clarification) ? "second clarifying question in a row" : null;
  },

  must_human_category({ draft, signals, params }) {
    if (!draft?.category || !signals.mustHumanCategories.includes(draft.category)) return null;
    // A guess barely above chance is no evidence; the engine asks instead, and the loop rules follow up.
    return draft.confidence >= (params.minConfidence ?? 0) ? draft.category : null;
  },

  needs_human_model({ draft, params }) {
    const threshold = params.threshold ?? 0.6;
    return draft?.humanProbability !== undefined && draft.humanProbability >= threshold
      ? `p=${draft.humanProbability.toFixed(2)}`
      : null;
  },

  low_confidence({ draft, params }) {
    return draft?.kind === "answer" && draft.confidence < (params.minConfidence ?? 0.05)
      ? `confidence ${draft.confidence.toFixed(2)}`
      : null;
  },
};
