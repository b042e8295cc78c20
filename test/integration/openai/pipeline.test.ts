/**
 * AI_ENGINE=openai end to end: the composition root builds the OpenAI engine from the environment (the
 * fake provider at OPENAI_BASE_URL, the shipped kb, the demo accounts, the local engine as fallback), and
 * the real pipeline (Redis, PostgreSQL, workers) records the decision's engine and the usage on the
 * conversation; a provider outage still gets the customer an answer.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSwitchboard } from "../../../src/main.js";
import { startFakeOpenAI, type FakeOpenAIServer } from "../../fakes/openai-server.js";
import { eventually } from "../../support/eventually.js";
import { finalAnswer } from "../../support/openai-kit.js";
import { RecordingChannel } from "../../support/recording-channel.js";
import { RecordingDesk } from "../../support/recording-desk.js";
import { createHarness, customerMessage, type Harness } from "../../support/switchboard-harness.js";

let fake: FakeOpenAIServer;
let harness: Harness;
let switchboard: RunningSwitchboard;
const channel = new RecordingChannel("chat");
const desk = new RecordingDesk();

beforeAll(async () => {
  fake = await startFakeOpenAI();
  harness = await createHarness({
    AI_ENGINE: "openai",
    OPENAI_API_KEY: fake.apiKey,
    OPENAI_BASE_URL: fake.baseURL,
    OPENAI_MODEL: "gpt-test",
    OPENAI_MAX_RETRIES: "0",
    OPENAI_BREAKER_FAILURES: "50",
    KB_DIR: new URL("../../../kb/", import.meta.url).pathname,
    DATA_DIR: mkdtempSync(join(tmpdir(), "openai-pipeline-")),
  });
  switchboard = await harness.start({ channels: [channel], desk: { desk } });
}, 60_000);

afterAll(async () => {
  await harness?.stopAll();
  await fake?.close();
});

let counter = 0;
const say = (text: string) => switchboard.intake.accept(customerMessage("chat", `visitor-${++counter}-${Date.now()}`, text));

describe("AI_ENGINE=openai through the pipeline", () => {
  it("answers with the model, records the engine on the decision and the usage on the conversation, exposes metrics", async () => {
    fake.setScript(() => ({ kind: "json", json: finalAnswer("You can pay early any time in the app, at no extra cost.", { category: "pay_early" }), usage: { prompt_tokens: 300, completion_tokens: 40 } }));
    const { conversationId } = await say("Can I pay my plan off early?");
    await eventually(() => channel.textsFor(conversationId), (texts) => texts.length === 1);
    expect(channel.textsFor(conversationId)).toEqual(["You can pay early any time in the app, at no extra cost."]);
    const [inbound] = await switchboard.store.listMessages(conversationId);
    expect(inbound?.decision).toMatchObject({ route: "ai", engine: "openai:gpt-test", category: "pay_early" });
    const conversation = await switchboard.store.getConversation(conversationId);
    expect(conversation?.context.openai).toMatchObject({ model: "gpt-test", prompt: "support-agent v1", usage: { promptTokens: 300, completionTokens: 40, turns: 1 } });

    const metrics = await fetch(`${switchboard.url}/metrics`).then((response) => response.text());
    expect(metrics).toMatch(/switchboard_llm_tokens_total\{model="gpt-test",kind="prompt"\} 300/);
    expect(metrics).toMatch(/switchboard_llm_breaker_state 0/);
  });

  it("when the provider fails, the embedded engine answers: the customer is not left waiting", async () => {
    fake.setScript(() => ({ kind: "error", status: 503 }));
    const { conversationId } = await say("How do late fees work?");
    await eventually(() => channel.textsFor(conversationId), (texts) => texts.length === 1);
    const [inbound] = await switchboard.store.listMessages(conversationId);
    expect(inbound?.decision?.reasonCodes).toEqual(expect.arrayContaining(["model_fallback", "model_server"]));
    expect(channel.textsFor(conversationId)[0]?.toLowerCase()).toContain("late fee");
  });

  it("the same routing rules run first: a request for a person never reaches the model", async () => {
    const before = fake.requests.length;
    const { conversationId } = await say("I want to talk to a real person");
    await eventually(() => switchboard.store.getConversation(conversationId), (found) => found?.state === "awaiting_human");
    expect(fake.requests).toHaveLength(before);
  });
});
