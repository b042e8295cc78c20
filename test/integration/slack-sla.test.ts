/**
 * SLA timers and business hours through the real queue: an unclaimed escalation re-alerts the team
 * (user group mentioned, priority raised), a claimer who leaves the customer waiting is reminded, timers
 * that fire after the conversation moved on do nothing, and outside business hours the customer hears
 * when the team is back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACTION_IDS } from "../../escalation/slack/index.js";
import { SLA_TASKS } from "../../escalation/sla.js";
import { eventually } from "../support/eventually.js";
import { RecordingChannel } from "../support/recording-channel.js";
import { AGENTS, DESK_CHANNEL, startSlackDeskWorld, type SlackDeskWorld } from "../support/slack-desk-harness.js";
import { customerMessage } from "../support/switchboard-harness.js";
import { createTestBrain } from "../support/test-brain.js";

let counter = 0;
const newAddress = () => `sla-visitor-${++counter}-${Date.now()}`;

describe("SLA timers", () => {
  let world: SlackDeskWorld;
  const channel = new RecordingChannel("test", "webchat");

  beforeAll(async () => {
    // 0.01 minutes = 600 ms: real delayed jobs, short enough for a test.
    world = await startSlackDeskWorld({
      brain: createTestBrain(),
      channels: [channel],
      deskFile: { sla: { unclaimedMinutes: 0.01, noReplyMinutes: 0.01, maxRealerts: 2 } },
    });
  });
  afterAll(async () => world?.close());

  async function escalate() {
    const address = newAddress();
    const { conversationId } = await world.switchboard.intake.accept(customerMessage("test", address, "I need a human"));
    const conversation = await eventually(() => world.switchboard.store.getConversation(conversationId), (found) => Boolean(found?.escalation?.deskRef));
    const [postChannel, ts] = conversation!.escalation!.deskRef!.split("/") as [string, string];
    return { address, conversationId, post: { channel: postChannel, ts } };
  }
  const threadTexts = (post: { channel: string; ts: string }) => world.fake.thread(post.channel, post.ts).map((reply) => reply.text);

  it("re-alerts an unclaimed escalation, mentioning the user group and raising the priority, up to the limit", async () => {
    const { conversationId, post } = await escalate();
    const alerts = await eventually(
      () => world.fake.thread(post.channel, post.ts).filter((reply) => reply.text.includes("Still unclaimed")),
      (found) => found.length === 2,
      15_000,
      "two re-alerts",
    );
    expect(alerts.every((alert) => alert.replyBroadcast)).toBe(true);
    expect(alerts[0]?.text).toContain("<!subteam^S0SUPPORT>");
    expect(alerts[0]?.text).toContain("priority raised to :large_orange_circle: High");
    expect(alerts[1]?.text).toContain("Urgent");
    const conversation = await world.switchboard.store.getConversation(conversationId);
    expect(conversation?.escalation?.priority).toBe("urgent");
    expect(JSON.stringify(world.fake.find(post.channel, post.ts)?.blocks)).toContain("re-alerted 2×");
    // maxRealerts is 2: no third one.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(threadTexts(post).filter((text) => text.includes("Still unclaimed"))).toHaveLength(2);
  });

  it("reminds the claimer once per unanswered stretch, and not after they replied", async () => {
    const { address, conversationId, post } = await escalate();
    await world.click(AGENTS.sam.id, post, ACTION_IDS.claim, conversationId);
    const reminders = () => threadTexts(post).filter((text) => text.includes(":bell:"));
    await eventually(reminders, (found) => found.length === 1, 15_000, "a reminder");
    expect(reminders()[0]).toContain(`<@${AGENTS.sam.id}>`);
    // The customer writes again in the same stretch: still one reminder.
    await world.switchboard.intake.accept(customerMessage("test", address, "hello??"));
    await eventually(() => threadTexts(post), (texts) => texts.some((text) => text.startsWith("Customer: hello??")));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(reminders()).toHaveLength(1);
    // Sam answers; the customer writes; a new stretch gets its own reminder.
    await world.reply(post.channel, post.ts, AGENTS.sam.id, "Sorry, looking now");
    await eventually(() => channel.delivered.filter((item) => item.conversationId === conversationId && item.author === "agent"), (found) => found.length === 1);
    await world.switchboard.intake.accept(customerMessage("test", address, "thanks, and?"));
    await eventually(reminders, (found) => found.length === 2, 15_000, "a second reminder");
  });

  it("does nothing when a timer fires after the conversation moved on", async () => {
    const { conversationId, post } = await escalate();
    await world.click(AGENTS.sam.id, post, ACTION_IDS.claim, conversationId);
    const conversation = await eventually(() => world.switchboard.store.getConversation(conversationId), (found) => found?.state === "human");
    const before = world.fake.messages.length;
    const stale = {
      name: SLA_TASKS.unclaimed,
      payload: { conversationId, deskRef: conversation!.escalation!.deskRef!, escalatedAt: conversation!.escalation!.at.toISOString(), level: 1 },
    };
    expect(await world.bundle.sla.run(stale)).toEqual({ kind: "done" });
    // Another agent's timer, and a timer for a post that is not the current one.
    const otherAgent = { name: SLA_TASKS.noReply, payload: { conversationId, deskRef: conversation!.escalation!.deskRef!, assignee: "slack:U0ALEX", since: new Date().toISOString() } };
    expect(await world.bundle.sla.run(otherAgent)).toEqual({ kind: "done" });
    const otherPost = { name: SLA_TASKS.noReply, payload: { ...otherAgent.payload, assignee: `slack:${AGENTS.sam.id}`, deskRef: `${DESK_CHANNEL}/1.000001` } };
    expect(await world.bundle.sla.run(otherPost)).toEqual({ kind: "done" });
    expect(world.fake.messages.slice(before).filter((message) => message.text.includes("Still unclaimed"))).toHaveLength(0);
    await expect(world.bundle.sla.run({ name: SLA_TASKS.unclaimed, payload: { conversationId: "nope" } })).rejects.toThrow(/malformed payload/);
  });
});

describe("outside business hours", () => {
  let world: SlackDeskWorld;
  const channel = new RecordingChannel("test", "webchat");
  const days = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
  const today = days[new Date().getUTCDay()]!;
  const tomorrow = days[(new Date().getUTCDay() + 1) % 7]!;

  beforeAll(async () => {
    world = await startSlackDeskWorld({
      brain: createTestBrain(),
      channels: [channel],
      availability: { businessHours: { timezone: "UTC", label: "UTC", weekly: { [tomorrow]: "09:00-17:00", [today]: "closed" } } },
      deskFile: { sla: { unclaimedMinutes: 0.01 } },
    });
  });
  afterAll(async () => world?.close());

  it("tells the customer when the team is back, and holds the SLA clock until then", async () => {
    const { conversationId } = await world.switchboard.intake.accept(customerMessage("test", newAddress(), "talk to a human"));
    const notice = await eventually(() => channel.delivered.find((item) => item.conversationId === conversationId), Boolean);
    expect(notice?.text).toContain("Our team is back at 9:00 tomorrow (UTC)");
    expect(notice?.text).toContain("I can keep helping with questions I'm allowed to answer");
    const conversation = await eventually(() => world.switchboard.store.getConversation(conversationId), (found) => Boolean(found?.escalation?.deskRef));
    const [postChannel, ts] = conversation!.escalation!.deskRef!.split("/") as [string, string];
    // With a 600 ms SLA during business hours this would have re-alerted by now; closed, it waits for tomorrow.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(world.fake.thread(postChannel, ts).filter((reply) => reply.text.includes("Still unclaimed"))).toHaveLength(0);
  });
});
