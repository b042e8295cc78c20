/**
 * The desk's Slack API layer over the official WebClient (configured as the desk configures Bolt's)
 * against the fake Web API, with the real Redis rate limiter: the per-channel message rate, Slack's 429
 * and platform errors turned into queue outcomes, cached member lists and names, private hints.
 */
import { WebClient } from "@slack/web-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisRateLimiter } from "../../adapters/queue/index.js";
import { webClientOptions } from "../../escalation/slack/bolt-app.js";
import { SlackApi } from "../../escalation/slack/slack-api.js";
import { DeliveryFailedError, queueOutcomeFor } from "../../src/errors.js";
import { silentLogger } from "../../src/logging/logger.js";
import { FakeSlackApi } from "../fakes/slack-api.js";
import { TEST_REDIS_URL, uniqueName } from "../support/services.js";

const logger = silentLogger();
let fake: FakeSlackApi;
let rateLimiter: ReturnType<typeof createRedisRateLimiter>;
const message = { text: "hello", blocks: [{ type: "section" as const, text: { type: "mrkdwn" as const, text: "hello" } }] };

function api(options: { perSecond?: number; burst?: number; waits?: number[]; now?: () => Date } = {}): SlackApi {
  const client = new WebClient(fake.botToken, webClientOptions({ apiUrl: fake.apiUrl }, logger));
  return new SlackApi(client, {
    rateLimiter,
    rate: { perSecond: options.perSecond ?? 1, burst: options.burst ?? 1 },
    membersTtlMs: 60_000,
    usersTtlMs: 60_000,
    logger,
    now: options.now ?? (() => new Date()),
    apiUrl: fake.apiUrl,
    sleep: async (ms) => {
      options.waits?.push(ms);
      await new Promise((resolve) => setTimeout(resolve, ms));
    },
  });
}

beforeAll(async () => {
  fake = await new FakeSlackApi().start();
  fake.addChannel("C0ONE", ["U0A", "U0B", "U0C", "U0D", "U0E"]).addChannel("C0TWO", ["U0A"]).addChannel("C0SLOW", []).addUser({ id: "U0A", name: "ann", realName: "Ann Lee", firstName: "" });
  rateLimiter = createRedisRateLimiter({ redisUrl: TEST_REDIS_URL, prefix: uniqueName("sbslackapi"), logger });
});
afterAll(async () => {
  await rateLimiter?.close();
  await fake?.stop();
});

describe("SlackApi", () => {
  it("waits for the channel's token before each post (one per second per channel), channels independently", async () => {
    const waits: number[] = [];
    const slack = api({ waits });
    for (let index = 0; index < 3; index += 1) await slack.post("C0ONE", message);
    expect(waits.length).toBeGreaterThanOrEqual(2);
    expect(waits.every((wait) => wait > 0 && wait <= 1_000)).toBe(true);
    const before = waits.length;
    await slack.post("C0TWO", message);
    expect(waits.length).toBe(before);
    expect(fake.posts("C0ONE").length).toBeGreaterThanOrEqual(3);
  });

  it("hands a long wait to the queue instead of blocking the worker", async () => {
    const slack = api({ perSecond: 0.1, burst: 1 });
    await slack.post("C0SLOW", message);
    const error = await slack.post("C0SLOW", message).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DeliveryFailedError);
    expect(error).toMatchObject({ providerCode: "slack_channel_busy", permanent: false });
    expect((error as DeliveryFailedError).retryAfterMs).toBeGreaterThan(2_500);
  });

  it("turns Slack's 429 into a retry after Retry-After, and platform errors into retry or give up", async () => {
    const slack = api({ perSecond: 100, burst: 100 });
    fake.rateLimit("chat.postMessage", 7);
    const before = fake.callsOf("chat.postMessage").length;
    const limited = await slack.post("C0ONE", message).catch((caught: unknown) => caught);
    expect(limited).toMatchObject({ providerCode: "slack_rate_limited", permanent: false, retryAfterMs: 7_000 });
    expect(queueOutcomeFor(limited)).toEqual({ kind: "retry", delayMs: 7_000 });
    // The client did not wait and retry by itself: one call, answered 429.
    expect(fake.callsOf("chat.postMessage").slice(before).map((call) => call.status)).toEqual([429]);

    const missing = await slack.post("C0NOPE", message).catch((caught: unknown) => caught);
    expect(missing).toMatchObject({ providerCode: "slack_channel_not_found", permanent: true });
    expect(queueOutcomeFor(missing).kind).toBe("give_up");
    fake.failWith("chat.update", "internal_error");
    const flaky = await slack.update("C0ONE", "1.1", message).catch((caught: unknown) => caught);
    expect(flaky).toMatchObject({ providerCode: "slack_internal_error", permanent: false });
  });

  it("caches the member list (paging through it) and names, and falls back to the real name's first word", async () => {
    let now = new Date("2025-03-04T15:00:00Z");
    const slack = api({ now: () => now });
    fake.membersPageSize = 2;
    const before = fake.callsOf("conversations.members").length;
    expect(await slack.isMember("C0ONE", "U0E")).toBe(true);
    expect(await slack.isMember("C0ONE", "U0Z")).toBe(false);
    expect(fake.callsOf("conversations.members").length - before).toBe(3);
    now = new Date(now.getTime() + 61_000);
    expect(await slack.isMember("C0ONE", "U0A")).toBe(true);
    expect(fake.callsOf("conversations.members").length - before).toBe(6);
    fake.membersPageSize = 1_000;

    expect(await slack.userNames("U0A")).toMatchObject({ firstName: undefined, realName: "Ann Lee", isBot: false });
    await slack.userNames("U0A");
    expect(fake.callsOf("users.info")).toHaveLength(1);
  });

  it("shows private hints, through the response URL to people outside the channel, and only to Slack's hosts", async () => {
    const slack = api({ perSecond: 100, burst: 100 });
    await slack.ephemeral("C0ONE", "U0B", "only you", { threadTs: "1.1" });
    expect(fake.ephemerals.at(-1)).toEqual({ channel: "C0ONE", user: "U0B", text: "only you", threadTs: "1.1" });
    await slack.ephemeral("C0TWO", "U0B", "join first", { responseUrl: fake.responseUrl("hint") });
    expect(fake.responses.at(-1)).toEqual({ path: "/response/hint", body: { response_type: "ephemeral", replace_original: false, text: "join first" } });
    const answered = fake.responses.length;
    await slack.ephemeral("C0TWO", "U0B", "leak?", { responseUrl: "http://evil.example/steal" });
    await slack.ephemeral("C0TWO", "U0B", "nowhere");
    expect(fake.responses).toHaveLength(answered);
  });

  it("asks auth.test once for the bot's identity", async () => {
    const slack = api();
    const before = fake.callsOf("auth.test").length;
    expect(await slack.identity()).toEqual({ botUserId: fake.botUserId, botId: fake.botId });
    await slack.identity();
    expect(fake.callsOf("auth.test").length - before).toBe(1);
  });
});
