/**
 * No refund amount, fee waiver, extension, skipped payment, compensation or any other policy exception is
 * promised or granted by the AI, whatever the wording: those are a person's decision (DESIGN.md). The
 * guard reads the reply sentence by sentence and fails on a grant ("I've waived", "we'll refund you
 * $45", "you can skip", "the fee has been removed", "as a one-time courtesy"...). Reporting what an
 * account record holds is allowed: "your refund of $89.99 is pending" passes when a refund record holds
 * $89.99; the same amount with "I'll refund you" does not.
 */
import type { ReplyGuard } from "../ports/agent-engine.js";
import { OUTCOME_RULES } from "./exception-outcomes.js";
import { affirmedMatch, CONDITIONAL_REFUND, negatedBefore, type ExceptionRule } from "./exception-rule.js";
import { extractFigures, groundingKeys } from "./figures.js";
import { canonicalText, sentencesOf, shorten } from "./text.js";
import { fail, pass, trustedFacts } from "./verdict.js";

export const NO_POLICY_EXCEPTION = "no_policy_exception";

/** Words between "I/we" and the verb that make it a promise or a deed rather than a description. */
const MODAL =
  "(?:will|shall|can|could|would|have|has|had|am|are|just|already|hereby|also|now|gladly|personally|happy to|be happy to|able to|going to|gonna|want to|wanna|go ahead and|gone ahead and|decided to|get to|did|like to|be able to|be)";
const FIRST_PERSON = `\\b(?:i|we)\\b('ll|'ve|'m|'re|'d)?((?:\\s*${MODAL}\\b)*)\\s*`;
const GRANT_VERBS =
  "(waive[sd]?|waiving|remove[sd]?|removing|reverse[sd]?|reversing|refund(?:ed|ing|s)?|credit(?:ed|ing|s)?|reimburs\\w*|compensat\\w*|extend(?:ed|ing|s)?|defer(?:red|ring|s)?|postpon\\w*|forgiv\\w*|forgave|cancel(?:led|ed|ling|ing|s)?|drop(?:ped|ping|s)?|discount\\w*|give[sn]?|gave|giving|offer(?:ed|ing|s)?|issue[sd]?|issuing|grant(?:ed|ing|s)?|approve[sd]?|approving|lower(?:ed|ing|s)?|reduce[sd]?|reducing|skip(?:ped|ping|s)?|pause[sd]?|pausing|freez\\w*|froze|write off|wrote off|written off|take off|took off|taken off|knock(?:ed)? off|comp(?:ed)?|add(?:ed|ing|s)?|apply|applied|applying|make an exception|made an exception|let you off|push(?:ed)? back|push(?:ed)? out|hold off)";
/** What a granted exception is about. */
const EXCEPTION_OBJECT =
  /\b(fees?|charges?|penalt\w*|interest|apr|refunds?|credits?|compensation|discount|voucher|coupon|gift card|extension|grace period|exception|courtesy|goodwill|free)\b|[$€£]\s?\d|\d\s?(?:dollars|usd|bucks)\b/;
/** Time or money owed: given away, it is an exception too ("I'll cancel your next payment", "another week"). */
const OWED_OBJECT = /\b(payments?|installments?|balance|months?|weeks?|days|more time|extra time|amount due)\b/;
/** Verbs that only grant something with an exception object ("we applied your payment" is a report). */
const CORE_ONLY_VERB = /^(add|apply|applied|applying|issu|offer|approv|grant|send|sent)/;

const PROMISE_MARKER = /\b(?:i|we)\b\s*(?:'ll|'d|will|can|could|would|shall|am going to|are going to|'m going to|'re going to)\b|\byou\s*(?:'ll|will)\s+(?:get|receive|be)\b/;

const firstPersonGrant = new RegExp(`${FIRST_PERSON}${GRANT_VERBS}\\b`);
/** "I went ahead and removed", "we looked into it and will refund": a deed joined to the subject by "and". */
const coordinatedGrant = new RegExp(`\\b(?:i|we)\\b('ll|'ve|'m|'re|'d)?(?:\\s+(?!and\\b)[a-z']+){1,5}\\s+and\\b((?:\\s*${MODAL}\\b)*)\\s*${GRANT_VERBS}\\b`);
const loweredRate = new RegExp(`${FIRST_PERSON}(lower|reduce|cut|drop|decrease)\\w*\\s+(?:your\\s+|the\\s+)?(apr|interest|rate|balance|payment amount|minimum)`);
const refundWord = /\b(refund\w*|reimburs\w*|money back|pay you back|credit(?:ed)? back|credit(?:ed)? (?:to )?your)\b/;

/**
 * "a specialist can review the fee", "waived only if a specialist approves it": a person decides, which is
 * the point. (A first-person grant in the same sentence is failed by an earlier rule.)
 */
const PERSON_DECIDES = /\b(?:specialists?|team|agents?|person|people|someone|colleagues?|humans?|staff|representatives?|merchant|store)\b[^.]{0,40}\b(?:can|could|may|might|will|would|decides?|approves?|reviews?)\b/;

function grantedWord(sentence: string, pattern: RegExp): boolean {
  return !PERSON_DECIDES.test(sentence) && affirmedMatch(sentence, pattern);
}

const FEE_WORDS = /\b(?:late fees?|fees?|charges?|penalt(?:y|ies)|interest|balance|what you owe|amount due)\b/;
const FORGIVENESS_IDIOM =
  /\b(?:(?:is|are|'s) gone|all gone|taken care of|took care of|take care of|zero(?:ed)?(?: it)? out|zeroed|on us|on the house|forget about|let (?:it|that|this) slide|let (?:it|that|this) go|won't (?:show up|appear|be (?:there|on))|disappear\w*|wiped|wipe (?:it|that|this|the)|scrap(?:ped)?|knocked off|knock (?:it |that )?off|off the hook|complimentary|free of charge|(?:i|we)(?:'ve| have)? (?:covered|cleared|removed|deleted)|(?:has|have) been cleared)\b/;
const WAIVER_WORD = /\b(?:waive[sd]?|waiving|waivers?|forgiven?|forgave|forgiving|written off|write[- ]off|wrote off|comped)\b/;
/** Idioms that forgive whatever they are about ("we'll let it slide this time"). */
const LENIENCY_IDIOM =
  /\b(?:let (?:it|that|this|you) slide|consider (?:it|that|this|the [a-z ]{1,24}) (?:gone|forgiven|waived|handled|sorted|taken care of|cancell?ed)|(?:this one|it|that)(?:'s| is) on us|on the house|off the hook|we(?:'ll| will) overlook|(?:i|we)(?:'ll| will) make an exception)\b/;
const DEFERRAL_IDIOM = /\b(?:payments?|installments?|it|due date|bill)\b[^.]{0,30}\b(?:can wait|bumped (?:back|out)|pushed (?:back|out)|later is fine|is fine later|no rush)\b|\bno rush (?:on|with|to pay)\b|\bpay (?:it )?(?:whenever|when(?:ever)? you can)\b/;

const NEGATION = /\b(?:not|never|cannot|unable|without|nor|no)\b|n't\b/;

/** Whether a first-person match (groups: contraction, modal words, verb) grants an exception. */
function grantsException(sentence: string, grant: RegExpExecArray): boolean {
  const promised = Boolean(grant[1]) || (grant[2] ?? "").trim().length > 0;
  const verb = grant[3] ?? "";
  const rest = sentence.slice(grant.index + grant[0].length, grant.index + grant[0].length + 80);
  if (/^(pause|paus|freez|froze)/.test(verb) && /\bdispute/.test(sentence)) return false; // paused by a dispute: policy
  if (/^(refund|credit|reimburs)/.test(verb) && CONDITIONAL_REFUND.test(sentence) && !/[$€£]\s?\d|\d\s?(dollars|usd)/.test(sentence)) return false;
  if (/^(waiv|forgiv|forgave|compensat|reimburs|refund|extend|defer|postpon|skip|make an exception|made an exception|let you off|write off|wrote off|written off|comp)/.test(verb)) return true;
  // "we offer Pay in 4" describes the product; "I can offer you", "we gave you" grant something.
  const deed = promised || /(ed|gave|given|took|taken|made|applied)$/.test(verb) || /^(knock|push|hold|take|let)/.test(verb);
  if (deed && /^credit/.test(verb)) return true; // "I've credited your account": money given, whatever the object
  if (CORE_ONLY_VERB.test(verb) && /^\s*(?:your|the|that|this)\s+(?:payment|installment)\b/.test(rest)) return false; // "we applied your payment of $60.00"
  return deed && (EXCEPTION_OBJECT.test(rest) || (!CORE_ONLY_VERB.test(verb) && OWED_OBJECT.test(rest)));
}

const RULES: readonly ExceptionRule[] = [
  {
    name: "an exception granted in the first person",
    matches: ({ sentence }) => {
      const direct = firstPersonGrant.exec(sentence);
      if (direct && grantsException(sentence, direct)) return true;
      const coordinated = coordinatedGrant.exec(sentence);
      return coordinated !== null && !NEGATION.test(coordinated[0]) && grantsException(sentence, coordinated);
    },
  },
  {
    name: "the customer told they may skip or not pay",
    matches: ({ sentence }) =>
      /\byou\s*(?:can|may|could|are allowed to|'re allowed to|are able to|'re able to|get to|won't need to|will not need to|don't need to|do not need to|won't have to|will not have to|don't have to|do not have to|no longer (?:have|need) to|needn't)\s+(?:just\s+)?(skip|miss|ignore|hold off|not pay|pay nothing|stop paying|delay)\b/.test(sentence) ||
      /\byou\s*(?:don't|do not|won't|will not|no longer|needn't)\s+(?:have|need)?\s*to\s+pay\s+(?:the|that|this|your|any)\s+(?:late\s+)?(?:fee|fees|charge|penalty|interest)\b/.test(sentence) ||
      /\b(no need to pay|don't worry about (?:the|that|this|your) (?:late )?(?:fee|payment|charge)|you owe nothing|nothing (?:more )?to pay (?:for|on) (?:the|that|this) (?:late )?fee)\b/.test(sentence),
  },
  {
    name: "a specific fee or charge said not to apply",
    matches: ({ sentence }) =>
      /\byou\s*(?:won't|will not|wont|shall not|aren't going to|are not going to)\s+be\s+(?:charged|billed)\s+(?:the|that|this|your|any more|anymore)\b/.test(sentence) ||
      /\b(?:the|that|this|your)\s+(?:late\s+)?(?:fee|charge|penalty)\s+(?:won't|will not|doesn't|does not)\s+(?:apply|be charged|count)\b/.test(sentence),
  },
  {
    name: "a waiver, reversal or extension stated as done or coming",
    matches: ({ sentence, records }) => {
      const done = /\b(fee|fees|charge|charges|interest|penalt\w*|payment|payments|installment|installments|balance|due date|deadline|account|card)\b[^.]{0,40}\b(?:has been|have been|was|were|will be|'ll be|is being|are being|is now|are now|got|gets)\s+(waived|removed|reversed|refunded|credited|forgiven|cancell?ed|dropped|written off|extended|deferred|postponed|skipped|paused|frozen)\b/.exec(sentence);
      if (!done) return false;
      const verb = done[2] ?? "";
      if (/^(skipped)$/.test(verb)) return true;
      // "your payments will be refunded once the merchant processes the return": how returns work, no amount.
      if (/^(refunded|credited|cancell?ed)$/.test(verb) && CONDITIONAL_REFUND.test(sentence) && !/[$€£]\s?\d|\d\s?(dollars|usd)/.test(sentence)) return false;
      if (/^(paused|frozen)$/.test(verb)) return !/\bdispute/.test(sentence) && !/paused/.test(records);
      if (/^(waived|removed|reversed|forgiven|cancell?ed|dropped|written off)$/.test(verb)) return !/\bwaived\b|\breversal\b/.test(records);
      if (/^(refunded|credited)$/.test(verb)) return !/\brefund\b[^.]*\bprocessed\b/.test(records);
      return !/\bmoved from\b/.test(records); // extended, deferred, postponed: only a confirmed due-date change
    },
  },
  {
    name: "a courtesy, goodwill gesture, discount or compensation",
    matches: ({ sentence }) =>
      /\b(?:as an?|one[- ]time|one[- ]off|special)\s+(?:courtesy|goodwill|exception|gesture|favou?r)\b|\bmake an exception\b|\bmade an exception\b|\b(?:courtesy|goodwill|loyalty|apology|apologies)\s+(?:credit|refund|discount|payment|gesture)\b|\bgesture of goodwill\b/.test(sentence) ||
      (/\b(compensation|voucher|coupon|promo code|gift card|store credit|account credit|discount|free (?:month|payment|installment))\b/.test(sentence) &&
        /\b(?:i|we)\s*(?:'ll|'ve|will|can|have|are|am|'re|'m)\b|\byou\s*(?:'ll|will|can|are getting|'re getting)\s+(?:get|receive|have|use|be given)\b|\bhere(?:'s| is) (?:a|an|your)\b/.test(sentence)),
  },
  {
    name: "a lower rate or balance offered",
    matches: ({ sentence }) => loweredRate.test(sentence),
  },
  {
    name: "a refund amount promised or not held by a refund record",
    matches: ({ sentence, refundAmounts, figures }) => {
      if (!refundWord.test(sentence)) return false;
      const amounts = extractFigures(sentence, figures).filter((figure) => figure.kind === "money");
      if (amounts.length === 0) return false;
      if (PROMISE_MARKER.test(sentence)) return true;
      return amounts.some((amount) => !amount.keys.some((key) => refundAmounts.has(key)));
    },
  },
  {
    name: "a fee forgiven in other words",
    matches: ({ sentence, records }) => FEE_WORDS.test(sentence) && grantedWord(sentence, FORGIVENESS_IDIOM) && !/\bwaived\b|\breversal\b/.test(records),
  },
  {
    name: "a waiver or write-off mentioned as granted",
    matches: ({ sentence, records }) => grantedWord(sentence, WAIVER_WORD) && !/\bwaived\b|\breversal\b/.test(records),
  },
  {
    name: "leniency in other words",
    matches: ({ sentence }) => grantedWord(sentence, LENIENCY_IDIOM),
  },
  {
    name: "a payment allowed to wait",
    matches: ({ sentence }) => grantedWord(sentence, DEFERRAL_IDIOM),
  },
  {
    name: "money back promised",
    matches: ({ sentence }) => /\bmoney back\b|\bpay you back\b/.test(sentence) && (PROMISE_MARKER.test(sentence) || /\bmake sure\b|\byou(?:'ll| will) (?:get|have)\b/.test(sentence)) && !negatedBefore(sentence, sentence.search(/money back|pay you back/)),
  },
  {
    name: "a refund or waiver promised (Spanish / French)",
    matches: ({ sentence }) =>
      /\b(te |le |les )?(reembolsaremos|reembolsamos|vamos a reembolsar|hemos reembolsado|devolveremos (?:el|tu|su) dinero|condonaremos|eximiremos|eliminaremos (?:el|la|los|las) (?:cargo|comisi[oó]n|recargo|multa)|anularemos (?:el|la) (?:cargo|comisi[oó]n))\b/.test(sentence) ||
      /\bnous (?:vous )?(?:rembourserons|allons (?:vous )?rembourser|avons rembours[ée]|annulerons les frais|avons annul[ée] les frais|offrons un geste commercial)\b/.test(sentence),
  },
  ...OUTCOME_RULES,
];

export function createPolicyExceptionGuard(options: { timeZone?: string } = {}): ReplyGuard {
  return {
    name: NO_POLICY_EXCEPTION,
    check(draft, turn) {
      if (!draft.text) return pass(NO_POLICY_EXCEPTION, "no text");
      const figures = { now: turn.now, ...(options.timeZone ? { timeZone: options.timeZone } : {}) };
      const accountFacts = trustedFacts(draft, turn).filter((fact) => fact.source === "account");
      const records = accountFacts.map((fact) => fact.text.toLowerCase()).join("\n");
      const refundAmounts = new Set(
        [...groundingKeys(accountFacts.filter((fact) => fact.ref.startsWith("refund:")).map((fact) => fact.text), figures)].filter((key) => /^[A-Z]{3}:/.test(key)),
      );
      for (const sentence of sentencesOf(canonicalText(draft.text).toLowerCase())) {
        const rule = RULES.find((candidate) => candidate.matches({ sentence, records, refundAmounts, figures }));
        if (rule) return fail(NO_POLICY_EXCEPTION, "policy_exception", `${rule.name}: "${shorten(sentence, 120)}"`);
      }
      return pass(NO_POLICY_EXCEPTION, "no exception promised or granted");
    },
  };
}
