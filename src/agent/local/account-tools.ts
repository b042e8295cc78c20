/**
 * What the embedded engine needs from the company's account data: who the customer is (verified or
 * not) and account facts as sentences with their grounding facts. The composition root supplies an
 * implementation over the account provider and the identity and account-facts modules; without one,
 * account questions ask the customer to verify and go no further.
 */
import type { AccountCheck, AccountFactKind } from "../../kb/format.js";
import type { GroundingFact, TurnContext } from "../../ports/agent-engine.js";

export type IdentityState =
  | { status: "verified"; customerId: string; contextPatch?: Record<string, unknown> }
  /** The customer is not verified; `reply` asks them to (in the identity module's words). */
  | { status: "unverified"; reply: string; contextPatch?: Record<string, unknown> }
  /** The identity step itself answered this turn (a code asked for, a failed attempt). */
  | { status: "in_progress"; reply: string; contextPatch?: Record<string, unknown>; verifiedCustomerId?: string };

export interface AccountStatement {
  text: string;
  facts: GroundingFact[];
}

export interface AccountTools {
  identify(turn: TurnContext): Promise<IdentityState>;
  /** Account facts of one kind for a verified customer; null when the account holds none. */
  describe(kind: AccountFactKind, customerId: string, turn: TurnContext): Promise<AccountStatement | null>;
  check(check: AccountCheck, customerId: string, turn: TurnContext): Promise<boolean>;
}

export const VERIFY_FIRST =
  "I can help with that once I've confirmed who you are. Please sign in on our website or app and start the chat from there, " +
  "or message us from the phone number on your account.";

/** No account data connected: every account question is met with a request to verify, never a guess. */
export const NO_ACCOUNT_TOOLS: AccountTools = {
  async identify(turn) {
    return turn.conversation.customerId
      ? { status: "verified", customerId: turn.conversation.customerId }
      : { status: "unverified", reply: VERIFY_FIRST };
  },
  async describe() {
    return null;
  },
  async check() {
    return false;
  },
};
