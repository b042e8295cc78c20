/**
 * The store's inputs, checked with zod before they reach SQL: callers are our own modules, but a
 * malformed value (an unknown state, a csat of 9, a 2 MB text) must fail with a clear `ValidationError`
 * here rather than as a constraint violation deep in a transaction.
 */
import { z } from "zod";
import {
  Attachment,
  ConversationState,
  Decision,
  DeliveryError,
  Escalation,
  InboundMessage,
  MessageStatus,
  Priority,
} from "../../src/domain/model.js";
import { ValidationError } from "../../src/errors.js";
import type {
  ConversationFilter,
  ConversationPatch,
  NewOutboundMessage,
  TransitionRequest,
  TurnCommit,
} from "../../src/ports/conversation-store.js";

const ActorKind = z.enum(["customer", "ai", "agent", "system"]);
const Label = z.string().min(1).max(255);
const Json = z.record(z.string(), z.unknown());

const TransitionRequestSchema = z.object({
  to: ConversationState,
  by: ActorKind,
  actor: Label,
  reason: z.string().min(1).max(1_000),
  assignee: Label.nullable().optional(),
  escalation: Escalation.nullable().optional(),
  expectedState: ConversationState.optional(),
  data: Json.optional(),
});

const ConversationPatchSchema = z.object({
  customerId: Label.nullable().optional(),
  customerName: z.string().max(255).optional(),
  category: Label.nullable().optional(),
  csat: z.number().int().min(1).max(5).optional(),
  context: Json.optional(),
  escalationDeskRef: z.string().min(1).max(1_000).optional(),
  escalationPriority: Priority.optional(),
});

const NewOutboundMessageSchema = z.object({
  conversationId: z.string(),
  author: z.enum(["ai", "agent", "system"]),
  text: z.string().max(100_000),
  attachments: z.array(Attachment).max(20).optional(),
  authorRef: z.string().max(255).optional(),
  authorName: z.string().max(255).optional(),
  status: z.enum(["queued", "held"]).optional(),
  error: DeliveryError.optional(),
  meta: Json.optional(),
});

const TurnCommitSchema = z.object({
  conversationId: z.string(),
  inboundSeq: z.number().int().positive(),
  decision: Decision.optional(),
  replies: z.array(NewOutboundMessageSchema).max(50),
  transition: TransitionRequestSchema.optional(),
  patch: ConversationPatchSchema.optional(),
  requireState: ConversationState.optional(),
});

const EventInputSchema = z.object({
  type: Label.refine((type) => type !== "state_changed", {
    message: "state_changed events are written by transition() only",
  }),
  reason: z.string().min(1).max(1_000),
  actor: Label,
  data: Json.optional(),
});

const ConversationFilterSchema = z.object({
  states: z.array(ConversationState).optional(),
  updatedSince: z.date().optional(),
  limit: z.number().int().positive().max(1_000).optional(),
});

const ListMessagesOptionsSchema = z.object({
  afterSeq: z.number().int().nonnegative().optional(),
  limit: z.number().int().positive().max(1_000).optional(),
  newest: z.boolean().optional(),
});

const StatusUpdateSchema = z.object({
  status: MessageStatus,
  error: DeliveryError.optional(),
  channelMessageId: z.string().min(1).max(255).optional(),
  meta: Json.optional(),
});

const ContactKeySchema = z.object({ channelId: Label, address: Label });

const MetaPatchSchema = Json.refine((meta) => Object.keys(meta).length > 0, { message: "nothing to merge" });

function check<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join(".") || "(value)"}: ${issue.message}`);
    throw new ValidationError(`invalid ${what}: ${problems.join("; ")}`);
  }
  return result.data;
}

export const validate = {
  inbound: (value: unknown): InboundMessage => check(InboundMessage, value, "inbound message"),
  outbound: (value: unknown) => check<NewOutboundMessage>(NewOutboundMessageSchema, value, "outbound message"),
  transition: (value: unknown) => check<TransitionRequest>(TransitionRequestSchema, value, "transition request"),
  patch: (value: unknown) => check<ConversationPatch>(ConversationPatchSchema, value, "conversation patch"),
  turn: (value: unknown) => check<TurnCommit>(TurnCommitSchema, value, "turn commit"),
  event: (value: unknown) => check(EventInputSchema, value, "event"),
  filter: (value: unknown) => check<ConversationFilter>(ConversationFilterSchema, value, "conversation filter"),
  listMessages: (value: unknown) => check(ListMessagesOptionsSchema, value, "message list options"),
  statusUpdate: (value: unknown) => check(StatusUpdateSchema, value, "status update"),
  contactKey: (value: unknown) => check(ContactKeySchema, value, "contact"),
  metaPatch: (value: unknown) => check(MetaPatchSchema, value, "message meta"),
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are uuids; anything else cannot name a row (and would be a type error in SQL). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
