/**
 * SMS keyword compliance (CTIA / carrier rules), applied before any routing: a single-word STOP opts
 * the number out at once and the AI stays silent, START opts back in, HELP gets the help text. YES is
 * an opt-in word only for a number that is opted out; otherwise it is an answer ("Reply YES to
 * confirm") and reaches the brain.
 * Twilio's own opt-out handling answers these keywords on long codes and toll-free numbers and blocks
 * sends to opted-out numbers (error 21610, which the adapter records as an opt-out too); we keep our own
 * record as well, so that nothing is even tried and agents see why a conversation went quiet.
 */
import type { ChannelDirective } from "../../src/ports/channel-adapter.js";
import type { ConversationStore } from "../../src/ports/conversation-store.js";
import type { Conversation, Message } from "../../src/domain/model.js";
import type { SmsCompliance } from "./config.js";

export type ComplianceKeyword = "opt_out" | "opt_in" | "help";

/** Twilio's default English keywords (its opt-out list includes REVOKE and OPTOUT). */
const KEYWORDS: ReadonlyMap<string, ComplianceKeyword> = new Map([
  ...["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"].map((word) => [word, "opt_out"] as const),
  ...["START", "YES", "UNSTOP"].map((word) => [word, "opt_in"] as const),
  ...["HELP", "INFO"].map((word) => [word, "help"] as const),
]);

/** Opt-in words that are also everyday answers: they opt in only a number that is opted out. */
const ANSWER_WORDS: ReadonlySet<string> = new Set(["YES"]);

/** The message as a single keyword word, upper case: "Stop", " STOP. ", "stop!!" -> "STOP". */
function keywordWord(text: string): string | undefined {
  const word = text.trim().replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, "");
  return /^\p{L}+$/u.test(word) ? word.toUpperCase() : undefined;
}

/** "Stop", " STOP. ", "stop!!" are keywords; "stop please" and "don't stop" are not (single word only). */
export function classifyKeyword(text: string): ComplianceKeyword | undefined {
  const word = keywordWord(text);
  return word === undefined ? undefined : KEYWORDS.get(word);
}

export interface ComplianceDecision {
  directive: ChannelDirective;
  /** Opt-out state to record, when the keyword changes it. */
  optOut?: boolean;
}

/** How much of a customer's message an agent's note quotes. */
const QUOTE_LIMIT = 300;

/**
 * What a keyword means for this message, given whether the number is opted out now. An opted-out
 * number's other messages are kept for the agents but get no reply and queue no send: only an opt-in
 * word opens the number again. Our own reply text goes out only when configured and when Twilio did
 * not already answer (`OptOutType` on the webhook means Advanced Opt-Out replied).
 */
export function decideCompliance(message: Message, settings: SmsCompliance, optedOut: boolean): ComplianceDecision {
  const word = message.attachments.length > 0 ? undefined : keywordWord(message.text);
  const keyword = word === undefined ? undefined : KEYWORDS.get(word);
  const optsIn = keyword === "opt_in" && (optedOut || !ANSWER_WORDS.has(word ?? ""));
  if (optedOut && !optsIn) {
    const quoted = message.text.trim().slice(0, QUOTE_LIMIT) || `${message.attachments.length} attachment(s)`;
    return {
      directive: {
        kind: "handled",
        reason: "sms_opted_out",
        deskNote: `The customer, who is opted out of SMS from this number, wrote: "${quoted}". Nothing can be sent to them by SMS until they text START.`,
      },
    };
  }
  if (keyword === undefined || (keyword === "opt_in" && !optsIn)) return { directive: { kind: "route" } };
  const twilioAnswered = typeof message.meta.optOutType === "string";
  const reply = (text: string | undefined): { replies?: string[] } =>
    text !== undefined && !twilioAnswered ? { replies: [text] } : {};

  switch (keyword) {
    case "opt_out":
      return {
        optOut: true,
        directive: {
          kind: "handled",
          reason: "sms_opt_out",
          // The one confirmation carriers allow after STOP: `send` lets exactly this text through.
          ...reply(settings.optOutConfirmation),
          deskNote: `The customer texted "${message.text.trim().slice(0, 20)}": they are opted out of SMS from this number. Nothing more will be sent until they text START.`,
        },
      };
    case "opt_in":
      return {
        optOut: false,
        directive: {
          kind: "handled",
          reason: "sms_opt_in",
          ...reply(settings.optInConfirmation),
          deskNote: `The customer texted "${word}": they have opted back in to SMS from this number.`,
        },
      };
    case "help":
      return { directive: { kind: "handled", reason: "sms_help", ...reply(settings.helpText) } };
  }
}

/** Apply the decision: record the opt-out state first, so no reply already queued slips through. */
export async function applyCompliance(
  store: ConversationStore,
  message: Message,
  conversation: Conversation,
  settings: SmsCompliance,
): Promise<ChannelDirective> {
  const contact = await store.getContact(conversation.channelId, conversation.customerAddress);
  const decision = decideCompliance(message, settings, contact?.optedOut === true);
  if (decision.optOut !== undefined) {
    await store.setOptOut(conversation.channelId, conversation.customerAddress, decision.optOut);
  }
  return decision.directive;
}
