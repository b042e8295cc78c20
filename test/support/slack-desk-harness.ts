/**
 * A whole Switchboard with the Slack desk, for integration tests: real PostgreSQL and Redis (own database,
 * own prefix), the real pipeline and core `Handoff`, the fake Slack Web API on loopback, and helpers to
 * send Slack's signed requests to `POST /slack/events`. The desk is built the way a second process would
 * build it: its own store, queue, bus, rate limiter and once-guard on the same database and Redis prefix.
 */
import { createBullWorkQueue, createRedisBus, createRedisOnceGuard, createRedisRateLimiter } from "../../adapters/queue/index.js";
import { createPostgresStore } from "../../adapters/store/index.js";
import { BusinessHours, type AvailabilityInput } from "../../escalation/business-hours.js";
import { createSlackDesk, slackDeskConfigFrom, type SlackDeskBundle } from "../../escalation/slack/index.js";
import type { ChannelKind } from "../../src/domain/model.js";
import { silentLogger } from "../../src/logging/logger.js";
import type { RunningSwitchboard } from "../../src/main.js";
import { ConversationEvents } from "../../src/pipeline/conversation-events.js";
import { Handoff } from "../../src/pipeline/handoff.js";
import type { Brain } from "../../src/ports/agent-engine.js";
import type { ChannelAdapter } from "../../src/ports/channel-adapter.js";
import { FakeSlackApi } from "../fakes/slack-api.js";
import { FakeSlackSocket } from "../fakes/slack-socket.js";
import { blockActionRequest, eventRequest, type SlackRequest } from "../fakes/slack-requests.js";
import { createHarness, type Harness } from "./switchboard-harness.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMediaService, deskMedia } from "../../src/media/index.js";
import { TEST_REDIS_URL } from "./services.js";

export const SIGNING_SECRET = "test-signing-secret-0123456789abcdef";
export const DESK_CHANNEL = "C0ESCALATE";
export const DISPUTES_CHANNEL = "C0DISPUTES";
export const AGENTS = {
  sam: { id: "U0SAM", name: "sam", realName: "Sam Rivera", firstName: "Sam", displayName: "sammy" },
  alex: { id: "U0ALEX", name: "alex", realName: "Alex Kim", firstName: "Alex", displayName: "alexk" },
  outsider: { id: "U0OUT", name: "olly", realName: "Olly Outside", firstName: "Olly" },
} as const;

export interface SlackDeskWorld {
  harness: Harness;
  fake: FakeSlackApi;
  /** Set when the world runs in Socket Mode. */
  socket: FakeSlackSocket | undefined;
  switchboard: RunningSwitchboard;
  bundle: SlackDeskBundle;
  /** POST a signed (or hand-made) request to /slack/events. */
  send(request: SlackRequest): Promise<Response>;
  /** A signed thread reply by `user`, as Slack delivers it. */
  reply(channel: string, threadTs: string, user: string, text: string, extra?: Record<string, unknown>): Promise<{ response: Response; eventId: string; ts: string }>;
  /** A signed button click by `user` on the post. */
  click(user: string, post: { channel: string; ts: string }, actionId: string, value: string): Promise<Response>;
  close(): Promise<void>;
}

export async function startSlackDeskWorld(options: {
  brain: Brain;
  channels: ChannelAdapter[];
  channelKinds?: ReadonlyMap<string, ChannelKind>;
  deskFile?: Record<string, unknown>;
  availability?: AvailabilityInput;
  now?: () => Date;
  /** Connect over Socket Mode (SLACK_APP_TOKEN) instead of HTTP events. */
  socketMode?: boolean;
}): Promise<SlackDeskWorld> {
  // The desk publishes agents' files where the server serves them: the same DATA_DIR, hence the same key.
  const dataDir = mkdtempSync(join(tmpdir(), "sb-slack-desk-"));
  const harness = await createHarness({ DATA_DIR: dataDir });
  const fake = await new FakeSlackApi().start();
  fake.addUser(AGENTS.sam).addUser(AGENTS.alex).addUser(AGENTS.outsider);
  fake.addChannel(DESK_CHANNEL, [AGENTS.sam.id, AGENTS.alex.id]).addChannel(DISPUTES_CHANNEL, [AGENTS.sam.id]);
  const socket = options.socketMode ? await FakeSlackSocket.start(fake) : undefined;

  const logger = silentLogger();
  const now = options.now ?? (() => new Date());
  const redis = { redisUrl: TEST_REDIS_URL, prefix: harness.prefix, logger };
  const store = createPostgresStore({ url: harness.database.url, poolSize: 4 });
  const queue = createBullWorkQueue(redis);
  const bus = createRedisBus(redis);
  const rateLimiter = createRedisRateLimiter(redis);
  const once = createRedisOnceGuard(redis);
  const handoff = new Handoff({ store, queue, events: new ConversationEvents(bus, logger), now });
  const config = slackDeskConfigFrom(
    {
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_ESCALATION_CHANNEL: DESK_CHANNEL,
      SLACK_API_URL: fake.apiUrl,
      ...(socket ? { SLACK_APP_TOKEN: fake.appToken } : {}),
    },
    { channels: { disputes: DISPUTES_CHANNEL }, mentionGroup: "S0SUPPORT", ...options.deskFile },
  )!;
  const availability = new BusinessHours(options.availability ?? {});
  const bundle = createSlackDesk(config, {
    store,
    handoff,
    queue,
    rateLimiter,
    once,
    logger,
    now,
    availability,
    ...(options.channelKinds ? { channelKinds: options.channelKinds } : {}),
    media: deskMedia(
      createMediaService({ dataDir, publicUrl: harness.env.PUBLIC_URL!, now }),
      new Map(options.channels.map((channel) => [channel.id, channel])),
    ),
  });
  const switchboard = await harness.start({ brain: options.brain, channels: options.channels, desk: bundle, now });
  const url = `${switchboard.url}/slack/events`;

  const send = (request: SlackRequest) => fetch(url, { method: "POST", headers: request.headers, body: request.body });
  return {
    harness,
    fake,
    socket,
    switchboard,
    bundle,
    send,
    async reply(channel, threadTs, user, text, extra = {}) {
      const { ts, event } = fake.userReply(channel, threadTs, user, text);
      const request = eventRequest(SIGNING_SECRET, fake, { ...event, ...extra });
      return { response: await send(request), eventId: request.eventId, ts };
    },
    async click(user, post, actionId, value) {
      const message = fake.find(post.channel, post.ts);
      if (!message) throw new Error(`no post ${post.channel}/${post.ts} in the fake`);
      return send(blockActionRequest(SIGNING_SECRET, fake, { user, message, actionId, value }));
    },
    async close() {
      // Workers first (they use the desk), then the desk's own connections, then the database.
      await switchboard.close();
      for (const part of [queue, bus, rateLimiter, once, store]) await part.close();
      await harness.stopAll();
      await socket?.stop();
      await fake.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
