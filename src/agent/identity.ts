/**
 * Who is writing? Account facts are only for a verified customer. In order of preference:
 *   1. the conversation already holds a verified `customerId` (an earlier turn verified it);
 *   2. the web chat channel checked a signed customer token and put `meta.verifiedCustomerId` on the message;
 *   3. on SMS / WhatsApp, the sender's own number matches the phone on an account;
 *   4. otherwise a short flow: ask for the account e-mail plus an order number, check both, at most
 *      `maxAttempts` tries, then a person takes over. With an `attemptLimiter` (Redis in production) the
 *      checks of one claimed e-mail are also limited across conversations: opening a new web chat does
 *      not buy an attacker fresh tries.
 * The order number is compared in constant time against every order on record (a decoy when the e-mail
 * is unknown), so a mismatch takes as long as a match.
 * Non-disclosure: nothing the customer is told depends on whether an e-mail, phone, order or account
 * exists. The reply to wrong details is the same for an unknown e-mail, a known e-mail with a wrong order,
 * or a malformed message. Customer-typed ids are never accepted as proof.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { PHONE_CHANNEL_KINDS, normalisePhoneNumber } from "../domain/phone-number.js";
import { UpstreamError } from "../errors.js";
import type { AccountProvider, Customer } from "../ports/account-provider.js";
import type { TurnContext } from "../ports/agent-engine.js";
import type { RateLimiter } from "../ports/work-queue.js";
import type { ContextPatch } from "./conversation-context.js";

export { signCustomerToken, verifyCustomerToken, type CustomerTokenVerdict } from "./customer-token.js";

export type IdentityMethod = "session" | "token" | "phone" | "email_order";

export type IdentityOutcome =
  | {
      kind: "verified";
      customer: Customer;
      method: IdentityMethod;
      /** Put on `Draft.verifiedCustomerId`; the pipeline stores it in `conversation.customerId`. */
      verifiedCustomerId: string;
      contextPatch: ContextPatch;
      /** The question the customer asked before the verification flow started, to answer now. */
      resumeText?: string;
      /** Set when verification just completed through the flow: a short acknowledgement to lead the answer. */
      acknowledgement?: string;
    }
  | { kind: "needs_verification"; reply: string; contextPatch: ContextPatch }
  | { kind: "in_progress"; reply: string; attemptsLeft: number; contextPatch: ContextPatch }
  | { kind: "escalate"; reasonCode: "verification_failed" | "upstream_error"; reply: string; contextPatch: ContextPatch };

export interface IdentityOptions {
  /** Tries at e-mail + order number before a person takes over (default 3). */
  maxAttempts?: number;
  /** A verification flow left idle this long starts over (default 60 minutes). */
  flowTtlMinutes?: number;
  /**
   * Limits checks of one claimed e-mail across conversations: `maxAttempts` at once, one more every
   * `attemptWindowMinutes / maxAttempts` (default 60 minutes for the whole allowance).
   */
  attemptLimiter?: RateLimiter;
  attemptWindowMinutes?: number;
}

export const IDENTITY_CONTEXT_KEY = "identity";

export const VERIFICATION_REPLIES = {
  ask:
    "Before I can look at your account, I need to confirm it's you. Please reply with the email address on your account " +
    "and the number of one of your orders (it is in your order confirmation email).",
  missingEmail: "Thanks. Please also send the email address on your account, so I can confirm it's you.",
  missingOrder: "Thanks. Please also send the number of one of your orders, so I can confirm it's you.",
  mismatch: (attemptsLeft: number) =>
    `I couldn't confirm those details. Please check the email address and order number and send them again ` +
    `(${attemptsLeft} ${attemptsLeft === 1 ? "try" : "tries"} left).`,
  failed: "I couldn't confirm your details, so I'm passing you to a member of our team who can help.",
  unavailable: "I can't check account details right now, so I'm passing you to a member of our team.",
  verified: "Thanks, you're verified.",
} as const;

const FlowState = z.object({
  step: z.literal("awaiting_details"),
  attempts: z.number().int().nonnegative(),
  startedAt: z.string(),
  resumeText: z.string().max(1_000).optional(),
  email: z.string().max(320).optional(),
  orderNumber: z.string().max(40).optional(),
});
type FlowState = z.infer<typeof FlowState>;

function flowState(context: Record<string, unknown>, now: Date, ttlMinutes: number): FlowState | undefined {
  const parsed = FlowState.safeParse(context[IDENTITY_CONTEXT_KEY]);
  if (!parsed.success) return undefined;
  const started = Date.parse(parsed.data.startedAt);
  if (!Number.isFinite(started) || now.getTime() - started > ttlMinutes * 60_000) return undefined;
  return parsed.data;
}

/** True while the e-mail + order flow waits for the customer: the engine must route the turn here first. */
export function identityFlowActive(context: Record<string, unknown>, now: Date, options: IdentityOptions = {}): boolean {
  return flowState(context, now, options.flowTtlMinutes ?? 60) !== undefined;
}

/** The patch that drops an unfinished verification flow (the customer changed the subject). */
export function abandonVerification(): ContextPatch {
  return { [IDENTITY_CONTEXT_KEY]: null };
}

const EMAIL = /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}/;
const ORDER_MENTION = /(?:\border\s*(?:number|no\.?|num|#|id)?|#)\s*[:#]?\s*([A-Za-z]{0,4}-?\d{3,12})\b/i;
const BARE_ORDER = /(?<![\w@.+-])([A-Za-z]{0,4}-?\d{4,12})(?![\w@-])/;

export interface VerificationDetails {
  email?: string;
  orderNumber?: string;
}

/** Pull an e-mail address and an order number out of free text (bounded work on any input). */
export function parseVerificationDetails(text: string): VerificationDetails {
  const sample = text.slice(0, 4_000).normalize("NFKC");
  const email = EMAIL.exec(sample)?.[0];
  const rest = email ? sample.replace(email, " ") : sample;
  const order = ORDER_MENTION.exec(rest)?.[1] ?? BARE_ORDER.exec(rest.replace(/\+?\d[\d\s().-]{9,}\d/g, " "))?.[1];
  return { ...(email ? { email: email.toLowerCase() } : {}), ...(order ? { orderNumber: order } : {}) };
}

function canonicalOrderNumber(value: string): string {
  return value.trim().replace(/^#/, "").replace(/\s+/g, "").toUpperCase();
}

/** Equal-length digests compared with timingSafeEqual: the time does not depend on where values differ. */
function sameSecretly(a: string, b: string): boolean {
  return timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest());
}

/**
 * `48213`, `#48213` and `ORD-48213` name the same order when the record is `48213` or `ORD-48213`.
 * Every comparison runs whatever the earlier ones gave (no short circuit).
 */
export function sameOrderNumber(recorded: string, typed: string): boolean {
  const a = canonicalOrderNumber(recorded);
  const b = canonicalOrderNumber(typed);
  const digitsA = a.replace(/\D/g, "");
  const digitsB = b.replace(/\D/g, "");
  const whole = sameSecretly(a, b);
  const digits = sameSecretly(digitsA, digitsB);
  const digitForm = digitsA.length >= 4 && (/^\d+$/.test(a) || /^\d+$/.test(b));
  return whole || (digits && digitForm);
}

/** Compared against when the e-mail is unknown, so that path does the same work as a known one. */
const DECOY_ORDER = "ORD-00000000";

/** Whether `typed` names one of `recorded` (all of them are compared). */
function namesAnOrder(recorded: readonly string[], typed: string): boolean {
  let found = false;
  for (const id of recorded.length > 0 ? recorded : [DECOY_ORDER]) found = sameOrderNumber(id, typed) || found;
  return recorded.length > 0 && found;
}

/** The limiter's key for a claimed e-mail: hashed, so Redis holds no addresses. */
function attemptKey(email: string): string {
  return `identity:email:${createHash("sha256").update(email.trim().toLowerCase()).digest("hex").slice(0, 32)}`;
}

/** Takes one check from the claimed e-mail's allowance (shared by every conversation); false when spent. */
async function checkAllowed(email: string, maxAttempts: number, options: IdentityOptions): Promise<boolean> {
  if (!options.attemptLimiter) return true;
  const windowSeconds = (options.attemptWindowMinutes ?? 60) * 60;
  const { allowed } = await options.attemptLimiter.take(attemptKey(email), { perSecond: maxAttempts / windowSeconds, burst: maxAttempts });
  return allowed;
}

function verified(customer: Customer, method: IdentityMethod, extra: { resumeText?: string; acknowledgement?: string } = {}): IdentityOutcome {
  return { kind: "verified", customer, method, verifiedCustomerId: customer.id, contextPatch: { [IDENTITY_CONTEXT_KEY]: null }, ...extra };
}

function unavailable(error: unknown): IdentityOutcome {
  if (!(error instanceof UpstreamError)) throw error;
  return { kind: "escalate", reasonCode: "upstream_error", reply: VERIFICATION_REPLIES.unavailable, contextPatch: {} };
}

export async function resolveIdentity(turn: TurnContext, accounts: AccountProvider, options: IdentityOptions = {}): Promise<IdentityOutcome> {
  const maxAttempts = options.maxAttempts ?? 3;
  try {
    const known = await knownCustomer(turn, accounts);
    if (known) return known;
    const state = flowState(turn.conversation.context, turn.now, options.flowTtlMinutes ?? 60);
    if (!state) {
      const resumeText = turn.message.text.trim().slice(0, 1_000);
      const start: FlowState = { step: "awaiting_details", attempts: 0, startedAt: turn.now.toISOString(), ...(resumeText ? { resumeText } : {}) };
      return { kind: "needs_verification", reply: VERIFICATION_REPLIES.ask, contextPatch: { [IDENTITY_CONTEXT_KEY]: start } };
    }
    return await checkDetails(turn, accounts, state, maxAttempts, options);
  } catch (error) {
    return unavailable(error);
  }
}

async function knownCustomer(turn: TurnContext, accounts: AccountProvider): Promise<IdentityOutcome | undefined> {
  const sessionId = turn.conversation.customerId;
  if (sessionId) {
    const customer = await accounts.findCustomer({ id: sessionId });
    if (customer) return verified(customer, "session");
  }
  const tokenId = turn.message.meta.verifiedCustomerId;
  if (typeof tokenId === "string" && tokenId.length > 0 && tokenId.length <= 200) {
    const customer = await accounts.findCustomer({ id: tokenId });
    if (customer) return verified(customer, "token");
  }
  if ((PHONE_CHANNEL_KINDS as readonly string[]).includes(turn.channelKind)) {
    const phone = normalisePhoneNumber(turn.conversation.customerAddress);
    if (phone) {
      const customer = await accounts.findCustomer({ phone });
      if (customer) return verified(customer, "phone");
    }
  }
  return undefined;
}

async function checkDetails(turn: TurnContext, accounts: AccountProvider, state: FlowState, maxAttempts: number, options: IdentityOptions): Promise<IdentityOutcome> {
  const parsed = parseVerificationDetails(turn.message.text);
  const email = parsed.email ?? state.email;
  const orderNumber = parsed.orderNumber ?? state.orderNumber;
  const attempts = state.attempts + 1;
  const attemptsLeft = maxAttempts - attempts;

  if (email === undefined || orderNumber === undefined) {
    if (attemptsLeft <= 0) return { kind: "escalate", reasonCode: "verification_failed", reply: VERIFICATION_REPLIES.failed, contextPatch: abandonVerification() };
    const next: FlowState = { ...state, attempts, ...(email ? { email } : {}), ...(orderNumber ? { orderNumber } : {}) };
    const reply = email === undefined && orderNumber === undefined ? VERIFICATION_REPLIES.ask : email === undefined ? VERIFICATION_REPLIES.missingEmail : VERIFICATION_REPLIES.missingOrder;
    return { kind: "in_progress", reply, attemptsLeft, contextPatch: { [IDENTITY_CONTEXT_KEY]: next } };
  }

  // Spent across conversations: a person takes over, and the details are not even checked.
  if (!(await checkAllowed(email, maxAttempts, options))) {
    return { kind: "escalate", reasonCode: "verification_failed", reply: VERIFICATION_REPLIES.failed, contextPatch: abandonVerification() };
  }
  const customer = await accounts.findCustomer({ email });
  // An unknown e-mail and a wrong order number lead to the same outcome below, word for word.
  const orders = customer ? await accounts.getOrders(customer.id) : [];
  if (namesAnOrder(orders.map((order) => order.id), orderNumber) && customer) {
    return verified(customer, "email_order", {
      ...(state.resumeText ? { resumeText: state.resumeText } : {}),
      acknowledgement: VERIFICATION_REPLIES.verified,
    });
  }
  if (attemptsLeft <= 0) return { kind: "escalate", reasonCode: "verification_failed", reply: VERIFICATION_REPLIES.failed, contextPatch: abandonVerification() };
  // Forget both details: the next try must bring a fresh pair, and a wrong e-mail is not kept around.
  const next: FlowState = { step: "awaiting_details", attempts, startedAt: state.startedAt, ...(state.resumeText ? { resumeText: state.resumeText } : {}) };
  return { kind: "in_progress", reply: VERIFICATION_REPLIES.mismatch(attemptsLeft), attemptsLeft, contextPatch: { [IDENTITY_CONTEXT_KEY]: next } };
}
