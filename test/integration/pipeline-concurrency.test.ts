/**
 * The pipeline under concurrency and restarts: several worker processes' worth of pools on one
 * conversation keep seq order and never overlap; a worker stopped mid-burst loses nothing and repeats
 * nothing; an agent who claims while the AI is thinking silences the AI's reply.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createBrain } from "../../src/agent/decide-turn.js";
import type { AgentEngine, Brain } from "../../src/ports/agent-engine.js";
import { eventually } from "../support/eventually.js";
import { RecordingChannel } from "../support/recording-channel.js";
import { RecordingDesk } from "../support/recording-desk.js";
import { createHarness, customerMessage, type Harness } from "../support/switchboard-harness.js";
import { testRouting } from "../support/test-brain.js";

interface Span {
  conversationId: string;
  seq: number;
  start: number;
  end: number;
}

/** An echo brain that takes `delayMs` and records when it worked on which message. */
function timedBrain(spans: Span[], delayMs: number, started?: (seq: number) => void): Brain {
  const engine: AgentEngine = {
    name: "timed-echo",
    async answer(turn) {
      const start = performance.now();
      started?.(turn.message.seq);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      spans.push({ conversationId: turn.conversation.id, seq: turn.message.seq, start, end: performance.now() });
      return { kind: "answer", text: `Echo: ${turn.message.text}`, confidence: 1, facts: [], reasonCodes: [], engine: "timed-echo" };
    },
  };
  return createBrain({ routing: testRouting, engine, guards: [] });
}

let harness: Harness;
beforeEach(async () => {
  harness = await createHarness();
});
afterEach(async () => harness.stopAll());

describe("pipeline concurrency", () => {
  it("never runs two workers on one conversation and keeps seq order across three worker pools", async () => {
    const spans: Span[] = [];
    const channel = new RecordingChannel("test");
    const desk = { desk: new RecordingDesk() };
    const web = await harness.start({ role: "web", channels: [channel], desk });
    for (let index = 0; index < 3; index += 1) {
      await harness.start({ role: "worker", brain: timedBrain(spans, 15), channels: [channel], desk });
    }
    const addresses = ["alice", "bob", "carol"];
    const ids = new Map<string, string>();
    for (let round = 1; round <= 8; round += 1) {
      for (const address of addresses) {
        const accepted = await web.intake.accept(customerMessage("test", address, `${address} ${round}`));
        ids.set(address, accepted.conversationId);
      }
    }
    for (const address of addresses) {
      const conversationId = ids.get(address)!;
      await eventually(() => channel.textsFor(conversationId), (texts) => texts.length === 8, 60_000, `8 replies to ${address}`);
      expect(channel.textsFor(conversationId)).toEqual(Array.from({ length: 8 }, (_, index) => `Echo: ${address} ${index + 1}`));
      const mine = spans.filter((span) => span.conversationId === conversationId).sort((a, b) => a.start - b.start);
      expect(mine.map((span) => span.seq)).toEqual([...mine.map((span) => span.seq)].sort((a, b) => a - b));
      for (let index = 1; index < mine.length; index += 1) expect(mine[index]!.start).toBeGreaterThanOrEqual(mine[index - 1]!.end);
    }
  });

  it("processes every accepted message exactly once when a worker stops mid-burst", async () => {
    const channel = new RecordingChannel("test");
    const desk = { desk: new RecordingDesk() };
    const web = await harness.start({ role: "web", channels: [channel], desk });
    const first = await harness.start({ role: "worker", brain: timedBrain([], 120), channels: [channel], desk });
    let conversationId = "";
    const texts = Array.from({ length: 20 }, (_, index) => `message ${index + 1}`);
    for (const text of texts) conversationId = (await web.intake.accept(customerMessage("test", "dave", text))).conversationId;

    await eventually(() => channel.textsFor(conversationId), (delivered) => delivered.length >= 4, 30_000);
    await first.close();
    const processedAtStop = (await web.store.getConversation(conversationId))!.processedSeq;
    expect(processedAtStop).toBeLessThan(texts.length * 2);

    await harness.start({ role: "worker", brain: timedBrain([], 5), channels: [channel], desk });
    await eventually(() => channel.textsFor(conversationId), (delivered) => delivered.length === texts.length, 60_000);
    expect(channel.textsFor(conversationId)).toEqual(texts.map((text) => `Echo: ${text}`));
    const messages = await web.store.listMessages(conversationId);
    expect(messages.filter((message) => message.author === "ai")).toHaveLength(texts.length);
    expect(messages.filter((message) => message.direction === "inbound").every((message) => message.decision !== undefined)).toBe(true);
  });

  it("drops the AI's reply when an agent claims while the AI is thinking", async () => {
    const channel = new RecordingChannel("test");
    const desk = new RecordingDesk();
    let thinking = false;
    const switchboard = await harness.start({ brain: timedBrain([], 1_500, () => (thinking = true)), channels: [channel], desk: { desk } });
    const { conversationId, messageId } = await switchboard.intake.accept(customerMessage("test", "erin", "where is my order"));
    await eventually(() => thinking, (value) => value);
    const claim = await switchboard.handoff.claim(conversationId, { id: "slack:U9", displayName: "Kim Lee" });
    expect(claim.kind).toBe("claimed");
    await eventually(() => switchboard.store.getMessage(messageId), (message) => message?.decision !== undefined, 15_000);
    await eventually(() => desk.mirrored.map((message) => message.id), (ids) => ids.includes(messageId));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(channel.textsFor(conversationId).some((text) => text.startsWith("Echo:"))).toBe(false);
    expect((await switchboard.store.getConversation(conversationId))?.state).toBe("human");
  });
});
