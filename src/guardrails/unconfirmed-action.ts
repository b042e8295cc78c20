/**
 * Account actions only after confirmation: a reply that says an account was changed ("I've moved your
 * due date", "autopay is now off", "I've sent you a link") passes only when, in this very turn, the
 * customer confirmed a pending restatement with an unambiguous yes AND the draft carries the receipt fact
 * of that action (`action:<pending id>:<kind>`, written by src/agent/account-actions.ts after the provider
 * did it). Cancelling an order, closing an account or changing a card are never done by the AI: a reply
 * claiming them always fails. Offers and restatements ("I can move it; reply YES to confirm") pass.
 */
import type { ReplyGuard } from "../ports/agent-engine.js";
import { actionConfirmedThisTurn, actionReceiptRef } from "../agent/account-actions.js";
import { canonicalText, sentencesOf, shorten } from "./text.js";
import { fail, pass, trustedFacts } from "./verdict.js";

export const CONFIRMED_ACTIONS_ONLY = "confirmed_actions_only";

type ClaimKind = "change_due_date" | "set_autopay" | "send_card_update_link" | "update_card" | "cancel_order" | "close_account";

/** "I've", "we have just", "I'll", "I'm going to": a deed or a firm promise (not "I can", not a question). */
const ACTOR = "\\b(?:i|we)\\b(?:'ve|'ll|'m| have| has| had| will| shall| am| are| just| already| now| also| gone ahead and| go ahead and| going to| 'm going to| went ahead and|\\s)*\\s*";

/** `exemptIf`: the account records already say so (a merchant-cancelled order), so it is a report. */
const CLAIMS: ReadonlyArray<{ kind: ClaimKind; pattern: RegExp; exemptIf?: (records: string) => boolean }> = [
  {
    kind: "change_due_date",
    pattern: new RegExp(
      `${ACTOR}(changed|moved|updated|rescheduled|shifted|pushed|bumped|change|move|update|reschedule|shift|push|bump)\\b[^.?!]{0,40}\\b(?:(?:due date|payment date|due day)\\b|(?:payment|installment)\\b[^.?!]{0,40}\\b(?:to|until|back|forward)\\b)`,
    ),
  },
  {
    kind: "change_due_date",
    pattern: /\b(due date|payment date|payment|installment)\b[^.?!]{0,60}\b(?:has been|have been|was|were|is now|are now|got|is being)\s+(changed|moved|rescheduled|shifted|pushed back|pushed)\b/,
  },
  {
    kind: "set_autopay",
    pattern: new RegExp(`${ACTOR}(turned|switched|enabled|disabled|activated|deactivated|stopped|cancell?ed|paused|turn|switch|enable|disable|activate|deactivate|stop|cancel|pause)\\b[^.?!]{0,30}\\bauto-?pay\\b`),
  },
  {
    kind: "set_autopay",
    pattern:
      /\bauto-?pay\b[^.?!]{0,30}\b(?:(?:is now|has been|have been|was just|got|is being)\s+(?:turned |switched )?(?:on|off|enabled|disabled|activated|deactivated|cancell?ed|stopped|paused|set up)|was (?:turned|switched) (?:on|off)|was (?:enabled|disabled|activated|deactivated|cancell?ed|stopped|paused|set up))\b/,
  },
  {
    kind: "set_autopay",
    pattern:
      /\bauto-?pay\b[^.?!]{0,20}\b(?:off|on|disabled|enabled|cancell?ed|stopped)\b[^.?!]{0,20}\b(?:now|done)\b|\b(?:done|all set)\b[^.?!]{0,30}\bauto-?pay\b|\bauto-?pay\b\s*:\s*(?:disabled|enabled|off|on)\s*[✅✔☑]/,
  },
  {
    kind: "cancel_order",
    pattern: /\b(?:order|purchase)\b[^.?!]{0,40}\b(?:has been|have been|was|is now|got)\s+(?:cancell?ed|voided)\b/,
    exemptIf: (records) => /\border [^\n]*status cancell?ed\b/.test(records),
  },
  {
    kind: "send_card_update_link",
    pattern: new RegExp(`${ACTOR}(sent|send|texted|text|emailed|email|messaged|message)\\b[^.?!]{0,40}\\blink\\b`),
  },
  { kind: "send_card_update_link", pattern: /\blink\b[^.?!]{0,30}\b(?:has been|was just|was|is on its way|is being)\s*(?:sent|texted|emailed)?\b/ },
  {
    kind: "update_card",
    pattern: new RegExp(`${ACTOR}(updated|changed|replaced|added|removed|update|change|replace|add|remove)\\b[^.?!]{0,30}\\b(card|payment method)\\b`),
  },
  { kind: "update_card", pattern: /\b(?:new |your )?(card|payment method)\b[^.?!]{0,20}\b(?:has been|was|is now)\s+(updated|changed|replaced|added|saved)\b/ },
  { kind: "cancel_order", pattern: new RegExp(`${ACTOR}(cancell?ed|cancel|voided|void|stopped|stop)\\b[^.?!]{0,30}\\b(order|purchase|plan)\\b`) },
  { kind: "close_account", pattern: new RegExp(`${ACTOR}(closed|close|deleted|delete|deactivated|deactivate|terminated|terminate|removed|remove)\\b[^.?!]{0,30}\\baccount\\b`) },
  {
    kind: "close_account",
    pattern: /\baccount\b[^.?!]{0,30}\b(?:has been|have been|was|is now|is|got|will be|'ll be|is being)\s+(?:now\s+|permanently\s+)?(?:closed|deleted|deactivated|terminated|cancell?ed|shut down)\b/,
  },
];

/** A sentence that asks or conditions rather than claims: "once you reply YES I'll move it", "shall I...". */
const NOT_A_CLAIM = /\b(?:once|after|when|if) you (?:confirm|reply|say|answer)\b|\breply yes\b|\bto confirm\b|\bwould you like\b|\bdo you want\b|\bshall i\b|\bshould i\b|\bwant me to\b|\bcan i\b|\?\s*$/;

export function createUnconfirmedActionGuard(): ReplyGuard {
  return {
    name: CONFIRMED_ACTIONS_ONLY,
    check(draft, turn) {
      if (!draft.text) return pass(CONFIRMED_ACTIONS_ONLY, "no text");
      const records = trustedFacts(draft, turn)
        .filter((fact) => fact.source === "account")
        .map((fact) => fact.text.toLowerCase())
        .join("\n");
      const claims: Array<{ kind: ClaimKind; sentence: string }> = [];
      for (const sentence of sentencesOf(canonicalText(draft.text).toLowerCase())) {
        if (NOT_A_CLAIM.test(sentence)) continue;
        for (const claim of CLAIMS) {
          if (claim.pattern.test(sentence) && !claim.exemptIf?.(records)) claims.push({ kind: claim.kind, sentence });
        }
      }
      if (claims.length === 0) return pass(CONFIRMED_ACTIONS_ONLY, "no account change claimed");
      const confirmed = actionConfirmedThisTurn(turn);
      const receipt = confirmed && draft.facts.some((fact) => fact.source === "account" && fact.ref === actionReceiptRef(confirmed));
      const unbacked = claims.filter((claim) => !(confirmed && receipt && claim.kind === confirmed.action.kind));
      if (unbacked.length === 0) return pass(CONFIRMED_ACTIONS_ONLY, `claims the confirmed ${confirmed?.action.kind ?? ""} action, receipt present`);
      const first = unbacked[0]!;
      const why = !confirmed
        ? "no action was confirmed by the customer this turn"
        : !receipt
          ? "the confirmed action has no receipt in this draft's facts"
          : `the customer confirmed ${confirmed.action.kind}, not ${first.kind}`;
      return fail(CONFIRMED_ACTIONS_ONLY, "unconfirmed_action", `${first.kind.replace(/_/g, " ")} claimed but ${why}: "${shorten(first.sentence, 120)}"`);
    },
  };
}
