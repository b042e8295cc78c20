/**
 * The Slack desk over Socket Mode (SLACK_APP_TOKEN set): Bolt's own SocketModeReceiver connects to the
 * fake's WebSocket (found through `apps.connections.open` on the same fake Web API), acknowledges each
 * envelope, and the same tasks do the work. No /slack/events route exists in this mode.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACTION_IDS } from "../../escalation/slack/index.js";
import { blockActionPayload, eventBody } from "../fakes/slack-requests.js";
import { eventually } from "../support/eventually.js";
import { RecordingChannel } from "../support/recording-channel.js";
import { AGENTS, startSlackDeskWorld, type SlackDeskWorld } from "../support/slack-desk-harness.js";
import { customerMessage } from "../support/switchboard-harness.js";
import { createTestBrain } from "../support/test-brain.js";

let world: SlackDeskWorld;
const channel = new RecordingChannel("test", "webchat");

beforeAll(async () => {
  world = await startSlackDeskWorld({ brain: createTestBrain(), channels: [channel], socketMode: true });
});
afterAll(async () => world?.close());

describe("Socket Mode", () => {
  it("connects with the app token, then claims and relays replies from acknowledged envelopes", async () => {
    const socket = world.socket!;
    expect(socket.connected).toBe(true);
    expect(world.fake.callsOf("apps.connections.open")[0]?.authorization).toBe(`Bearer ${world.fake.appToken}`);

    const { conversationId } = await world.switchboard.intake.accept(customerMessage("test", `socket-${Date.now()}`, "I want a human"));
    const conversation = await eventually(() => world.switchboard.store.getConversation(conversationId), (found) => Boolean(found?.escalation?.deskRef));
    const [postChannel, ts] = conversation!.escalation!.deskRef!.split("/") as [string, string];
    const post = world.fake.find(postChannel, ts)!;

    const clickAck = await socket.push("interactive", blockActionPayload(world.fake, { user: AGENTS.sam.id, message: post, actionId: ACTION_IDS.claim, value: conversationId }));
    expect(clickAck).toMatchObject({ envelope_id: expect.any(String) });
    await eventually(() => world.switchboard.store.getConversation(conversationId), (found) => found?.state === "human");

    const { event } = world.fake.userReply(postChannel, ts, AGENTS.sam.id, "Hello from Socket Mode");
    const { body, eventId } = eventBody(world.fake, event);
    await socket.push("events_api", body);
    // Slack retries an envelope it thinks was lost: same event id, acknowledged, done once.
    await socket.push("events_api", eventBody(world.fake, event, eventId).body, { retryAttempt: 1 });
    await eventually(() => channel.delivered.filter((item) => item.conversationId === conversationId && item.author === "agent"), (found) => found.length === 1);
    expect(channel.delivered.find((item) => item.author === "agent")).toMatchObject({ authorName: "Sam", text: "Hello from Socket Mode" });
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(channel.delivered.filter((item) => item.text === "Hello from Socket Mode")).toHaveLength(1);

    const http = await fetch(`${world.switchboard.url}/slack/events`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(http.status).toBe(404);
  });
});
