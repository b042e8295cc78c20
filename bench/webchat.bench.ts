/**
 * Web chat socket throughput and latency on a whole in-process Switchboard (web role: the core's intake,
 * PostgreSQL, Redis), driven by real `ws` clients.
 *
 *   npx tsx bench/webchat.bench.ts [--sockets 50] [--messages 20] [--runs 3]
 *
 * - inbound: every socket sends its messages one after another (each waits for its receipt), all sockets
 *   at once: receipts per second and receipt latency (frame sent -> receipt: validate, dedupe, store,
 *   enqueue the turn);
 * - outbound: one reply per socket through `adapter.send` (Redis publish) -> the frame on the socket.
 * Rate limits are raised for the run (the bench measures the path, not the per-session limit).
 */
import { parseArgs } from "node:util";
import { createHarness } from "../test/support/switchboard-harness.js";
import { ChatClient, newSession, replyThrough, startWebchat } from "../test/support/webchat-harness.js";

const { values } = parseArgs({
  options: { sockets: { type: "string", default: "50" }, messages: { type: "string", default: "20" }, runs: { type: "string", default: "3" } },
});
const SOCKETS = Number(values.sockets);
const MESSAGES = Number(values.messages);
const RUNS = Number(values.runs);

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const median = (numbers: number[]) => [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)] ?? NaN;

async function run(round: number) {
  const harness = await createHarness();
  try {
    const server = await startWebchat(harness, {
      settings: {
        rateLimit: { messages: { perSecond: 1_000, burst: 10_000 }, frames: { perSecond: 1_000, burst: 10_000 }, sessions: { perSecond: 1_000, burst: 10_000 } },
      },
    });
    const clients = await Promise.all(
      Array.from({ length: SOCKETS }, async () => (await ChatClient.connect(server.wsUrl, String((await newSession(server.baseUrl)).body.sessionToken))).client),
    );

    const receiptLatency: number[] = [];
    const conversations: string[] = [];
    const started = performance.now();
    await Promise.all(
      clients.map(async (client, socket) => {
        for (let index = 0; index < MESSAGES; index += 1) {
          const id = `r${round}s${socket}m${index}`.padEnd(8, "x");
          const sentAt = performance.now();
          const receipt = client.next((frame) => frame.type === "receipt" && frame.id === id, 60_000);
          client.send({ type: "message", id, text: "Hi, when is my next payment due?" });
          const frame = await receipt;
          receiptLatency.push(performance.now() - sentAt);
          if (index === 0) conversations[socket] = String(frame.conversationId);
        }
      }),
    );
    const inboundSeconds = (performance.now() - started) / 1000;

    const pushLatency: number[] = [];
    await Promise.all(
      clients.map(async (client, socket) => {
        const text = `reply ${socket}`;
        const arrived = client.next((frame) => frame.type === "message" && frame.message.text === text, 60_000);
        const sentAt = performance.now();
        await replyThrough(server, { conversationId: conversations[socket]!, author: "ai", text });
        await arrived;
        pushLatency.push(performance.now() - sentAt);
      }),
    );
    for (const client of clients) client.close();
    receiptLatency.sort((a, b) => a - b);
    pushLatency.sort((a, b) => a - b);
    return {
      perSecond: (SOCKETS * MESSAGES) / inboundSeconds,
      receiptP50: percentile(receiptLatency, 50),
      receiptP99: percentile(receiptLatency, 99),
      pushP50: percentile(pushLatency, 50),
      pushP99: percentile(pushLatency, 99),
    };
  } finally {
    await harness.stopAll();
  }
}

const results = [];
for (let round = 0; round < RUNS; round += 1) results.push(await run(round));
const fmt = (value: number) => value.toFixed(1);
console.log(`web chat, ${SOCKETS} sockets x ${MESSAGES} messages, median of ${RUNS} runs (PostgreSQL + Redis, web role):`);
console.log(`  inbound messages/s:           ${fmt(median(results.map((r) => r.perSecond)))}`);
console.log(`  receipt latency p50 / p99 ms: ${fmt(median(results.map((r) => r.receiptP50)))} / ${fmt(median(results.map((r) => r.receiptP99)))}`);
console.log(`  push latency p50 / p99 ms:    ${fmt(median(results.map((r) => r.pushP50)))} / ${fmt(median(results.map((r) => r.pushP99)))}`);
