/**
 * An authenticated Bot Framework activity -> our `InboundMessage`. Only `message` activities from a
 * user become messages; every other type (conversationUpdate, typing, invoke, event...) and messages
 * with nothing we can show are returned as `ignored`, so the route acknowledges them (the channel
 * retries refusals). A `message` that lacks what a reply needs (ids, service URL) is malformed: 400.
 */
import type { Activity } from "botbuilder";
import { z } from "zod";
import type { Attachment, InboundMessage } from "../../../src/domain/model.js";
import { PayloadTooLargeError, ValidationError } from "../../../src/errors.js";
import { customerAddressOf, HttpUrl, META_KEY, type StoredReference } from "../reference.js";

/** The core stores at most this much text per message (InboundMessage). */
export const MAX_TEXT_CHARS = 100_000;
const MAX_ATTACHMENTS = 20;
const MAX_URL = 2048;

const optionalText = (max: number) => z.string().max(max).nullish().transform((value) => value ?? undefined);

const Account = z.object({
  id: z.string().min(1).max(512),
  name: optionalText(512),
  aadObjectId: optionalText(128),
  role: optionalText(32),
});

const ActivityAttachment = z.object({
  contentType: z.string().min(1).max(255),
  contentUrl: z.string().nullish(),
  name: z.string().nullish(),
  content: z.unknown().optional(),
});

const MessageActivity = z.object({
  type: z.literal("message"),
  id: z.string().min(1).max(255),
  channelId: z.string().min(1).max(64),
  serviceUrl: HttpUrl,
  from: Account,
  recipient: Account,
  conversation: z.object({
    id: z.string().min(1).max(1024),
    tenantId: optionalText(128),
    conversationType: optionalText(64),
    isGroup: z.boolean().nullish().transform((value) => value ?? undefined),
  }),
  text: z.string().nullish(),
  locale: optionalText(32),
  entities: z.array(z.unknown()).max(100).nullish(),
  attachments: z.array(ActivityAttachment).max(100).nullish(),
});

export type ParsedActivity =
  | { kind: "message"; inbound: InboundMessage; reference: StoredReference; droppedAttachments: number }
  | { kind: "ignored"; reason: string };

export interface ParseActivityOptions {
  /** Our channel id (the Switchboard channel, not the Bot Framework one). */
  channelId: string;
  receivedAt: Date;
}

export function parseActivity(activity: Activity, options: ParseActivityOptions): ParsedActivity {
  if (activity.type !== "message") return { kind: "ignored", reason: `activity type ${activity.type}` };
  const parsed = MessageActivity.safeParse(activity);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "activity"}: ${issue.message}`);
    throw new ValidationError(`malformed message activity (${problems.slice(0, 5).join("; ")})`);
  }
  const message = parsed.data;
  if (message.from.id === message.recipient.id || message.from.role === "bot") {
    return { kind: "ignored", reason: "a message from the bot itself" };
  }

  // In Teams group chats and channels the text starts with "<at>Bot</at>": that mention is not the question.
  const text = withoutMention(message.text ?? "", message.entities ?? [], message.recipient.id).trim();
  if (text.length > MAX_TEXT_CHARS) {
    throw new PayloadTooLargeError(`the message text has ${text.length} characters; at most ${MAX_TEXT_CHARS} are accepted`);
  }
  const { attachments, summary, dropped } = collectAttachments(message.attachments ?? []);
  if (text === "" && attachments.length === 0) {
    return { kind: "ignored", reason: "a message with no text and no attachment we can keep (a card submit, a reaction...)" };
  }

  const reference: StoredReference = {
    serviceUrl: message.serviceUrl,
    channelId: message.channelId,
    conversation: {
      id: message.conversation.id,
      ...defined({ tenantId: message.conversation.tenantId, conversationType: message.conversation.conversationType, isGroup: message.conversation.isGroup }),
    },
    bot: { id: message.recipient.id, ...defined({ name: message.recipient.name }) },
    user: { id: message.from.id, ...defined({ name: message.from.name, aadObjectId: message.from.aadObjectId }) },
    activityId: message.id,
    ...defined({ locale: message.locale }),
  };
  const customerName = message.from.name?.trim().slice(0, 255);
  const inbound: InboundMessage = {
    channelId: options.channelId,
    // The Bot Framework makes activity ids unique on their channel; the dedupe key is this id.
    channelMessageId: message.id,
    customerAddress: customerAddressOf(reference),
    ...(customerName ? { customerName } : {}),
    text,
    attachments,
    receivedAt: options.receivedAt,
    meta: {
      [META_KEY]: { reference, channel: message.channelId },
      ...(summary.length > 0 ? { attachments: summary } : {}),
      ...(dropped > 0 ? { droppedAttachments: dropped } : {}),
    },
  };
  return { kind: "message", inbound, reference, droppedAttachments: dropped };
}

const MentionEntity = z.object({
  type: z.string().regex(/^mention$/i),
  mentioned: z.object({ id: z.string() }),
  text: z.string().min(1).max(1_000),
});

/** The text without the first mention of `botId` (what botbuilder's removeRecipientMention does, on checked input). */
function withoutMention(text: string, entities: readonly unknown[], botId: string): string {
  for (const entity of entities) {
    const mention = MentionEntity.safeParse(entity);
    if (mention.success && mention.data.mentioned.id === botId) return text.replace(mention.data.text, "");
  }
  return text;
}

interface CollectedAttachments {
  /** Files the agent can open by URL. */
  attachments: Attachment[];
  /** What the customer sent, for the record (cards included). */
  summary: Array<{ contentType: string; name?: string }>;
  dropped: number;
}

const TEAMS_FILE = "application/vnd.microsoft.teams.file.download.info";

function collectAttachments(items: ReadonlyArray<z.infer<typeof ActivityAttachment>>): CollectedAttachments {
  const attachments: Attachment[] = [];
  const summary: Array<{ contentType: string; name?: string }> = [];
  let dropped = 0;
  for (const item of items) {
    // Teams adds an HTML copy of every message's text as an attachment without a URL: not a file.
    if (item.contentType === "text/html" && !item.contentUrl) continue;
    const name = item.name?.slice(0, 255) || undefined;
    if (summary.length < MAX_ATTACHMENTS) summary.push({ contentType: item.contentType, ...(name ? { name } : {}) });
    const url = item.contentType === TEAMS_FILE ? teamsDownloadUrl(item.content) : (item.contentUrl ?? undefined);
    if (url === undefined) continue;
    if (!isHttpUrl(url) || attachments.length >= MAX_ATTACHMENTS) {
      // Inline `data:` content (the Emulator) and anything past the cap are not kept as files.
      dropped += 1;
      continue;
    }
    const contentType = item.contentType === TEAMS_FILE ? "application/octet-stream" : item.contentType;
    attachments.push({ url, contentType, ...(name ? { name } : {}) });
  }
  return { attachments, summary, dropped };
}

function teamsDownloadUrl(content: unknown): string | undefined {
  if (content === null || typeof content !== "object") return undefined;
  const url = (content as { downloadUrl?: unknown }).downloadUrl;
  return typeof url === "string" ? url : undefined;
}

function isHttpUrl(value: string): boolean {
  if (value.length > MAX_URL) return false;
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:";
  } catch {
    return false;
  }
}

/** The entries whose value is defined (the model's optional fields take no `undefined`). */
function defined<T extends Record<string, unknown>>(values: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
