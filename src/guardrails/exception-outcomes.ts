/**
 * Policy exceptions stated as outcomes rather than deeds: no "I" or "we" grants anything, the customer is
 * simply told the result ("the dispute has been resolved in your favour", "you qualify for our hardship
 * plan", "no late fee for you this time", "you don't need to pay this installment"). Each is a person's
 * decision, so the AI may only report it when the account records already say so. Hedged sentences
 * ("a specialist can check whether you qualify") and refusals pass.
 */
import { CONDITIONAL_REFUND, negatedBefore, type ExceptionRule } from "./exception-rule.js";

/** "whether you qualify", "if it is resolved in your favour": a possibility, not an outcome. */
const HEDGE = /\b(?:whether|if|once|when|may|might|could|to see|to check|depends|depending)\b/;

/** `pattern` appears in the sentence neither negated nor hedged just before it. */
function statedAsOutcome(sentence: string, pattern: RegExp): boolean {
  const global = new RegExp(pattern.source, "g");
  for (const match of sentence.matchAll(global)) {
    const before = sentence.slice(Math.max(0, match.index - 40), match.index);
    if (!negatedBefore(sentence, match.index) && !HEDGE.test(before)) return true;
  }
  return false;
}

const CASE_WORD = /\b(?:dispute|claim|case|chargeback|complaint|appeal)\b/;
const DECIDED_FOR_YOU = /\b(?:(?:resolved|decided|settled|closed|ruled|found|concluded|approved)\b[^.]{0,30}\bin your favou?r|in your favou?r|you(?:'ve| have)? won)\b/;
const DISPUTE_ON_RECORD = /\bresolved customer\b|\bresolved in your favou?r\b/;

const ELIGIBLE =
  /\byou(?:'re| are|'ve been| have been)?\s*(?:now\s+|already\s+)?(?:qualify|qualified|eligible|approved|pre-?approved|accepted|entitled)\b[^.]{0,40}\b(hardship|refunds?|waivers?|extensions?|credits?|discounts?|compensation|relief|forbearance|deferrals?|reduced|lower|payment plan|program(?:me)?)\b/;

const OWED = "(?:late\\s+)?(?:fees?|charges?|penalt(?:y|ies)|interest|payments?|installments?)";
const LET_GO_ONCE = new RegExp(`\\bno\\s+${OWED}\\b[^.]{0,30}\\b(?:for you|this time|this once|this month|on this (?:one|occasion|payment|order))\\b`);
const ONE_OFF = /\b(?:this time|this once|just once|on this occasion|this one time)\b/;
const OWED_WORD = new RegExp(`\\b${OWED}\\b`);
const NOT_OWED = /\b(?:no|not|never|won't|don't|doesn't|without|skip)\b|n't\b/;

const PAYMENT_NOT_OWED =
  /\byou\s*(?:don't|do not|won't|will not|no longer|needn't|wouldn't|shouldn't)\s+(?:have|need)?\s*to\s+(?:pay|make)\s+(?:this|that|the|your|any|next|this month's|the next|the remaining|your remaining|your next)\s+(?:\w+\s+)?(?:installments?|payments?|balance|bill|amount)\b/;

const EXCEPTION_COMING =
  /\byou(?:'ll| will| are going to|'re going to|'re| are)?\s*(?:be\s+)?(?:get|receive|getting|receiving)\s+(?:(?:a|an)\s+(?:full\s+|partial\s+|complete\s+)?|(?:full|partial|complete)\s+)(refund|credit|waiver|extension|discount|compensation|reimbursement)\b/;

export const OUTCOME_RULES: readonly ExceptionRule[] = [
  {
    name: "a dispute or claim said to be decided for the customer",
    matches: ({ sentence, records }) => CASE_WORD.test(sentence) && statedAsOutcome(sentence, DECIDED_FOR_YOU) && !DISPUTE_ON_RECORD.test(records),
  },
  {
    name: "the customer told they qualify for an exception or relief",
    matches: ({ sentence, records }) => {
      const eligible = ELIGIBLE.exec(sentence);
      if (!eligible || !statedAsOutcome(sentence, ELIGIBLE)) return false;
      return !(eligible[1] === "hardship" && /\bin hardship\b/.test(records));
    },
  },
  {
    name: "a fee or payment let go this one time",
    matches: ({ sentence }) =>
      statedAsOutcome(sentence, LET_GO_ONCE) || (ONE_OFF.test(sentence) && OWED_WORD.test(sentence) && NOT_OWED.test(sentence) && !/\b(?:can't|cannot|unable)\b/.test(sentence)),
  },
  {
    name: "the customer told a payment is not owed",
    matches: ({ sentence }) => PAYMENT_NOT_OWED.test(sentence) && !CONDITIONAL_REFUND.test(sentence),
  },
  {
    name: "a refund, credit or other exception said to be coming",
    matches: ({ sentence }) => statedAsOutcome(sentence, EXCEPTION_COMING) && !CONDITIONAL_REFUND.test(sentence),
  },
];
