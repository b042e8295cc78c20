/**
 * Bot Framework activities shaped as channels post them to a bot's messaging endpoint (the Emulator's
 * and Web Chat's fields; Teams adds `channelData` and mention entities), and a poster for them.
 */
import { randomUUID } from "node:crypto";

export interface ActivityOptions {
  serviceUrl: string;
  conversationId?: string;
  userId?: string;
  userName?: string;
  botId?: string;
  channelId?: string;
  id?: string;
  text?: string;
}

export const TEST_BOT = { id: "28:switchboard-bot", name: "Switchboard" };

export function messageActivity(options: ActivityOptions, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: "message",
    id: options.id ?? randomUUID(),
    timestamp: new Date().toISOString(),
    localTimestamp: new Date().toISOString(),
    channelId: options.channelId ?? "emulator",
    serviceUrl: options.serviceUrl,
    from: { id: options.userId ?? "user-1", name: options.userName ?? "Ada Lovelace", role: "user" },
    conversation: { id: options.conversationId ?? randomUUID() },
    recipient: { id: options.botId ?? TEST_BOT.id, name: TEST_BOT.name, role: "bot" },
    textFormat: "plain",
    locale: "en-US",
    text: options.text ?? "hello",
    attachments: [],
    entities: [],
    ...overrides,
  };
}

/** Another activity type (conversationUpdate, typing...) in the same conversation. */
export function otherActivity(type: string, options: ActivityOptions, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const { text: _text, textFormat: _format, attachments: _attachments, ...rest } = messageActivity(options);
  return { ...rest, type, ...overrides };
}

export async function postActivity(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}
