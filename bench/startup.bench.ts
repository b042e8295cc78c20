/**
 * Start-up time and resident memory of `npm start` (= `switchboard serve`) on embedded defaults: PGlite,
 * the local engine over kb/, the web chat channel. Each run starts the real CLI, waits for /readyz, sends
 * a few chat messages through the real WebSocket, then reads the process's resident memory.
 * Baseline in the same run: a bare Node.js HTTP server (the cost of "a Node process that listens").
 *
 *   npx tsx bench/startup.bench.ts [--runs 5]
 * Cold = a fresh DATA_DIR (first start on a fresh clone); warm = the same DATA_DIR again.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import WebSocket from "ws";

const { values } = parseArgs({ options: { runs: { type: "string", default: "5" } } });
const runs = Number(values.runs);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function waitReady(url: string, child: ChildProcess, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("not ready in time");
}

async function chat(base: string, texts: string[]): Promise<void> {
  const session = (await (await fetch(`${base}/webchat/sessions`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).json()) as { sessionToken: string };
  const socket = new WebSocket(`${base.replace("http", "ws")}/webchat/ws`, { headers: { origin: base } });
  await new Promise<void>((resolve, reject) => {
    let sent = 0;
    const next = () => {
      if (sent === texts.length) return resolve();
      socket.send(JSON.stringify({ type: "message", id: `bench${sent}abcdef`, text: texts[sent++] }));
    };
    socket.on("open", () => socket.send(JSON.stringify({ type: "auth", token: session.sessionToken })));
    socket.on("message", (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as { type: string; message?: { author: string } };
      if (frame.type === "ready" || (frame.type === "message" && frame.message?.author !== "customer")) next();
    });
    socket.on("error", reject);
    setTimeout(() => reject(new Error("chat timed out")), 30_000);
  });
  socket.close();
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

async function measureSwitchboard(dataDir: string): Promise<{ readyMs: number; rssReadyMb: number; rssAfterChatMb: number }> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, ["bin/switchboard.js", "serve"], {
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_LEVEL: "warn", PUBLIC_URL: `http://127.0.0.1:${port}` },
    stdio: "ignore",
  });
  const base = `http://127.0.0.1:${port}`;
  await waitReady(`${base}/readyz`, child);
  const readyMs = performance.now() - started;
  const rssReadyMb = rssMb(child.pid!);
  await chat(base, ["How does pay in 4 work?", "Is there a late fee?", "Do you do a credit check?"]);
  const rssAfterChatMb = rssMb(child.pid!);
  await stop(child);
  return { readyMs, rssReadyMb, rssAfterChatMb };
}

async function measureBaseline(): Promise<{ readyMs: number; rssMb: number }> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, ["-e", `require("node:http").createServer((q, s) => s.end("ok")).listen(${port}, "127.0.0.1")`], { stdio: "ignore" });
  await waitReady(`http://127.0.0.1:${port}/`, child);
  const readyMs = performance.now() - started;
  const rss = rssMb(child.pid!);
  await stop(child);
  return { readyMs, rssMb: rss };
}

const median = (list: number[]) => {
  const sorted = [...list].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const cold: Awaited<ReturnType<typeof measureSwitchboard>>[] = [];
const warm: Awaited<ReturnType<typeof measureSwitchboard>>[] = [];
const baseline: Awaited<ReturnType<typeof measureBaseline>>[] = [];
for (let run = 0; run < runs; run += 1) {
  const dataDir = mkdtempSync(join(tmpdir(), "sb-startup-"));
  try {
    cold.push(await measureSwitchboard(dataDir));
    warm.push(await measureSwitchboard(dataDir));
    baseline.push(await measureBaseline());
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  process.stderr.write(`run ${run + 1}/${runs} done\n`);
}

const base = { readyMs: median(baseline.map((entry) => entry.readyMs)), rssMb: median(baseline.map((entry) => entry.rssMb)) };
const row = (name: string, list: typeof cold) => {
  const readyMs = median(list.map((entry) => entry.readyMs));
  const rssReady = median(list.map((entry) => entry.rssReadyMb));
  const rssChat = median(list.map((entry) => entry.rssAfterChatMb));
  return `| ${name} | ${(readyMs / 1000).toFixed(2)} s (${(readyMs / base.readyMs).toFixed(1)}x) | ${rssReady.toFixed(0)} MB (${(rssReady / base.rssMb).toFixed(1)}x) | ${rssChat.toFixed(0)} MB |`;
};
console.log(`median of ${runs} runs; baseline = bare Node.js HTTP server: ${(base.readyMs / 1000).toFixed(2)} s, ${base.rssMb.toFixed(0)} MB`);
console.log("| start | ready (ratio to baseline) | resident memory when ready (ratio) | after 3 chat turns |");
console.log("|---|---|---|---|");
console.log(row("cold (fresh DATA_DIR)", cold));
console.log(row("warm (existing DATA_DIR)", warm));
