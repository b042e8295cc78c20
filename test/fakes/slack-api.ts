/**
 * A fake Slack Web API: a real HTTP server on loopback speaking Slack's wire protocol, for the official
 * `WebClient` (through Bolt's `clientOptions.slackApiUrl`). POST /api/<method> with a form or JSON body
 * and `Authorization: Bearer <token>`; answers `{ ok: true, ... }` or `{ ok: false, error }` with HTTP
 * 200, and HTTP 429 with `Retry-After` when told to. It keeps channels, members, users and messages, checks
 * Slack's block limits, and records every call. Files (uploads and downloads) live in ./slack-files.ts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parse as parseQuery } from "node:querystring";
import { FakeSlackFiles, type FakeSlackFile } from "./slack-files.js";

export interface FakeSlackUser {
  id: string;
  name: string;
  realName?: string;
  firstName?: string;
  displayName?: string;
  isBot?: boolean;
}

export interface FakeSlackMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: Array<Record<string, unknown>>;
  threadTs?: string;
  replyBroadcast: boolean;
  user: string;
  botId?: string;
  updates: number;
  /** Files shared with the message (files.completeUploadExternal). */
  files?: FakeSlackFile[];
}

export interface FakeSlackEphemeral {
  channel: string;
  user: string;
  text: string;
  threadTs?: string;
}

export interface RecordedCall {
  method: string;
  params: Record<string, unknown>;
  authorization: string | undefined;
  contentType: string | undefined;
  status: number;
  answer: Record<string, unknown>;
}

type FakeMethod =
  | "auth.test"
  | "chat.postMessage"
  | "chat.update"
  | "chat.postEphemeral"
  | "users.info"
  | "conversations.members"
  | "apps.connections.open"
  | "files.getUploadURLExternal"
  | "files.completeUploadExternal";

/** A parameter as text (form values are strings; JSON bodies may carry numbers). */
function text(value: unknown): string {
  return typeof value === "string" ? value : typeof value === "number" || typeof value === "boolean" ? String(value) : "";
}

export class FakeSlackApi {
  readonly botToken: string;
  readonly appToken: string;
  readonly teamId = "T0FAKE";
  readonly botUserId = "U0BOT";
  readonly botId = "B0BOT";
  readonly calls: RecordedCall[] = [];
  readonly messages: FakeSlackMessage[] = [];
  readonly ephemerals: FakeSlackEphemeral[] = [];
  /** Bodies posted to interaction response URLs (`responseUrl(...)`). */
  readonly responses: Array<{ path: string; body: Record<string, unknown> }> = [];
  /** `apps.connections.open` answers this URL (a Socket Mode test sets it). */
  socketUrl: string | undefined;
  /** The most members `conversations.members` returns per page, whatever `limit` asks (pagination tests). */
  membersPageSize = 1_000;

  private readonly server: Server;
  private readonly users = new Map<string, FakeSlackUser>();
  private readonly channels = new Map<string, Set<string>>();
  private readonly rateLimits = new Map<string, { retryAfterSeconds: number; times: number }>();
  private readonly failures = new Map<string, { error: string; times: number }>();
  private tsCounter = 0;
  private readonly tsBase = Math.floor(Date.now() / 1000);
  private port = 0;
  readonly files = new FakeSlackFiles(() => `http://127.0.0.1:${this.port}`, this.teamId);

  constructor(options: { botToken?: string; appToken?: string } = {}) {
    this.botToken = options.botToken ?? "xoxb-fake-bot-token";
    this.appToken = options.appToken ?? "xapp-fake-app-token";
    this.server = createServer((request, response) => {
      void this.handle(request, response);
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** What `SLACK_API_URL` / `slackApiUrl` should be. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  /** A response URL for an interaction payload, served by this fake. */
  responseUrl(id = String(this.responses.length + 1)): string {
    return `http://127.0.0.1:${this.port}/response/${id}`;
  }

  addUser(user: FakeSlackUser): this {
    this.users.set(user.id, user);
    return this;
  }

  /** A channel and its members (the bot is added unless `withoutBot`). */
  addChannel(id: string, members: string[], options: { withoutBot?: boolean } = {}): this {
    this.channels.set(id, new Set([...members, ...(options.withoutBot ? [] : [this.botUserId])]));
    return this;
  }

  setMembers(channel: string, members: string[]): void {
    this.channels.set(channel, new Set([...members, this.botUserId]));
  }

  /** The next `times` calls of `method` answer HTTP 429 with `Retry-After: seconds`. */
  rateLimit(method: FakeMethod, retryAfterSeconds: number, times = 1): void {
    this.rateLimits.set(method, { retryAfterSeconds, times });
  }

  /** The next `times` calls of `method` answer `{ ok: false, error }`. */
  failWith(method: FakeMethod, error: string, times = 1): void {
    this.failures.set(method, { error, times });
  }

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** Top-level posts in a channel (escalation posts). */
  posts(channel?: string): FakeSlackMessage[] {
    return this.messages.filter((message) => !message.threadTs && (channel === undefined || message.channel === channel));
  }

  /** Replies in a thread, oldest first. */
  thread(channel: string, threadTs: string): FakeSlackMessage[] {
    return this.messages.filter((message) => message.channel === channel && message.threadTs === threadTs);
  }

  find(channel: string, ts: string): FakeSlackMessage | undefined {
    return this.messages.find((message) => message.channel === channel && message.ts === ts);
  }

  /** Every text Slack received (messages, blocks, ephemerals), for "Slack never saw X" assertions. */
  everythingSeen(): string {
    return this.calls.map((call) => JSON.stringify(call.params)).join("\n");
  }

  /** Messages in a thread that carry files, with those files. */
  filesIn(channel: string, threadTs: string): FakeSlackFile[] {
    return this.thread(channel, threadTs).flatMap((message) => message.files ?? []);
  }

  /** Simulate a person posting a thread reply (returns the message as Slack would send it in an event). */
  userReply(channel: string, threadTs: string, user: string, text: string): { ts: string; event: Record<string, unknown> } {
    const ts = this.nextTs();
    const parent = this.find(channel, threadTs);
    this.messages.push({ channel, ts, text, blocks: [], threadTs, replyBroadcast: false, user, updates: 0 });
    return {
      ts,
      event: { type: "message", channel, user, text, ts, thread_ts: threadTs, parent_user_id: parent?.user ?? this.botUserId, channel_type: "channel", event_ts: ts },
    };
  }

  private nextTs(): string {
    this.tsCounter += 1;
    return `${this.tsBase}.${String(this.tsCounter).padStart(6, "0")}`;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const path = (request.url ?? "").split("?")[0] ?? "";
    if (request.method === "POST" && path.startsWith("/upload/v1/")) {
      const received = await this.files.receive(path.slice("/upload/v1/".length), body, request.headers["content-type"]);
      response.writeHead(received.status, { "content-type": "text/plain" });
      response.end(received.text);
      return;
    }
    if (request.method === "GET" && path.startsWith("/files-pri/")) {
      const served = this.files.serve(path, bearer(request.headers.authorization) === this.botToken);
      response.writeHead(served.status, served.headers);
      response.end(served.body);
      return;
    }
    const raw = body.toString("utf8");
    if ((request.url ?? "").startsWith("/response/")) {
      // An interaction's response_url (hooks.slack.com in production).
      this.responses.push({ path: request.url ?? "", body: JSON.parse(raw || "{}") as Record<string, unknown> });
      response.writeHead(200, { "content-type": "text/plain" });
      response.end("ok");
      return;
    }
    const method = (request.url ?? "").replace(/^\/api\//, "").split("?")[0] ?? "";
    const contentType = request.headers["content-type"];
    let params: Record<string, unknown>;
    try {
      params = parseParams(raw, contentType);
    } catch {
      return this.answer(response, { method, params: {}, authorization: request.headers.authorization, contentType }, 200, { ok: false, error: "invalid_json" });
    }
    const call = { method, params, authorization: request.headers.authorization, contentType };

    const limited = this.rateLimits.get(method);
    if (limited && limited.times > 0) {
      limited.times -= 1;
      return this.answer(response, call, 429, { ok: false, error: "ratelimited" }, { "retry-after": String(limited.retryAfterSeconds) });
    }
    const token = bearer(request.headers.authorization) ?? (typeof params.token === "string" ? params.token : undefined);
    const expected = method === "apps.connections.open" ? this.appToken : this.botToken;
    if (!token) return this.answer(response, call, 200, { ok: false, error: "not_authed" });
    if (token !== expected) return this.answer(response, call, 200, { ok: false, error: "invalid_auth" });
    const failure = this.failures.get(method);
    if (failure && failure.times > 0) {
      failure.times -= 1;
      return this.answer(response, call, 200, { ok: false, error: failure.error });
    }
    return this.answer(response, call, 200, this.run(method, params));
  }

  private answer(
    response: ServerResponse,
    call: Omit<RecordedCall, "status" | "answer">,
    status: number,
    answer: Record<string, unknown>,
    headers: Record<string, string> = {},
  ): void {
    this.calls.push({ ...call, status, answer });
    response.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
    response.end(JSON.stringify(answer));
  }

  private run(method: string, params: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case "auth.test":
        return { ok: true, url: "https://fake.slack.com/", team: "Fake", user: "switchboard", team_id: this.teamId, user_id: this.botUserId, bot_id: this.botId };
      case "chat.postMessage":
        return this.postMessage(params);
      case "chat.update":
        return this.update(params);
      case "chat.postEphemeral":
        return this.postEphemeral(params);
      case "users.info": {
        const user = this.users.get(text(params.user));
        if (!user) return { ok: false, error: "user_not_found" };
        return {
          ok: true,
          user: {
            id: user.id,
            name: user.name,
            real_name: user.realName,
            is_bot: user.isBot ?? false,
            profile: { first_name: user.firstName ?? "", display_name: user.displayName ?? "", real_name: user.realName ?? "" },
          },
        };
      }
      case "conversations.members": {
        const members = this.channels.get(text(params.channel));
        if (!members) return { ok: false, error: "channel_not_found" };
        const all = [...members];
        const limit = Math.max(1, Math.min(this.membersPageSize, Number(params.limit ?? 100)));
        const start = typeof params.cursor === "string" && params.cursor !== "" ? Number(Buffer.from(params.cursor, "base64").toString("utf8")) : 0;
        const page = all.slice(start, start + limit);
        const next = start + limit < all.length ? Buffer.from(String(start + limit)).toString("base64") : "";
        return { ok: true, members: page, response_metadata: { next_cursor: next } };
      }
      case "files.getUploadURLExternal":
        return this.files.reserve(params);
      case "files.completeUploadExternal":
        return this.completeUpload(params);
      case "apps.connections.open":
        return this.socketUrl ? { ok: true, url: this.socketUrl } : { ok: false, error: "socket_mode_not_set_up" };
      default:
        return { ok: false, error: "unknown_method" };
    }
  }

  private checkContent(params: Record<string, unknown>): string | undefined {
    const text = typeof params.text === "string" ? params.text : "";
    const blocks = params.blocks;
    if (text === "" && !Array.isArray(blocks)) return "no_text";
    if (text.length > 40_000) return "msg_too_long";
    if (blocks !== undefined) {
      if (!Array.isArray(blocks) || blocks.length > 50) return "invalid_blocks";
      for (const block of blocks as Array<Record<string, unknown>>) {
        const sectionText = (block.text as { text?: unknown } | undefined)?.text;
        if (block.type === "section" && typeof sectionText === "string" && sectionText.length > 3_000) return "invalid_blocks";
        if (block.type === "header" && typeof sectionText === "string" && sectionText.length > 150) return "invalid_blocks";
      }
    }
    return undefined;
  }

  private postMessage(params: Record<string, unknown>): Record<string, unknown> {
    const channel = text(params.channel);
    const members = this.channels.get(channel);
    if (!members) return { ok: false, error: "channel_not_found" };
    if (!members.has(this.botUserId)) return { ok: false, error: "not_in_channel" };
    const problem = this.checkContent(params);
    if (problem) return { ok: false, error: problem };
    const threadTs = typeof params.thread_ts === "string" ? params.thread_ts : undefined;
    if (threadTs && !this.find(channel, threadTs)) return { ok: false, error: "thread_not_found" };
    const message: FakeSlackMessage = {
      channel,
      ts: this.nextTs(),
      text: typeof params.text === "string" ? params.text : "",
      blocks: Array.isArray(params.blocks) ? (params.blocks as Array<Record<string, unknown>>) : [],
      ...(threadTs ? { threadTs } : {}),
      replyBroadcast: params.reply_broadcast === true || params.reply_broadcast === "true",
      user: this.botUserId,
      botId: this.botId,
      updates: 0,
    };
    this.messages.push(message);
    return { ok: true, channel, ts: message.ts, message: { type: "message", text: message.text, blocks: message.blocks, ts: message.ts, bot_id: this.botId, user: this.botUserId } };
  }

  /** Shares uploaded files in a channel (and thread), as one message whose text is `initial_comment`. */
  private completeUpload(params: Record<string, unknown>): Record<string, unknown> {
    const resolved = this.files.complete(params.files);
    if ("error" in resolved) return { ok: false, error: resolved.error };
    const channel = text(params.channel_id);
    if (channel !== "") {
      const members = this.channels.get(channel);
      if (!members) return { ok: false, error: "channel_not_found" };
      if (!members.has(this.botUserId)) return { ok: false, error: "not_in_channel" };
      const threadTs = typeof params.thread_ts === "string" ? params.thread_ts : undefined;
      if (threadTs && !this.find(channel, threadTs)) return { ok: false, error: "thread_not_found" };
      const comment = text(params.initial_comment);
      this.messages.push({ channel, ts: this.nextTs(), text: comment, blocks: [], ...(threadTs ? { threadTs } : {}), replyBroadcast: false, user: this.botUserId, botId: this.botId, updates: 0, files: resolved.files });
    }
    return { ok: true, files: resolved.files.map((file) => this.files.describe(file)) };
  }

  private update(params: Record<string, unknown>): Record<string, unknown> {
    const message = this.find(text(params.channel), text(params.ts));
    if (!message) return { ok: false, error: "message_not_found" };
    if (message.user !== this.botUserId) return { ok: false, error: "cant_update_message" };
    const problem = this.checkContent(params);
    if (problem) return { ok: false, error: problem };
    message.text = typeof params.text === "string" ? params.text : message.text;
    if (Array.isArray(params.blocks)) message.blocks = params.blocks as Array<Record<string, unknown>>;
    message.updates += 1;
    return { ok: true, channel: message.channel, ts: message.ts, text: message.text };
  }

  private postEphemeral(params: Record<string, unknown>): Record<string, unknown> {
    const channel = text(params.channel);
    const members = this.channels.get(channel);
    if (!members) return { ok: false, error: "channel_not_found" };
    const user = text(params.user);
    if (!members.has(user)) return { ok: false, error: "user_not_in_channel" };
    const problem = this.checkContent(params);
    if (problem) return { ok: false, error: problem };
    this.ephemerals.push({ channel, user, text: text(params.text), ...(typeof params.thread_ts === "string" ? { threadTs: params.thread_ts } : {}) });
    return { ok: true, message_ts: this.nextTs() };
  }
}

function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/.exec(header ?? "");
  return match?.[1];
}

/** Slack accepts form bodies (nested values as JSON strings) and JSON bodies. */
function parseParams(raw: string, contentType: string | undefined): Record<string, unknown> {
  if ((contentType ?? "").startsWith("application/json")) return raw === "" ? {} : (JSON.parse(raw) as Record<string, unknown>);
  const form = parseQuery(raw);
  const params: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(form)) {
    const text = Array.isArray(value) ? value[0] : value;
    if (text === undefined) continue;
    params[key] = (key === "blocks" || key === "attachments" || key === "metadata" || key === "files") && /^[[{]/.test(text) ? JSON.parse(text) : text;
  }
  return params;
}
