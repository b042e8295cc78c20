/**
 * What the embedded engine needs from the company's account data: who the customer is (verified or
 * not) and account facts as sentences with their grounding facts. `createProviderAccountTools` builds
 * it over an `AccountProvider` with the identity and account-facts modules; without account data,
 * `NO_ACCOUNT_TOOLS` meets every account question with a request to verify, never a guess.
 */
import type { AccountActionKind, AccountCheck, AccountFactKind } from "../../kb/format.js";
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

/** What a tree's `account_action` step leads to. */
export type ActionProposal =
  /** The message asks for no change the engine can make out. */
  | { kind: "no_request" }
  /** A restatement to confirm (or "nothing to change"), with the facts behind its figures. */
  | { kind: "reply"; text: string; facts: GroundingFact[]; contextPatch?: Record<string, unknown> }
  /** Outside what the AI may do (human-only, beyond policy, not possible): a person takes it. */
  | { kind: "refused"; reasonCode: string; detail: string };

/** What a pending, restated action makes of this turn. */
export type PendingActionStep =
  | { kind: "none" }
  /** Done, cancelled or asked again: the reply is the whole answer. */
  | { kind: "reply"; text: string; facts: GroundingFact[]; contextPatch: Record<string, unknown> }
  /** Dropped (expired, or the customer asked something new): answer the message, after `text` if any. */
  | { kind: "continue"; text?: string; contextPatch: Record<string, unknown> }
  | { kind: "escalate"; reasonCode: string; text: string; contextPatch: Record<string, unknown> };

export interface AccountTools {
  identify(turn: TurnContext): Promise<IdentityState>;
  /** A verification flow waits for the customer's details: this turn goes to it first. */
  verificationPending(turn: TurnContext): boolean;
  /** The context patch that drops an unfinished verification (the customer changed the subject). */
  abandonVerification(): Record<string, unknown>;
  /** Account facts of one kind for a verified customer; null when the account holds nothing to say. */
  describe(kind: AccountFactKind, customerId: string, turn: TurnContext): Promise<AccountStatement | null>;
  check(check: AccountCheck, customerId: string, turn: TurnContext): Promise<boolean>;
  /** Restates the change the message asks for, to be confirmed on the next turn. */
  proposeAction(kind: AccountActionKind, customerId: string, turn: TurnContext): Promise<ActionProposal>;
  /** Settles an action restated on an earlier turn (YES runs it once, NO or a new question drops it). */
  pendingAction(turn: TurnContext): Promise<PendingActionStep>;
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
  async proposeAction() {
    return { kind: "no_request" };
  },
  async pendingAction() {
    return { kind: "none" };
  },
};
