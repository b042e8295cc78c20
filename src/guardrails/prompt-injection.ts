/**
 * Prompt injection: instructions hidden in a customer message ("ignore your rules", "you are now DAN",
 * "system: ...") change nothing. `detectPromptInjection` finds the attempt (the routing records it with
 * reason `prompt_injection_attempt`); the guard fails a draft that obeys one: a changed persona, a claim of
 * no rules, "as you asked, I'll ignore...", or, after an attempt, a reply that repeats the customer's
 * injected text. Revealing instructions and granting exceptions are failed by their own guards.
 */
import type { ReplyGuard } from "../ports/agent-engine.js";
import { canonicalText, sentencesOf, shorten, wordsOf } from "./text.js";
import { fail, pass } from "./verdict.js";

export const PROMPT_INJECTION_GUARD = "prompt_injection";
export const PROMPT_INJECTION_REASON = "prompt_injection_attempt";

export type InjectionKind = "override" | "role_change" | "prompt_extraction" | "fake_system" | "jailbreak";

export interface InjectionSignal {
  kind: InjectionKind;
  /** The words that matched (shortened). */
  text: string;
}

export interface InjectionDetection {
  detected: boolean;
  signals: InjectionSignal[];
}

const INSTRUCTION_WORDS = "(?:instructions?|rules?|prompts?|guidelines?|directives?|polic(?:y|ies)|restrictions?|constraints?|programming|guardrails?|filters?|safety|training)";

const SIGNALS: ReadonlyArray<[InjectionKind, RegExp]> = [
  ["override", new RegExp(`\\b(?:ignore|disregard|forget|override|bypass|drop|abandon|skip)\\b(?:\\s+(?:all|any|every|the|your|my|these|those|previous|prior|earlier|above|preceding|existing|current|original|of|system))*\\s+${INSTRUCTION_WORDS}`)],
  ["override", /\bnew (?:instructions|rules|system prompt|directive)s?\b|\bfrom now on\b[^.]{0,40}\b(?:you|ignore|only|always|never|respond|answer|act)\b/],
  ["override", /\b(?:no|without (?:any )?)(?:restrictions|rules|filters|limits|guidelines)\b[^.]{0,20}\b(?:apply|mode|now)\b|\byou (?:are|'re) (?:now )?(?:authori[sz]ed|allowed|permitted|free|required) to\b/],
  ["override", /\b(?:ignora|olvida)\s+(?:todas\s+)?(?:las\s+)?(?:tus\s+)?(?:instrucciones|reglas)\b|\bignore[sz]?\s+(?:toutes\s+)?(?:les\s+|vos\s+)?(?:instructions|règles)\b|\bignorier(?:e|en)?\s+(?:alle\s+)?(?:vorherigen\s+)?(?:anweisungen|regeln)\b/],
  ["role_change", /\byou(?: are|'re) now (?:a|an|the|my|called|named|in|dan|free|unrestricted|jailbroken)\b|\byou(?: are|'re) no longer (?:an? |the )?(?:assistant|ai|bot|bound|restricted|limited|switchboard)\b|\bpretend (?:to be|you are|you're|that you)\b|\b(?:role-?play|roleplay) as\b|\byour new (?:name|role|persona|identity|instructions) (?:is|are)\b/],
  ["role_change", /\b(?:act|behave|respond|answer|speak|talk|reply) (?:as|like) (?:if you were |though you were )?(?:a|an|the|my|if)\b|\bswitch (?:to|into) [^.]{0,20}\bmode\b|\bdeveloper mode\b|\bdan mode\b|\bdo anything now\b|\b(?:you are|you're|act as|become|be) dan\b/],
  // "your rules" and "your policy" are what customers ask about; only the machinery itself is extraction.
  ["prompt_extraction", /\b(?:reveal|show|print|repeat|display|output|tell me|give me|what are|what is|what's|share|leak|dump|recite|list|copy)\b[^.?]{0,30}\b(?:your|the)\s+(?:system prompt|prompt|instructions|initial instructions|hidden instructions|directives|programming|configuration|internal notes?|reason codes?|guardrails)\b/],
  ["prompt_extraction", /\bsystem prompt\b|\brepeat (?:everything|the text|the words|all) (?:above|before)\b|\bwhat were you told\b/],
  ["fake_system", /(?:^|\n)\s*(?:system|assistant|developer|admin)\s*:|<\|?(?:system|im_start|im_end|endoftext)\|?>|\[(?:system|inst|\/inst|admin)\]|#{2,}\s*(?:system|instructions?|admin)\b|\bbegin (?:system|admin) (?:prompt|message|override)\b|\badmin(?:istrator)? (?:override|mode|command)\b/],
  ["jailbreak", /\bjailbr(?:eak|oken)\w*\b|\bprompt injection\b|\bunfiltered (?:mode|ai|response)\b/],
];

/** Finds an injection attempt in customer text (up to the 100,000 characters an inbound message may have). */
export function detectPromptInjection(text: string): InjectionDetection {
  const canonical = canonicalText(text.slice(0, 100_000)).toLowerCase().replace(/[ \t]+/g, " ");
  const signals: InjectionSignal[] = [];
  for (const [kind, pattern] of SIGNALS) {
    const match = pattern.exec(canonical);
    if (match && !signals.some((signal) => signal.kind === kind)) signals.push({ kind, text: shorten(match[0].trim(), 60) });
  }
  return { detected: signals.length > 0, signals };
}

const OBEYS: ReadonlyArray<[string, RegExp]> = [
  ["takes on a new persona", /\b(?:i am|i'm|i will be|i'll be|i have become|i've become|call me)\s+(?:now\s+)?(?:dan\b|an? unrestricted|an? jailbroken|in developer mode|no longer (?:an? )?(?:assistant|ai|bot|bound|restricted|limited))/],
  ["takes on a new persona", /\bmy new (?:name|role|persona|identity) is\b|\bi am now (?!(?:able|going|connecting|passing|transferring|checking|looking|sending|handing|going to)\b)[a-z]+\b|\bstaying in character\b|\bas dan\b/],
  ["claims to be free of its rules", /\bdeveloper mode (?:enabled|activated|on)\b|\bjailbr(?:oken|eak) (?:mode|successful|enabled|complete)\b|\bi (?:have|'ve|now have) no (?:rules|restrictions|limits|filters|guidelines)\b|\bi can do anything\b|\bwithout (?:any )?(?:restrictions|rules|filters)\b/],
  ["plays a role it was given", /\bi(?:'ll| will) play along\b|\b(?:staying|stay|i'm|i am) in character\b|\bi(?:'m| am) (?:now )?(?:called|named)\b|\b(?:speaking|talking) as (?:a|an|the) (?!member|representative|assistant)\w+/],
  ["says it ignores its rules", /\b(?:ignoring|i'll ignore|i will ignore|i've ignored|i have ignored|disregarding|i'll disregard|i will disregard)\s+(?:my|all|the|previous|prior|your|those|these)?\s*(?:previous\s+|prior\s+)?(?:instructions|rules|guidelines|restrictions|programming)\b/],
  ["follows the customer's instruction", /\b(?:as|like) you (?:asked|requested|instructed|told me|said|wanted)\b[, ]+(?:i\s*(?:'m|am|'ll|will|have|'ve)?\s*)(?:now\s+)?(?:ignor|act|pretend|play|be\b|becom|switch|reveal|forget|drop|no longer|speak|talk|respond)/],
];

/** Words in a row the reply shares with an injection message before it counts as repeating it. */
const ECHO_WORDS = 8;

export function createPromptInjectionGuard(): ReplyGuard {
  return {
    name: PROMPT_INJECTION_GUARD,
    check(draft, turn) {
      const attempt = detectPromptInjection(turn.message.text);
      if (!draft.text) return pass(PROMPT_INJECTION_GUARD, attempt.detected ? "injection attempt; no text" : "no text");
      const reply = canonicalText(draft.text).toLowerCase();
      for (const sentence of sentencesOf(reply)) {
        const obeyed = OBEYS.find(([, pattern]) => pattern.test(sentence));
        if (obeyed) return fail(PROMPT_INJECTION_GUARD, "prompt_injection_obeyed", `the reply ${obeyed[0]}: "${shorten(sentence, 120)}"`);
      }
      if (attempt.detected) {
        const customerWords = wordsOf(canonicalText(turn.message.text.slice(0, 100_000)));
        const injected = new Set<string>();
        for (let index = 0; index + ECHO_WORDS <= customerWords.length; index += 1) injected.add(customerWords.slice(index, index + ECHO_WORDS).join(" "));
        const replyWords = wordsOf(reply);
        for (let index = 0; index + ECHO_WORDS <= replyWords.length; index += 1) {
          const run = replyWords.slice(index, index + ECHO_WORDS).join(" ");
          if (injected.has(run)) return fail(PROMPT_INJECTION_GUARD, "prompt_injection_obeyed", `the reply repeats the injected message: "${shorten(run, 80)}"`);
        }
        return pass(PROMPT_INJECTION_GUARD, `injection attempt in the message (${attempt.signals.map((signal) => signal.kind).join(", ")}); the draft does not follow it`);
      }
      return pass(PROMPT_INJECTION_GUARD, "no injection in the message");
    },
  };
}
