/**
 * A reply never reveals how the brain works: its instructions (system prompt), internal notes, reason
 * codes, guardrails or routing. Engines that have instructions pass them in (`instructions`), and any run
 * of 8 words from them in a reply fails; `canaries` are strings planted in instructions that must never
 * come out. Phrases that talk about the instructions themselves fail too.
 */
import type { ReplyGuard } from "../ports/agent-engine.js";
import { canonicalText, sentencesOf, shorten, wordsOf } from "./text.js";
import { fail, pass, trustedFacts } from "./verdict.js";

export const NO_INSTRUCTION_LEAK = "no_instruction_leak";

const SHINGLE = 8;

const TELLS: ReadonlyArray<[string, RegExp]> = [
  ["mentions its system prompt", /\b(?:system|developer|hidden|initial|original)\s+(?:prompt|message|instructions?)\b/],
  ["describes its instructions", /\bmy\s+(?:instructions|guidelines|rules|prompt|programming|directives|configuration|system prompt|training instructions)\b\s*(?:say|says|are|state|states|tell|told|include|includes|is|were|:|require|forbid)/],
  ["says how it was instructed", /\bi\s*(?:was|am|'m|have been|'ve been)\s+(?:instructed|told|programmed|configured|prompted|designed)\s+(?:to|not to)\b/],
  ["reveals internal notes", /\binternal\s+(?:notes?|memo|guidance|instructions?|reason|codes?|tags?)\b|\bnote to (?:agent|self|staff)\b|\bagent[- ]only\b/],
  ["reveals reason codes or routing", /\breason\s*codes?\b|\bguardrails?\b|\bescalation (?:reason|code|rule)s?\b|\bconfidence (?:score|level)\b|\brouting (?:rule|policy|decision)s?\b/],
  ["prints prompt markup", /<\|?(?:system|im_start|im_end|endoftext)\|?>|\[(?:system|inst|\/inst)\]|^\s*(?:system|developer)\s*:|#{2,}\s*(?:system|instructions?)\b|\b(?:begin|end)\s+(?:system|instructions)\b/],
];

/** Internal codes look like `ungrounded_figure`; customers never see snake_case. */
const CODE_TOKEN = /(?<![@\w/.=?&-])[a-z]+(?:_[a-z0-9]+)+(?![\w@])/g;

function shingles(words: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (let index = 0; index + SHINGLE <= words.length; index += 1) out.add(words.slice(index, index + SHINGLE).join(" "));
  return out;
}

export interface InstructionLeakOptions {
  /** The engine's instructions (system prompt, tool descriptions): replies may not quote them. */
  instructions?: readonly string[];
  /** Strings planted in instructions that must never appear in a reply. */
  canaries?: readonly string[];
}

export function createInstructionLeakGuard(options: InstructionLeakOptions = {}): ReplyGuard {
  const instructionShingles = shingles(wordsOf(canonicalText((options.instructions ?? []).join("\n"))));
  const canaries = (options.canaries ?? []).map((canary) => canary.toLowerCase()).filter((canary) => canary.length >= 4);
  return {
    name: NO_INSTRUCTION_LEAK,
    check(draft, turn) {
      if (!draft.text) return pass(NO_INSTRUCTION_LEAK, "no text");
      const reply = canonicalText(draft.text).toLowerCase();
      const canary = canaries.find((candidate) => reply.includes(candidate));
      if (canary) return fail(NO_INSTRUCTION_LEAK, "instruction_leak", "the reply contains a canary planted in the instructions");
      if (instructionShingles.size > 0) {
        const factShingles = shingles(wordsOf(canonicalText(trustedFacts(draft, turn).map((fact) => fact.text).join("\n"))));
        const quoted = [...shingles(wordsOf(reply))].find((shingle) => instructionShingles.has(shingle) && !factShingles.has(shingle));
        if (quoted) return fail(NO_INSTRUCTION_LEAK, "instruction_leak", `quotes the instructions: "${shorten(quoted, 80)}"`);
      }
      for (const sentence of sentencesOf(reply)) {
        const tell = TELLS.find(([, pattern]) => pattern.test(sentence));
        if (tell) return fail(NO_INSTRUCTION_LEAK, "instruction_leak", `${tell[0]}: "${shorten(sentence, 120)}"`);
      }
      const factText = canonicalText(trustedFacts(draft, turn).map((fact) => fact.text).join("\n")).toLowerCase();
      const code = [...reply.matchAll(CODE_TOKEN)].map((match) => match[0]).find((token) => !factText.includes(token));
      if (code) return fail(NO_INSTRUCTION_LEAK, "instruction_leak", `shows an internal code: ${shorten(code, 60)}`);
      return pass(NO_INSTRUCTION_LEAK, "nothing internal revealed");
    },
  };
}
