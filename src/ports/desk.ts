/**
 * Where human agents work (escalation/slack, a web inbox later). The core tells the desk what happens;
 * the desk reports agent actions back through `HandoffActions` (claim, reply, resolve, hand back).
 */
import type { Attachment, Conversation, DeliveryError, Message, Priority } from "../domain/model.js";

export interface EscalationRequest {
  conversation: Conversation;
  reasonCodes: string[];
  priority: Priority;
  category?: string;
  summary?: string;
  recentMessages: Message[];
}

export interface Desk {
  readonly name: string;
  /** Post the conversation for agents; returns the desk's reference (stored on the escalation). */
  escalate(request: EscalationRequest): Promise<{ deskRef: string }>;
  /** A customer message arrived while a human owns the conversation. */
  mirrorCustomerMessage(conversation: Conversation, message: Message): Promise<void>;
  /** An outbound message could not be delivered (opted out, outside the WhatsApp window, provider error). */
  reportDeliveryProblem(conversation: Conversation, message: Message, error: DeliveryError): Promise<void>;
  /** Something agents should see (the customer opted out, a CSAT score arrived...). */
  note(conversation: Conversation, text: string): Promise<void>;
}

/** What agents can do, whatever desk they use; implemented by the core (src/pipeline/handoff.ts). */
export interface HandoffActions {
  claim(conversationId: string, agent: AgentRef): Promise<ClaimResult>;
  /** `attachments`: files the agent sent, each with a URL the customer's channel can fetch. */
  replyAsAgent(conversationId: string, agent: AgentRef, text: string, attachments?: Attachment[]): Promise<Message>;
  resolve(conversationId: string, agent: AgentRef): Promise<Conversation>;
  handBack(conversationId: string, agent: AgentRef): Promise<Conversation>;
}

export interface AgentRef {
  /** Stable id on the desk (`slack:U123`). */
  id: string;
  displayName: string;
}

export type ClaimResult =
  | { kind: "claimed"; conversation: Conversation; waitedMs: number }
  | { kind: "already_claimed"; by: string }
  | { kind: "not_claimable"; state: Conversation["state"] };

/** When people are around: what a customer hears on handoff (business hours, expected wait). */
export interface HumanAvailability {
  /**
   * When a person will answer ("A person will reply here, usually within 15 minutes."), in the customer's
   * `language` (a tag such as "es") when there is a wording for it, else in English.
   */
  handoffNotice(input: { conversation: Conversation; priority: Priority; now: Date; language?: string }): string;
  /**
   * While an escalation waits and nobody can claim soon (outside business hours), may the AI keep
   * answering what it is allowed to? Absent means no.
   */
  aiAssistsWhileWaiting?(now: Date): boolean;
}
