/**
 * The desk's side of Slack's Web API, over Bolt's own `WebClient` (its options come from the config,
 * never a swapped module). Every write waits for a token of the channel's shared rate limit (about one
 * message per second per channel across all processes); Slack's answers become our errors: a 429 is a
 * transient `DeliveryFailedError` carrying Retry-After, so the queue retries the task after that delay.
 */
import { WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError, type WebClient } from "@slack/web-api";
import { DeliveryFailedError, errorMessage } from "../../src/errors.js";
import type { Logger } from "../../src/logging/logger.js";
import type { RateLimiter } from "../../src/ports/work-queue.js";
import type { SlackMessage } from "./block-kit.js";

/** Platform errors that will not go away by retrying (configuration, permissions, bad content). */
const PERMANENT_ERRORS = new Set([
  "channel_not_found",
  "not_in_channel",
  "is_archived",
  "invalid_auth",
  "not_authed",
  "account_inactive",
  "token_revoked",
  "token_expired",
  "missing_scope",
  "no_permission",
  "msg_too_long",
  "invalid_blocks",
  "invalid_blocks_format",
  "no_text",
  "message_not_found",
  "cant_update_message",
  "edit_window_closed",
  "user_not_found",
  "user_not_in_channel",
  "invalid_arguments",
  "restricted_action",
]);

/** The longest we wait in-line for the channel's rate limit before handing the wait to the queue. */
const INLINE_WAIT_MS = 2_500;

export interface SlackUserNames {
  firstName?: string | undefined;
  displayName?: string | undefined;
  realName?: string | undefined;
  isBot: boolean;
}

export interface SlackApiOptions {
  rateLimiter: RateLimiter;
  rate: { perSecond: number; burst: number };
  membersTtlMs: number;
  usersTtlMs: number;
  logger: Logger;
  now: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** The configured Web API base URL (SLACK_API_URL), whose host may also serve response URLs. */
  apiUrl?: string | undefined;
  fetch?: typeof globalThis.fetch;
}

interface Cached<T> {
  value: T;
  until: number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class SlackApi {
  private identityPromise: Promise<{ botUserId: string; botId?: string | undefined }> | undefined;
  private readonly members = new Map<string, Cached<ReadonlySet<string>>>();
  private readonly users = new Map<string, Cached<SlackUserNames>>();

  constructor(
    private readonly client: WebClient,
    private readonly options: SlackApiOptions,
  ) {}

  /** Who the bot is (`auth.test`, asked once): its own messages are never taken for an agent's. */
  async identity(): Promise<{ botUserId: string; botId?: string | undefined }> {
    this.identityPromise ??= this.call("auth.test", async () => {
      const result = await this.client.auth.test();
      if (!result.user_id) throw new DeliveryFailedError("slack_auth_test", "auth.test did not return the bot's user id", { permanent: true });
      return { botUserId: result.user_id, botId: result.bot_id };
    }).catch((error: unknown) => {
      this.identityPromise = undefined;
      throw error;
    });
    return this.identityPromise;
  }

  /** Post a message (in a thread when `threadTs` is given); returns the posted channel ID and `ts`. */
  async post(channel: string, message: SlackMessage, thread?: { threadTs: string; broadcast?: boolean }): Promise<{ channel: string; ts: string }> {
    await this.throttle(channel);
    return this.call("chat.postMessage", async () => {
      const base = { channel, text: message.text, blocks: message.blocks, unfurl_links: false, unfurl_media: false };
      const result = await this.client.chat.postMessage(
        !thread ? base : thread.broadcast ? { ...base, thread_ts: thread.threadTs, reply_broadcast: true } : { ...base, thread_ts: thread.threadTs },
      );
      if (!result.ts || !result.channel) throw new DeliveryFailedError("slack_post", "chat.postMessage returned no ts", { permanent: false });
      return { channel: result.channel, ts: result.ts };
    });
  }

  /**
   * Upload files into a thread (Slack's external upload flow: files.getUploadURLExternal, the bytes to
   * the returned URL, files.completeUploadExternal, which shares them as one thread message).
   */
  async uploadToThread(channel: string, threadTs: string, files: ReadonlyArray<{ bytes: Buffer; name: string; title: string }>, comment: string): Promise<void> {
    if (files.length === 0) return;
    await this.throttle(channel);
    await this.call("files.uploadV2", () =>
      this.client.filesUploadV2({
        channel_id: channel,
        thread_ts: threadTs,
        initial_comment: comment,
        file_uploads: files.map((file) => ({ file: file.bytes, filename: file.name, title: file.title })),
      }),
    );
  }

  async update(channel: string, ts: string, message: SlackMessage): Promise<void> {
    await this.updateRendered(channel, ts, async () => message);
  }

  /**
   * Update a message with content rendered only once the channel's rate limit let us through, so a
   * wait for the limit never sends a picture that went stale meanwhile. `render` may return undefined
   * (nothing to draw); returns whether an update was sent.
   */
  async updateRendered(channel: string, ts: string, render: () => Promise<SlackMessage | undefined>): Promise<boolean> {
    await this.throttle(channel);
    const message = await render();
    if (!message) return false;
    await this.call("chat.update", () => this.client.chat.update({ channel, ts, text: message.text, blocks: message.blocks }));
    return true;
  }

  /**
   * A message only `user` sees, in the channel or in a thread. Slack refuses ephemerals to people outside
   * the channel (someone clicking in a public channel they never joined); then the click's `response_url`
   * carries it, and without one the hint is dropped (logged), never failing the task.
   */
  async ephemeral(channel: string, user: string, text: string, options: { threadTs?: string | undefined; responseUrl?: string | undefined } = {}): Promise<void> {
    await this.throttle(channel);
    try {
      await this.call("chat.postEphemeral", () =>
        this.client.chat.postEphemeral({ channel, user, text, ...(options.threadTs ? { thread_ts: options.threadTs } : {}) }),
      );
    } catch (error) {
      if (!(error instanceof DeliveryFailedError) || error.providerCode !== "slack_user_not_in_channel") throw error;
      if (options.responseUrl && this.trustedResponseUrl(options.responseUrl)) await this.respond(options.responseUrl, text);
      else this.options.logger.info({ channel, user }, "could not show an ephemeral hint to someone outside the channel");
    }
  }

  /** Reply through an interaction's `response_url` (ephemeral, the original message left alone). */
  private async respond(responseUrl: string, text: string): Promise<void> {
    const fetchFn = this.options.fetch ?? globalThis.fetch;
    let response: Response;
    try {
      response = await fetchFn(responseUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ response_type: "ephemeral", replace_original: false, text }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new DeliveryFailedError("slack_unreachable", `response_url: ${errorMessage(error)}`, { permanent: false, cause: error });
    }
    if (!response.ok) throw new DeliveryFailedError("slack_http", `response_url: HTTP ${response.status}`, { permanent: response.status < 500 });
  }

  /** Only Slack's own hooks (or the configured API host, for proxies and tests) get our text. */
  private trustedResponseUrl(url: string): boolean {
    try {
      const target = new URL(url);
      if (target.protocol === "https:" && target.hostname === "hooks.slack.com") return true;
      return this.options.apiUrl !== undefined && target.origin === new URL(this.options.apiUrl).origin;
    } catch {
      return false;
    }
  }

  /** Whether `user` is in `channel` (member list cached briefly: joins and leaves show up within a minute). */
  async isMember(channel: string, user: string): Promise<boolean> {
    const now = this.options.now().getTime();
    let cached = this.members.get(channel);
    if (!cached || cached.until <= now) {
      const value = await this.fetchMembers(channel);
      cached = { value, until: now + this.options.membersTtlMs };
      this.members.set(channel, cached);
    }
    return cached.value.has(user);
  }

  async userNames(user: string): Promise<SlackUserNames> {
    const now = this.options.now().getTime();
    const cached = this.users.get(user);
    if (cached && cached.until > now) return cached.value;
    const value = await this.call("users.info", async () => {
      const result = await this.client.users.info({ user });
      const profile = result.user?.profile;
      return {
        firstName: nonEmpty(profile?.first_name),
        displayName: nonEmpty(profile?.display_name),
        realName: nonEmpty(profile?.real_name) ?? nonEmpty(result.user?.real_name) ?? nonEmpty(result.user?.name),
        isBot: Boolean(result.user?.is_bot),
      };
    });
    this.users.set(user, { value, until: now + this.options.usersTtlMs });
    return value;
  }

  private async fetchMembers(channel: string): Promise<ReadonlySet<string>> {
    const members = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < 50; page += 1) {
      const result = await this.call("conversations.members", () =>
        this.client.conversations.members({ channel, limit: 1_000, ...(cursor ? { cursor } : {}) }),
      );
      for (const member of result.members ?? []) members.add(member);
      cursor = nonEmpty(result.response_metadata?.next_cursor);
      if (!cursor) break;
    }
    return members;
  }

  private async throttle(channel: string): Promise<void> {
    const sleep = this.options.sleep ?? defaultSleep;
    let waited = 0;
    for (;;) {
      const token = await this.options.rateLimiter.take(`slack:${channel}`, this.options.rate);
      if (token.allowed) return;
      const wait = Math.max(token.retryAfterMs, 10);
      if (waited + wait > INLINE_WAIT_MS) {
        throw new DeliveryFailedError("slack_channel_busy", `channel ${channel} is at Slack's message rate; retrying later`, { permanent: false, retryAfterMs: wait });
      }
      await sleep(wait);
      waited += wait;
    }
  }

  /** Run one API call and translate Slack's failures into `DeliveryFailedError`s the queue understands. */
  private async call<T>(method: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw translateSlackError(method, error, this.options.logger);
    }
  }
}

export function translateSlackError(method: string, error: unknown, logger?: Logger): unknown {
  if (error instanceof DeliveryFailedError) return error;
  if (error instanceof WebAPIRateLimitedError) {
    logger?.warn({ method, retryAfterSeconds: error.retryAfter }, "Slack rate limited a call; the task will retry after Retry-After");
    return new DeliveryFailedError("slack_rate_limited", `${method}: rate limited by Slack`, { permanent: false, retryAfterMs: Math.max(1, error.retryAfter) * 1_000, cause: error });
  }
  if (error instanceof WebAPIPlatformError) {
    const code = String(error.data.error);
    if (code === "ratelimited") return new DeliveryFailedError("slack_rate_limited", `${method}: rate limited by Slack`, { permanent: false, retryAfterMs: 1_000, cause: error });
    return new DeliveryFailedError(`slack_${code}`, `${method} failed: ${code}`, { permanent: PERMANENT_ERRORS.has(code), cause: error });
  }
  if (error instanceof WebAPIHTTPError) {
    return new DeliveryFailedError("slack_http", `${method}: HTTP ${error.statusCode}`, { permanent: false, cause: error });
  }
  if (error instanceof WebAPIRequestError) {
    return new DeliveryFailedError("slack_unreachable", `${method}: ${errorMessage(error.original)}`, { permanent: false, cause: error });
  }
  return error;
}

function nonEmpty(value: string | undefined | null): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}
