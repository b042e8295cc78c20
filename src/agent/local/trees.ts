/**
 * Runs a knowledge base's decision trees: from a node, step through checks, account facts and
 * explanations until the tree asks the customer something (the position is kept in the conversation's
 * context) or ends. A `handoff` node ends in a person, with the tree's note for the customer.
 */
import type { DecisionTree, TreeNode } from "../../kb/format.js";
import { foldText, words } from "../../kb/text.js";
import type { Priority } from "../../domain/model.js";
import type { GroundingFact, TurnContext } from "../../ports/agent-engine.js";
import type { AccountTools, IdentityState } from "./account-tools.js";

/** Where a conversation stands in a tree, kept in `conversation.context`. */
export interface TreePosition {
  tree: string;
  node: string;
  /** Times the current question was asked without a usable answer. */
  attempts: number;
}

export type TreeOutcome =
  | {
      kind: "reply";
      parts: string[];
      facts: GroundingFact[];
      waitAt?: TreePosition;
      /** A `say` step ended the tree: the engine adds the passage that explains it. */
      needsPassage: boolean;
      /** An `answer` step: the engine adds the category's usual answer. */
      needsAnswer?: boolean;
      verifiedCustomerId?: string;
      contextPatch?: Record<string, unknown>;
    }
  | { kind: "verify"; reply: string; contextPatch?: Record<string, unknown> }
  | { kind: "handoff"; reason: string; priority: Priority; note: string; parts: string[]; facts: GroundingFact[] }
  | { kind: "unavailable"; parts: string[]; facts: GroundingFact[] };

const MAX_STEPS = 20;
export const ACTION_HANDOFF_NOTE = "I can't make that change myself, so I'm passing this to a member of our team who can look at it with you. They will reply here shortly.";

/** Which option of an `ask` node the customer's reply chose, if any. */
export function chooseOption(node: Extract<TreeNode, { kind: "ask" }>, reply: string): string | null {
  const folded = ` ${words(foldText(reply)).join(" ")} `;
  const trimmed = folded.trim();
  const number = /^(?:option\s*)?(\d)\b/.exec(trimmed);
  if (number) {
    const option = node.options[Number(number[1]) - 1];
    if (option) return option.next;
  }
  let best: { next: string; at: number } | null = null;
  for (const option of node.options) {
    for (const phrase of option.match) {
      const needle = ` ${words(foldText(phrase)).join(" ")} `;
      const at = folded.indexOf(needle);
      // The earliest mention wins: "pay now, not a specialist" chose paying.
      if (at >= 0 && (best === null || at < best.at)) best = { next: option.next, at };
    }
  }
  return best?.next ?? null;
}

type IdentityGate = { kind: "verified"; customerId: string } | { kind: "goto"; node: string } | { kind: "stop"; outcome: TreeOutcome };

/**
 * Account steps need a verified customer: a failed verification hands over, an unverified customer
 * takes the node's `ifUnverified` branch when it has one, otherwise the identity flow asks to verify
 * (it keeps the question and answers it once the customer is verified).
 */
function identityGate(who: IdentityState, ifUnverified: string | undefined, parts: string[], facts: GroundingFact[]): IdentityGate {
  if (who.status === "failed") return { kind: "stop", outcome: { kind: "handoff", reason: who.reasonCode, priority: "normal", note: who.reply, parts, facts } };
  if (who.status === "verified") return { kind: "verified", customerId: who.customerId };
  if (ifUnverified) return { kind: "goto", node: ifUnverified };
  return { kind: "stop", outcome: { kind: "verify", reply: who.reply, ...(who.contextPatch ? { contextPatch: who.contextPatch } : {}) } };
}

export async function runTree(
  tree: DecisionTree,
  startAt: string,
  turn: TurnContext,
  accounts: AccountTools,
  identity: () => Promise<IdentityState>,
): Promise<TreeOutcome> {
  const parts: string[] = [];
  const facts: GroundingFact[] = [];
  let needsPassage = false;
  let verifiedCustomerId: string | undefined;
  let nodeId: string | undefined = startAt;
  for (let step = 0; nodeId !== undefined && step < MAX_STEPS; step += 1) {
    const node: TreeNode | undefined = tree.nodes[nodeId];
    if (!node) break;
    switch (node.kind) {
      case "say":
        parts.push(node.text);
        // The explanation itself comes from the knowledge base's passages (the engine picks one).
        if (node.next === undefined) needsPassage = true;
        nodeId = node.next;
        break;
      case "ask":
        parts.push(node.text);
        return {
          kind: "reply",
          parts,
          facts,
          waitAt: { tree: tree.id, node: nodeId, attempts: 0 },
          needsPassage: false,
          ...(verifiedCustomerId ? { verifiedCustomerId } : {}),
        };
      case "handoff":
        return { kind: "handoff", reason: node.reason, priority: node.priority, note: node.note, parts, facts };
      case "answer":
        return { kind: "reply", parts, facts, needsPassage: false, needsAnswer: true, ...(verifiedCustomerId ? { verifiedCustomerId } : {}) };
      case "account_action": {
        const gate = identityGate(await identity(), node.ifUnverified, parts, facts);
        if (gate.kind === "stop") return gate.outcome;
        if (gate.kind === "goto") {
          nodeId = gate.node;
          break;
        }
        const who = gate;
        verifiedCustomerId = who.customerId;
        const proposal = await accounts.proposeAction(node.action, who.customerId, turn);
        if (proposal.kind === "no_request") {
          nodeId = node.ifNoRequest;
          break;
        }
        if (proposal.kind === "refused") {
          return { kind: "handoff", reason: proposal.reasonCode, priority: "normal", note: ACTION_HANDOFF_NOTE, parts: [], facts };
        }
        parts.push(proposal.text);
        facts.push(...proposal.facts);
        return {
          kind: "reply",
          parts,
          facts,
          needsPassage: false,
          verifiedCustomerId: who.customerId,
          ...(proposal.contextPatch ? { contextPatch: proposal.contextPatch } : {}),
        };
      }
      case "account_check":
      case "account_facts": {
        const gate = identityGate(await identity(), node.ifUnverified, parts, facts);
        if (gate.kind === "stop") return gate.outcome;
        if (gate.kind === "goto") {
          nodeId = gate.node;
          break;
        }
        const who = gate;
        verifiedCustomerId = who.customerId;
        if (node.kind === "account_check") {
          nodeId = (await accounts.check(node.check, who.customerId, turn)) ? node.ifTrue : node.ifFalse;
          break;
        }
        const statement = await accounts.describe(node.facts, who.customerId, turn);
        if (!statement) return { kind: "unavailable", parts, facts };
        if (node.intro) parts.push(node.intro);
        parts.push(statement.text);
        facts.push(...statement.facts);
        nodeId = node.next;
        break;
      }
    }
  }
  return { kind: "reply", parts, facts, needsPassage, ...(verifiedCustomerId ? { verifiedCustomerId } : {}) };
}
