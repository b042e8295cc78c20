/**
 * Where a Bot Framework conversation can be reached later: the conversation reference (service URL,
 * channel, conversation, bot, user) taken from the customer's last activity. It is stored in the inbound
 * message's `meta.botframework.reference`, in the database, so that the send worker, possibly in another
 * process and long after the turn, can write to the customer proactively.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import type { Conversation } from "../../src/domain/model.js";
import type { ConversationStore } from "../../src/ports/conversation-store.js";

export const META_KEY = "botframework";

/** An http(s) URL, as the Bot Framework sends `serviceUrl`. */
export const HttpUrl = z
  .string()
  .min(1)
  .max(2048)
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === "https:" || url.protocol === "http:";
    } catch {
      return false;
    }
  }, "must be an http(s) URL");

export const StoredReference = z.object({
  serviceUrl: HttpUrl,
  /** The Bot Framework channel (`msteams`, `webchat`, `emulator`...), not ours. */
  channelId: z.string().min(1).max(64),
  conversation: z.object({
    id: z.string().min(1).max(1024),
    tenantId: z.string().max(128).optional(),
    conversationType: z.string().max(64).optional(),
    isGroup: z.boolean().optional(),
  }),
  bot: z.object({ id: z.string().min(1).max(512), name: z.string().max(512).optional() }),
  user: z.object({ id: z.string().min(1).max(512), name: z.string().max(512).optional(), aadObjectId: z.string().max(128).optional() }),
  /** The customer's activity this reference came from. */
  activityId: z.string().max(512).optional(),
  locale: z.string().max(32).optional(),
});
export type StoredReference = z.infer<typeof StoredReference>;

const ADDRESS_LIMIT = 255;

/**
 * The customer's address on the channel: one person in one Bot Framework conversation. Readable when it
 * fits the address column; otherwise (long Teams ids) a hash of the same parts, equally stable.
 */
export function customerAddressOf(reference: Pick<StoredReference, "channelId" | "conversation" | "user">): string {
  const readable = `${reference.channelId}|${reference.conversation.id}|${reference.user.id}`;
  if (readable.length <= ADDRESS_LIMIT) return readable;
  const digest = createHash("sha256").update(`${reference.conversation.id}\n${reference.user.id}`).digest("hex");
  return `${reference.channelId}|sha256:${digest}`;
}

/** The reference kept on an inbound message, or undefined when it holds none (or a damaged one). */
export function referenceOf(meta: Record<string, unknown>): StoredReference | undefined {
  const holder = meta[META_KEY];
  if (holder === null || typeof holder !== "object") return undefined;
  const parsed = StoredReference.safeParse((holder as Record<string, unknown>).reference);
  return parsed.success ? parsed.data : undefined;
}

/** How many recent messages are read first; agents rarely write more than this in a row. */
const RECENT_WINDOW = 50;

/** The newest reference the customer's own activities gave us, or undefined when there is none. */
export async function latestReference(store: ConversationStore, conversation: Conversation): Promise<StoredReference | undefined> {
  const recent = await store.listMessages(conversation.id, { newest: true, limit: RECENT_WINDOW });
  const found = newestInbound(recent);
  if (found !== undefined || recent.length < RECENT_WINDOW) return found;
  return newestInbound(await store.listMessages(conversation.id));
}

function newestInbound(messages: ReadonlyArray<{ direction: string; seq: number; meta: Record<string, unknown> }>): StoredReference | undefined {
  const inbound = messages.filter((message) => message.direction === "inbound").sort((a, b) => b.seq - a.seq);
  for (const message of inbound) {
    const reference = referenceOf(message.meta);
    if (reference !== undefined) return reference;
  }
  return undefined;
}
