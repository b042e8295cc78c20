/**
 * No other customer's data in a reply. Two checks:
 *  - structural: the draft was built on account facts of someone other than the verified customer (or on
 *    account facts while nobody is verified): it fails whatever the text says;
 *  - textual: every e-mail address, phone number, card "ending in" digits and record id (`C-1001`,
 *    `P-1002`, order numbers) in the reply must come from this turn's trusted facts (the verified
 *    customer's records, knowledge-base and policy passages) or from the customer's own messages.
 */
import { normalisePhoneNumber } from "../domain/phone-number.js";
import type { ReplyGuard } from "../ports/agent-engine.js";
import { canonicalText, shorten } from "./text.js";
import { customerWrote, fail, pass, trustedFacts, verifiedCustomerIdOf } from "./verdict.js";

export const NO_DATA_LEAK = "no_data_leak";

const EMAIL = /[a-z0-9._%+-]{1,64}@[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){0,8}\.[a-z]{2,24}/g;
const PHONE = /(?:\+\d[\d ().-]{6,18}\d|\(?\b\d{3}\)?[ .-]\d{3}[ .-]\d{4}\b)/g;
const LAST_FOUR = /\b(?:ending(?: in| with)?|ends(?: in| with)?|last (?:four|4)(?: digits)?(?: are| is|:)?|x{2,}|\*{2,}|•{2,})\s*(\d{4})\b/g;
const RECORD_ID = /\b(?:[a-z]{1,4}-\d{3,}|(?:order|order number|order no\.?|#)\s*#?\s*\d{4,})\b/g;

function all(pattern: RegExp, text: string): string[] {
  return [...text.matchAll(pattern)].map((match) => match[1] ?? match[0]);
}

function digitsOf(text: string): string {
  return text.replace(/\D/g, "");
}

export function createDataLeakGuard(): ReplyGuard {
  return {
    name: NO_DATA_LEAK,
    check(draft, turn) {
      const customerId = verifiedCustomerIdOf(draft, turn);
      const foreign = draft.facts.filter((fact) => fact.source === "account" && fact.customerId !== undefined && fact.customerId !== customerId);
      if (foreign.length > 0) {
        const whose = customerId === undefined ? "while no customer is verified" : "of another customer";
        return fail(NO_DATA_LEAK, "data_leak", `the draft uses account records ${whose} (${foreign.slice(0, 3).map((fact) => fact.ref).join(", ")})`);
      }
      if (!draft.text) return pass(NO_DATA_LEAK, "no text");

      const reply = canonicalText(draft.text).toLowerCase();
      const allowedText = canonicalText([...trustedFacts(draft, turn).map((fact) => fact.text), customerWrote(turn)].join("\n")).toLowerCase();
      const problems: string[] = [];

      const allowedEmails = new Set(all(EMAIL, allowedText));
      for (const email of all(EMAIL, reply)) if (!allowedEmails.has(email)) problems.push(`e-mail ${email}`);

      const allowedPhones = new Set(all(PHONE, allowedText).map((phone) => normalisePhoneNumber(phone) ?? digitsOf(phone)));
      for (const phone of all(PHONE, reply.replace(EMAIL, " "))) {
        const key = normalisePhoneNumber(phone) ?? digitsOf(phone);
        if (!allowedPhones.has(key)) problems.push(`phone ${phone.trim()}`);
      }

      const allowedLastFour = new Set(all(LAST_FOUR, allowedText));
      for (const last4 of all(LAST_FOUR, reply)) if (!allowedLastFour.has(last4)) problems.push(`card ending ${last4}`);

      const allowedIds = new Set(all(RECORD_ID, allowedText).map(digitsOrId));
      for (const id of all(RECORD_ID, reply)) if (!allowedIds.has(digitsOrId(id))) problems.push(`record ${id.trim()}`);

      if (problems.length > 0) {
        return fail(NO_DATA_LEAK, "data_leak", `not the verified customer's and not in this turn's facts: ${shorten(problems.slice(0, 5).join(", "), 300)}`);
      }
      return pass(NO_DATA_LEAK, customerId ? `only customer ${customerId}'s data` : "no account data");
    },
  };
}

/** `order #48213` and `48213` are the same record; `P-1002` stays as it is. */
function digitsOrId(id: string): string {
  return /^[a-z]{1,4}-\d+$/.test(id.trim()) ? id.trim() : digitsOf(id);
}
