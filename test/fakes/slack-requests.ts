/**
 * Requests as Slack sends them to `POST /slack/events`: Events API callbacks (JSON) and interactions
 * (form-encoded `payload=<json>`), signed with the app's signing secret exactly as Slack signs them:
 * `X-Slack-Signature: v0=hex(HMAC-SHA256(secret, "v0:" + ts + ":" + rawBody))`.
 */
import { createHmac, randomUUID } from "node:crypto";
import type { FakeSlackApi, FakeSlackMessage } from "./slack-api.js";

export interface SlackRequest {
  body: string;
  headers: Record<string, string>;
}

export function signSlack(secret: string, rawBody: string, timestampSeconds: number): Record<string, string> {
  const signature = `v0=${createHmac("sha256", secret).update(`v0:${timestampSeconds}:${rawBody}`).digest("hex")}`;
  return { "x-slack-signature": signature, "x-slack-request-timestamp": String(timestampSeconds) };
}

function signed(secret: string, body: string, contentType: string, options: { at?: Date; retryNum?: number }): SlackRequest {
  const ts = Math.floor((options.at ?? new Date()).getTime() / 1000);
  return {
    body,
    headers: {
      "content-type": contentType,
      ...signSlack(secret, body, ts),
      ...(options.retryNum !== undefined ? { "x-slack-retry-num": String(options.retryNum), "x-slack-retry-reason": "http_timeout" } : {}),
    },
  };
}

/** An Events API `event_callback` body around `event` (what Slack POSTs, or puts in a Socket Mode envelope). */
export function eventBody(fake: Pick<FakeSlackApi, "teamId" | "botUserId">, event: Record<string, unknown>, eventId?: string): { body: Record<string, unknown>; eventId: string } {
  const id = eventId ?? `Ev${randomUUID().replace(/-/g, "").slice(0, 12).toUpperCase()}`;
  return {
    eventId: id,
    body: {
      token: "deprecated-verification-token",
      team_id: fake.teamId,
      api_app_id: "A0FAKE",
      event,
      type: "event_callback",
      event_id: id,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [{ team_id: fake.teamId, user_id: fake.botUserId, is_bot: true, is_enterprise_install: false }],
      is_ext_shared_channel: false,
    },
  };
}

/** An Events API request, signed. */
export function eventRequest(
  secret: string,
  fake: Pick<FakeSlackApi, "teamId" | "botUserId">,
  event: Record<string, unknown>,
  options: { eventId?: string; at?: Date; retryNum?: number } = {},
): SlackRequest & { eventId: string } {
  const { body, eventId } = eventBody(fake, event, options.eventId);
  return { ...signed(secret, JSON.stringify(body), "application/json", options), eventId };
}

export interface ClickInput {
  user: string;
  message: FakeSlackMessage;
  actionId: string;
  value: string;
  at?: Date;
  triggerId?: string;
  withResponseUrl?: boolean;
}

/** A `block_actions` payload: `user` clicked `actionId` on `message` (as the fake stored it). */
export function blockActionPayload(fake: FakeSlackApi, input: ClickInput): Record<string, unknown> {
  const triggerId = input.triggerId ?? `${Date.now()}.${Math.floor(Math.random() * 1e9)}.${randomUUID().slice(0, 8)}`;
  return {
    type: "block_actions",
    user: { id: input.user, username: input.user.toLowerCase(), name: input.user.toLowerCase(), team_id: fake.teamId },
    api_app_id: "A0FAKE",
    token: "deprecated-verification-token",
    container: { type: "message", message_ts: input.message.ts, channel_id: input.message.channel, is_ephemeral: false },
    trigger_id: triggerId,
    team: { id: fake.teamId, domain: "fake" },
    channel: { id: input.message.channel, name: "support-escalations" },
    message: { type: "message", user: fake.botUserId, bot_id: fake.botId, text: input.message.text, blocks: input.message.blocks, ts: input.message.ts },
    ...(input.withResponseUrl === false ? {} : { response_url: fake.responseUrl() }),
    actions: [
      {
        action_id: input.actionId,
        block_id: "switchboard.actions",
        text: { type: "plain_text", text: "Button", emoji: true },
        value: input.value,
        type: "button",
        action_ts: String(Date.now() / 1000),
      },
    ],
  };
}

/** A click as Slack POSTs it: form-encoded `payload=<json>`, signed. */
export function blockActionRequest(secret: string, fake: FakeSlackApi, input: ClickInput): SlackRequest & { triggerId: string } {
  const payload = blockActionPayload(fake, input);
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return { ...signed(secret, body, "application/x-www-form-urlencoded", input), triggerId: String(payload.trigger_id) };
}
