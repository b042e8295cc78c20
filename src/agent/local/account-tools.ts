/**
 * What the embedded engine needs from the company's account data: who the customer is (verified or
 * not) and account facts as sentences with their grounding facts. `createProviderAccountTools` builds
 * it over an `AccountProvider` with the identity and account-facts modules; without account data,
 * `NO_ACCOUNT_TOOLS` meets every account question with a request to verify, never a guess.
 */
import type { AccountCheck, AccountFactKind } from "../../kb/format.js";
import type { GroundingFact, TurnContext } from "../../ports/agent-engine.js";

export type IdentityState =
  | {
      status: "verified";
      customerId: string;
      contextPatch?: Record<string, unknown>;
      /** The question asked before verification started: the engine answers it now. */
      resumeText?: string;
      /** A short "you're verified" to lead the answer with. */
      acknowledgement?: string;
    }
  /** Not verified; `reply` asks the customer to verify (the patch starts the verification flow). */
  | { status: "unverified"; reply: string; contextPatch?: Record<string, unknown> }
  /** Verification under way: `reply` asks for what is still missing. */
  | { status: "in_progress"; reply: string; contextPatch?: Record<string, unknown> }
  /** Verification failed or the account system is down: a person takes over. */
  | { status: "failed"; reasonCode: string; reply: string; contextPatch?: Record<string, unknown> };

export interface AccountStatement {
  text: string;
  facts: GroundingFact[];
}

export interface AccountTools {
  identify(turn: TurnContext): Promise<IdentityState>;
  /** A verification flow waits for the customer's details: this turn goes to it first. */
  verificationPending(turn: TurnContext): boolean;
  /** The context patch that drops an unfinished verification (the customer changed the subject). */
  abandonVerification(): Record<string, unknown>;
  /** Account facts of one kind for a verified customer; null when the account holds nothing to say. */
  describe(kind: AccountFactKind, customerId: string, turn: TurnContext): Promise<AccountStatement | null>;
  check(check: AccountCheck, customerId: string, turn: TurnContext): Promise<boolean>;
}

export const VERIFY_FIRST =
  "I can help with that once I've confirmed who you are. Please sign in on our website or app and start the chat from there, " +
  "or message us from the phone number on your account.";

export const NO_ACCOUNT_TOOLS: AccountTools = {
  async identify(turn) {
    return turn.conversation.customerId
      ? { status: "verified", customerId: turn.conversation.customerId }
      : { status: "unverified", reply: VERIFY_FIRST };
  },
  verificationPending: () => false,
  abandonVerification: () => ({}),
  async describe() {
    return null;
  },
  async check() {
    return false;
  },
};
