/**
 * The model's function tools, each a thin door onto the brain's shared parts: account look-ups through
 * the identity rule and the account-fact sentences (src/agent/identity.ts, account-facts.ts), account
 * actions through the confirmation flow (account-actions.ts), knowledge-base search, and a way out to a
 * person. Every account tool first asks who the customer is: an unverified turn ends with the identity
 * flow's reply, never with data. A tool returns the text the model reads (masked) and the grounding facts
 * (unmasked) the guardrails judge the reply against.
 */
import { z } from "zod";
import { calendarDateIn } from "../../domain/calendar-date.js";
import type { Priority } from "../../domain/model.js";
import { maskForModel } from "../../guardrails/mask-for-model.js";
import type { AccountProvider } from "../../ports/account-provider.js";
import type { GroundingFact, TurnContext } from "../../ports/agent-engine.js";
import { proposeAction, type ActionPolicy } from "../account-actions.js";
import {
  describeAutopay,
  describeCard,
  describeCustomer,
  describeDispute,
  describeLateFees,
  describeNextPayment,
  describeOrder,
  describePaymentSchedule,
  describeRefund,
  type AccountAnswer,
  type AccountSnapshot,
} from "../account-facts.js";
import { fetchAccountSnapshot } from "../account-snapshot.js";
import type { ContextPatch } from "../conversation-context.js";
import { resolveIdentity, type IdentityOptions } from "../identity.js";
import { DRAFT_REASON } from "../reason-codes.js";
import { defineTool, type EngineTool, type ToolResult } from "./tool-loop.js";

/** How a tool ends the turn instead of handing data back to the model. */
export type TurnStop =
  | { kind: "escalate"; reasonCode: string; reason: string; text?: string; priority?: Priority; facts?: GroundingFact[] }
  | { kind: "reply"; text: string; reasonCodes: string[]; facts: GroundingFact[]; draftKind: "answer" | "clarify" };

/** Passage search over the knowledge base (the composition root adapts the kb's retrieval to it). */
export interface KnowledgeSearch {
  search(query: string, limit: number): Array<{ id: string; title: string; text: string }>;
}

/** What the tools learned about the customer this turn, for the draft. */
export interface AccountSessionState {
  verifiedCustomerId?: string;
  contextPatches: ContextPatch[];
}

export interface ToolDependencies {
  turn: TurnContext;
  accounts?: AccountProvider;
  knowledge?: KnowledgeSearch;
  identity?: IdentityOptions;
  actionPolicy?: Partial<ActionPolicy>;
  timeZone?: string;
  /** Passages per search. */
  searchLimit?: number;
}

type Result = ToolResult<TurnStop>;

const stop = (value: TurnStop): Result => ({ kind: "stop", stop: value });
const data = (answers: readonly AccountAnswer[], empty: string): Result => {
  const text = answers.map((answer) => answer.text).join("\n").trim();
  return { kind: "data", text: maskForModel(text === "" ? empty : text), facts: answers.flatMap((answer) => answer.facts) };
};

/** One turn's account access: identity checked once, the verified customer's records read once. */
class AccountSession {
  readonly state: AccountSessionState = { contextPatches: [] };
  private snapshot: Promise<AccountSnapshot | Result> | undefined;

  constructor(private readonly deps: ToolDependencies & { accounts: AccountProvider }) {}

  records(): Promise<AccountSnapshot | Result> {
    this.snapshot ??= this.load();
    return this.snapshot;
  }

  private async load(): Promise<AccountSnapshot | Result> {
    const identity = await resolveIdentity(this.deps.turn, this.deps.accounts, this.deps.identity ?? {});
    this.state.contextPatches.push(identity.contextPatch);
    if (identity.kind === "escalate") return stop({ kind: "escalate", reasonCode: identity.reasonCode, reason: "identity could not be verified", text: identity.reply });
    if (identity.kind !== "verified") return stop({ kind: "reply", text: identity.reply, reasonCodes: [DRAFT_REASON.verificationRequired], facts: [], draftKind: "clarify" });
    this.state.verifiedCustomerId = identity.verifiedCustomerId;
    const snapshot = await fetchAccountSnapshot(this.deps.accounts, identity.verifiedCustomerId);
    if (!snapshot) return stop({ kind: "escalate", reasonCode: "upstream_error", reason: "the verified customer's account could not be read" });
    return snapshot;
  }
}

const NoArgs = z.object({});

export interface TurnTools {
  tools: Array<EngineTool<TurnStop>>;
  session: AccountSessionState;
}

export function createTurnTools(deps: ToolDependencies): TurnTools {
  const tools: Array<EngineTool<TurnStop>> = [];
  const session = deps.accounts ? new AccountSession({ ...deps, accounts: deps.accounts }) : undefined;
  const today = () => calendarDateIn(deps.turn.now, deps.timeZone);

  /** Runs `read` on the verified customer's records, or ends the turn with the identity flow's reply. */
  const withRecords = (read: (snapshot: AccountSnapshot) => Result) => async (): Promise<Result> => {
    if (!session) return stop({ kind: "escalate", reasonCode: "accounts_unavailable", reason: "no account system is connected" });
    const records = await session.records();
    return "customer" in records ? read(records) : records;
  };

  if (session) {
    tools.push(
      defineTool({
        name: "get_payment_schedule",
        description: "The verified customer's payment plans: every installment with its exact due date, amount and status, and the next payment due. plan_id: one plan, or null for all.",
        args: z.object({ plan_id: z.string().max(40).nullable() }),
        run: async (args) =>
          withRecords((snapshot) => {
            const id = snapshot.customer.id;
            const plans = args.plan_id === null ? snapshot.plans : snapshot.plans.filter((plan) => plan.id.toLowerCase() === args.plan_id?.toLowerCase());
            if (args.plan_id !== null && plans.length === 0) return data([], `No plan ${args.plan_id} on this customer's account.`);
            return data([describeNextPayment(id, snapshot.plans, today()), ...plans.map((plan) => describePaymentSchedule(id, plan))], "No payment plans on this account.");
          })(),
      }),
      defineTool({
        name: "get_orders",
        description: "The verified customer's orders: merchant, date, total, status and tracking. order_id: one order, or null for all.",
        args: z.object({ order_id: z.string().max(40).nullable() }),
        run: async (args) =>
          withRecords((snapshot) => {
            const wanted = args.order_id?.replace(/^#/, "").toLowerCase();
            const orders = wanted === undefined ? snapshot.orders : snapshot.orders.filter((order) => order.id.toLowerCase() === wanted || order.id.toLowerCase().endsWith(`-${wanted}`));
            return data(orders.map((order) => describeOrder(snapshot.customer.id, order)), args.order_id === null ? "No orders on this account." : `No order ${args.order_id} on this customer's account.`);
          })(),
      }),
      defineTool({
        name: "get_refunds",
        description: "The verified customer's refund requests and their status. An amount appears only when the record holds it.",
        args: NoArgs,
        run: async () =>
          withRecords((snapshot) => {
            const orders = new Map(snapshot.orders.map((order) => [order.id, order]));
            return data(snapshot.refunds.map((refund) => describeRefund(snapshot.customer.id, refund, orders.get(refund.orderId))), "No refund requests on this account.");
          })(),
      }),
      defineTool({
        name: "get_disputes",
        description: "The verified customer's disputes and whether payments are paused.",
        args: NoArgs,
        run: async () =>
          withRecords((snapshot) => {
            const orders = new Map(snapshot.orders.map((order) => [order.id, order]));
            return data(snapshot.disputes.map((dispute) => describeDispute(snapshot.customer.id, dispute, orders.get(dispute.orderId))), "No disputes on this account.");
          })(),
      }),
      defineTool({
        name: "get_account_details",
        description: "The verified customer's account status, card on file (last four digits and expiry), autopay per plan and any late fees.",
        args: NoArgs,
        run: async () =>
          withRecords((snapshot) => {
            const id = snapshot.customer.id;
            return data([describeCustomer(snapshot.customer), describeCard(snapshot.customer, today()), describeAutopay(id, snapshot.plans), describeLateFees(id, snapshot.plans)], "");
          })(),
      }),
      defineTool({
        name: "propose_account_action",
        description:
          "Start an account change the customer asked for. The system sends the customer an exact restatement to confirm; nothing changes until they reply YES. " +
          "action: change_due_date (plan_id, installment_number, new_due_date YYYY-MM-DD), set_autopay (autopay_enabled, plan_id or null for all), " +
          "send_card_update_link (link_via sms or email, or null), cancel_order or close_account (a person does these). Unused fields: null.",
        args: z.object({
          action: z.enum(["change_due_date", "set_autopay", "send_card_update_link", "cancel_order", "close_account"]),
          plan_id: z.string().max(40).nullable(),
          installment_number: z.number().int().positive().nullable(),
          new_due_date: z.string().max(10).nullable(),
          autopay_enabled: z.boolean().nullable(),
          link_via: z.enum(["sms", "email"]).nullable(),
        }),
        run: async (args) => {
          if (!session || !deps.accounts) return stop({ kind: "escalate", reasonCode: "accounts_unavailable", reason: "no account system is connected" });
          const records = await session.records();
          if (!("customer" in records)) return records;
          const action =
            args.action === "change_due_date"
              ? { kind: args.action, planId: args.plan_id ?? "", installmentNumber: args.installment_number ?? 0, newDueDate: args.new_due_date ?? "" }
              : args.action === "set_autopay"
                ? { kind: args.action, enabled: args.autopay_enabled ?? true, ...(args.plan_id ? { planId: args.plan_id } : {}) }
                : args.action === "send_card_update_link"
                  ? { kind: args.action, ...(args.link_via ? { via: args.link_via } : {}) }
                  : { kind: args.action };
          const outcome = proposeAction({
            turn: deps.turn,
            accounts: deps.accounts,
            snapshot: records,
            action,
            today: today(),
            ...(deps.actionPolicy ? { policy: deps.actionPolicy } : {}),
          });
          if (outcome.kind === "refused") return stop({ kind: "escalate", reasonCode: outcome.reasonCode, reason: outcome.detail, priority: outcome.reasonCode === "policy_exception" ? "high" : "normal" });
          if (outcome.kind === "no_change") return { kind: "data", text: maskForModel(outcome.reply), facts: outcome.facts };
          // The restatement is the reply, word for word: the customer confirms exactly what will happen.
          session.state.contextPatches.push(outcome.contextPatch);
          return stop({ kind: "reply", text: outcome.reply, reasonCodes: [DRAFT_REASON.accountAction], facts: outcome.facts, draftKind: "clarify" });
        },
      }),
    );
  }

  if (deps.knowledge) {
    const knowledge = deps.knowledge;
    tools.push(
      defineTool({
        name: "search_knowledge_base",
        description: "Search the company's help articles and policies. Returns the most relevant passages.",
        args: z.object({ query: z.string().min(1).max(500) }),
        run: async (args) => {
          const passages = knowledge.search(args.query, deps.searchLimit ?? 3);
          return passagesResult(passages);
        },
      }),
    );
  }

  tools.push(
    defineTool({
      name: "escalate_to_human",
      description: "Hand the conversation to a person now, with a short reason for them. Use it for hardship, disputes, complaints, refund amounts, exceptions, frustration or when unsure.",
      args: z.object({ reason: z.string().min(1).max(300) }),
      run: async (args) => stop({ kind: "escalate", reasonCode: "model_escalated", reason: args.reason }),
    }),
  );

  return { tools, session: session?.state ?? { contextPatches: [] } };
}

export function passagesResult(passages: ReadonlyArray<{ id: string; title: string; text: string }>): Result {
  if (passages.length === 0) return { kind: "data", text: "No passage matches.", facts: [] };
  return {
    kind: "data",
    text: maskForModel(passages.map((passage) => `[${passage.id}] ${passage.title}\n${passage.text}`).join("\n\n")),
    facts: passages.map((passage) => ({ source: "knowledge_base" as const, ref: passage.id, text: `${passage.title}\n${passage.text}` })),
  };
}
