/**
 * Conversations for QA tests, written through the store API the way the turn worker writes them: the
 * inbound message, then one committed turn with the brain's decision, the replies and the patch.
 */
import { randomUUID } from "node:crypto";
import type { Decision, GuardrailVerdict } from "../../src/domain/model.js";
import type { ConversationStore } from "../../src/ports/conversation-store.js";

export interface SeedTurn {
  customer: string;
  decision: Partial<Decision> & { route: Decision["route"] };
  /** AI reply (route ai) or the handoff note (route human). */
  reply?: string;
}

export interface SeedConversation {
  address: string;
  category?: string;
  csat?: number;
  turns: SeedTurn[];
}

export const failed = (guardrail: string, code: string): GuardrailVerdict => ({ guardrail, passed: false, code, detail: code });
export const passed = (guardrail: string): GuardrailVerdict => ({ guardrail, passed: true });

export async function seedConversation(store: ConversationStore, seed: SeedConversation): Promise<string> {
  let conversationId = "";
  let escalated = false;
  for (const turn of seed.turns) {
    const { conversation, message } = await store.recordInbound({
      channelId: "webchat",
      channelMessageId: randomUUID(),
      customerAddress: seed.address,
      text: turn.customer,
      attachments: [],
      receivedAt: new Date(),
      meta: {},
    });
    conversationId = conversation.id;
    const decision: Decision = { reasonCodes: [], guardrails: [], engine: "openai:gpt-test", ...turn.decision };
    const human = decision.route === "human" && !escalated;
    await store.commitTurn({
      conversationId,
      inboundSeq: message.seq,
      decision,
      replies: turn.reply ? [{ conversationId, author: decision.route === "ai" ? "ai" : "system", text: turn.reply }] : [],
      patch: { ...(seed.category ? { category: seed.category } : {}) },
      ...(human
        ? {
            transition: {
              to: "awaiting_human" as const,
              by: "ai" as const,
              actor: "brain",
              reason: decision.reasonCodes.join(", "),
              escalation: { reason: decision.reasonCodes.join(", "), reasonCodes: decision.reasonCodes, priority: "normal" as const, at: new Date() },
            },
          }
        : {}),
    });
    if (human) escalated = true;
  }
  if (seed.csat !== undefined) await store.updateConversation(conversationId, { csat: seed.csat });
  return conversationId;
}
