/**
 * Slack's retry of an event whose work never reached the queue must be processed: the event id is
 * remembered (in Redis, as in production) only after the listener enqueued the work.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createRedisOnceGuard } from "../../adapters/queue/index.js";
import { dropReplays, type SlackRequestArgs } from "../../escalation/slack/bolt-app.js";
import { silentLogger } from "../../src/logging/logger.js";
import { TEST_REDIS_URL, uniqueName } from "../support/services.js";

const guards: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const guard of guards.splice(0)) await guard.close();
});

function onceGuard() {
  const guard = createRedisOnceGuard({ redisUrl: TEST_REDIS_URL, prefix: uniqueName("slack-dedupe"), logger: silentLogger() });
  guards.push(guard);
  return guard;
}

function delivery(eventId: string, listener: () => Promise<void>, retryNum?: number): SlackRequestArgs & { acked: number } {
  const args = {
    body: { event_id: eventId, event: { type: "message" } },
    context: retryNum === undefined ? {} : { retryNum },
    acked: 0,
    ack: async () => {
      args.acked += 1;
    },
    next: listener,
  };
  return args;
}

describe("Slack event dedupe", () => {
  it("processes Slack's retry when the first delivery failed before its work was enqueued", async () => {
    const once = onceGuard();
    const enqueued: string[] = [];
    let queueUp = false;
    const listener = async () => {
      if (!queueUp) throw new Error("queue unavailable (or the process died) before the reply was enqueued");
      enqueued.push("agent reply");
    };
    await expect(dropReplays({ once, logger: silentLogger() }, delivery("Ev001", listener))).rejects.toThrow(/queue unavailable/);
    expect(await once.seen("slack:event:Ev001")).toBe(false);

    queueUp = true;
    await dropReplays({ once, logger: silentLogger() }, delivery("Ev001", listener, 1));
    expect(enqueued).toEqual(["agent reply"]);
    expect(await once.seen("slack:event:Ev001")).toBe(true);
  });

  it("drops (and acknowledges) a retry of an event whose work was enqueued", async () => {
    const once = onceGuard();
    let runs = 0;
    const listener = async () => {
      runs += 1;
    };
    await dropReplays({ once, logger: silentLogger() }, delivery("Ev002", listener));
    const retry = delivery("Ev002", listener, 1);
    await dropReplays({ once, logger: silentLogger() }, retry);
    expect(runs).toBe(1);
    expect(retry.acked).toBe(1);
  });
});
