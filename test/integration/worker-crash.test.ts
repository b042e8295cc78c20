/**
 * Restart durability at the process level: a real `switchboard serve --role worker` process (the real
 * local brain) is killed with SIGKILL mid-burst; a second worker process takes over; every accepted
 * message is answered exactly once and nothing is lost.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { RunningSwitchboard } from "../../src/main.js";
import { eventually } from "../support/eventually.js";
import { createHarness, customerMessage, type Harness } from "../support/switchboard-harness.js";

let harness: Harness;
let web: RunningSwitchboard;
const children: ChildProcess[] = [];

function startWorker(): ChildProcess {
  const child = spawn(process.execPath, ["bin/switchboard.js", "serve", "--role", "worker"], {
    env: { ...process.env, ...harness.env, QUEUE_PREFIX: harness.prefix, DATA_DIR: `/tmp/sb-crash-${randomUUID()}` },
    stdio: ["ignore", "ignore", "pipe"],
  });
  children.push(child);
  return child;
}

beforeAll(async () => {
  harness = await createHarness();
  web = await harness.start({ role: "web" });
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  await harness.stopAll();
});

it("answers every accepted message exactly once across a SIGKILLed worker process", { timeout: 180_000 }, async () => {
  const questions = ["How does pay in 4 work?", "Is there a late fee?", "Do you do a credit check?", "What stores can I use this at?"];
  const total = 60;
  let conversationId = "";
  for (let index = 0; index < total; index += 1) {
    const accepted = await web.intake.accept(customerMessage("webchat", "visitor-crash", `${questions[index % questions.length]} (#${index + 1})`));
    conversationId = accepted.conversationId;
  }

  const first = startWorker();
  const partial = await eventually(() => web.store.getConversation(conversationId), (conversation) => (conversation?.processedSeq ?? 0) > 0, 60_000, "the first worker to start answering");
  first.kill("SIGKILL");
  await new Promise((resolve) => first.once("exit", resolve));
  const processedAtKill = (await web.store.getConversation(conversationId))!.processedSeq;
  expect(partial?.processedSeq).toBeGreaterThan(0);

  startWorker();
  await eventually(
    () => web.store.listPendingInbound(conversationId),
    (pending) => pending.length === 0,
    150_000,
    "the second worker to finish the burst",
  );
  const messages = await eventually(
    () => web.store.listMessages(conversationId),
    (found) => found.filter((message) => message.direction === "outbound" && message.status === "sent").length >= total,
    60_000,
    "every answer to be sent",
  );
  const inbound = messages.filter((message) => message.direction === "inbound");
  const outbound = messages.filter((message) => message.direction === "outbound");
  expect(inbound).toHaveLength(total);
  expect(inbound.every((message) => message.decision?.route === "ai")).toBe(true);
  // Exactly one answer per question: no message lost, none answered twice, across the crash.
  expect(outbound).toHaveLength(total);
  expect(messages.map((message) => message.seq)).toEqual(messages.map((_, index) => index + 1));
  expect(outbound.every((message) => message.status === "sent" && message.author === "ai")).toBe(true);
  expect(processedAtKill).toBeLessThan(total * 2);
});
