/**
 * The widget in real headless Chromium against a real server: keyboard-only use, a reply, the history
 * after a reload, the "Talk to a human" banner, CSAT buttons, the agent's first name, the character
 * counter, and a second browser profile that cannot see the first one's conversation.
 */
import Fastify from "fastify";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InboundMessage } from "../../src/domain/model.js";
import { serveWebchat, type ServedWebchat } from "../support/webchat-harness.js";
import { MemoryBus, MemoryCore, memoryContext } from "../integration/webchat-memory-core.js";

const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

/** An in-process core that answers like the test brain: echo, or hand over when a person is asked for. */
class EchoCore extends MemoryCore {
  served: ServedWebchat | undefined;
  constructor(private readonly bus: MemoryBus) {
    super();
  }

  override async accept(input: InboundMessage) {
    const result = await super.accept(input);
    if (!result.duplicate) setTimeout(() => void this.answer(result.conversationId, input), 50);
    return result;
  }

  async answer(conversationId: string, input: InboundMessage) {
    const conversation = this.conversations.get(conversationId)!;
    if (input.meta.intent === "human") {
      conversation.state = "awaiting_human";
      await this.bus.publish(`conversation.${conversationId}`, { type: "state", state: "awaiting_human" });
      return;
    }
    if (input.meta.action) return;
    await this.bus.publish(`conversation.${conversationId}`, { type: "typing", on: true, author: "ai" });
    await this.say(conversationId, { author: "ai", text: `Echo: ${input.text}` });
  }

  async say(conversationId: string, fields: { author: "ai" | "agent" | "system"; text: string; authorName?: string; meta?: Record<string, unknown> }) {
    const message = this.appendOutbound({ conversationId, ...fields });
    await this.served!.adapter.send({ message, conversation: this.conversations.get(conversationId)! });
  }
}

let browser: Browser;
let served: ServedWebchat;
let core: EchoCore;

beforeAll(async () => {
  const bus = new MemoryBus();
  core = new EchoCore(bus);
  served = await serveWebchat(Fastify(), memoryContext(core, bus), { settings: { title: "Kestrel Pay support" } });
  core.served = served;
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await served?.close();
});

const log = (page: Page) => page.getByRole("log");
const messageInput = (page: Page) => page.getByRole("textbox", { name: "Your message" });

/** Console errors and uncaught exceptions on the page (a CSP violation shows up here too). */
function watchForProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (message) => {
    // The browser's own favicon request is not the widget's business.
    if (message.type() === "error" && !message.location().url.endsWith("/favicon.ico")) problems.push(`${message.text()} ${message.location().url}`);
  });
  page.on("pageerror", (error) => problems.push(error.message));
  return problems;
}

async function tabTo(page: Page, name: RegExp): Promise<void> {
  for (let presses = 0; presses < 15; presses += 1) {
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => {
      let active: Element | null = document.activeElement;
      while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
      return active?.textContent ?? "";
    });
    if (name.test(focused)) return;
  }
  throw new Error(`could not reach ${name} with the Tab key`);
}

describe("web chat widget in Chromium", () => {
  it("works by keyboard alone, restores the history after a reload, and keeps other profiles out", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = watchForProblems(page);
    await page.goto(`${served.baseUrl}/`);
    await expect.poll(() => page.getByText("This is a demo").isVisible()).toBe(true);

    await tabTo(page, /Chat with us/);
    await page.keyboard.press("Enter");
    await expect.poll(() => messageInput(page).evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)).toBe(true);

    await page.keyboard.type("When is my next payment?");
    await page.keyboard.press("Enter");
    await expect.poll(() => log(page).innerText(), { timeout: 10_000 }).toContain("Echo: When is my next payment?");
    expect(await log(page).innerText()).toContain("Assistant");
    expect(await messageInput(page).inputValue()).toBe("");
    // The widget acknowledged the reply: it is `delivered` in the store.
    await expect.poll(() => core.messages.find((m) => m.text === "Echo: When is my next payment?")?.status).toBe("delivered");

    // Shift+Enter is a new line, not a send.
    await page.keyboard.type("first line");
    await page.keyboard.press("Shift+Enter");
    await page.keyboard.type("second line");
    expect(await messageInput(page).inputValue()).toBe("first line\nsecond line");
    await messageInput(page).fill("");

    // Escape closes the panel and gives focus back to the launcher.
    await page.keyboard.press("Escape");
    await expect.poll(() => page.getByRole("dialog").count()).toBe(0);
    const launcherFocused = await page.evaluate(() => document.querySelector("switchboard-webchat")?.shadowRoot?.activeElement?.className);
    expect(launcherFocused).toBe("sbw-launcher");
    await page.keyboard.press("Enter");

    await page.reload();
    await expect.poll(() => log(page).innerText(), { timeout: 10_000 }).toContain("Echo: When is my next payment?");
    expect(await log(page).innerText()).toContain("When is my next payment?");

    const stranger = await browser.newContext();
    const strangerPage = await stranger.newPage();
    await strangerPage.goto(`${served.baseUrl}/`);
    await strangerPage.getByRole("button", { name: /Chat with/ }).click();
    await expect.poll(() => strangerPage.evaluate(() => localStorage.length)).toBe(1);
    await strangerPage.waitForTimeout(300);
    expect(await log(strangerPage).innerText()).not.toContain("next payment");
    await stranger.close();
    expect(problems).toEqual([]);
    await context.close();
  });

  it("works embedded on another origin with data-server, and the host page's styles do not leak in", async () => {
    const host = Fastify();
    host.get("/", async (_request, reply) =>
      reply.type("text/html").send(`<!doctype html><html lang="en"><head><title>Shop</title>
        <style>button { background: rgb(255, 0, 0) !important; font-size: 40px !important; } p { display: none !important; }</style></head>
        <body><h1>Partner shop</h1><script src="${served.baseUrl}/webchat.js" data-server="${served.baseUrl}" data-launcher-label="Questions?" defer></script></body></html>`),
    );
    await host.listen({ port: 0, host: "127.0.0.1" });
    const port = (host.server.address() as { port: number }).port;
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = watchForProblems(page);
    try {
      // `localhost` and `127.0.0.1` are different origins: the widget's server is cross-origin here.
      await page.goto(`http://localhost:${port}/`);
      const launcher = page.getByRole("button", { name: "Questions?" });
      expect(await launcher.evaluate((el) => getComputedStyle(el).backgroundColor)).not.toBe("rgb(255, 0, 0)");
      await launcher.click();
      await messageInput(page).fill("hello from the shop");
      await page.keyboard.press("Enter");
      await expect.poll(() => log(page).innerText(), { timeout: 10_000 }).toContain("Echo: hello from the shop");
      expect(problems).toEqual([]);
    } finally {
      await context.close();
      await host.close();
    }
  });

  it("shows the human-handoff banner, agent first names, CSAT buttons and the character counter", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${served.baseUrl}/`);
    await page.getByRole("button", { name: /Chat with/ }).click();

    await page.getByRole("button", { name: "Talk to a human" }).click();
    await expect.poll(() => page.getByRole("status").filter({ hasText: "Waiting for a person" }).count(), { timeout: 10_000 }).toBe(1);
    expect(await log(page).innerText()).toContain("I'd like to talk to a person");
    const conversation = [...core.conversations.values()].find((c) => c.state === "awaiting_human")!;
    expect(core.accepted.at(-1)!.meta).toEqual({ intent: "human" });

    await core.say(conversation.id, { author: "agent", text: "Hi, I'm here to help.", authorName: "Dana Whitfield" });
    await expect.poll(() => log(page).innerText()).toContain("Hi, I'm here to help.");
    expect(await log(page).innerText()).toContain("Dana");
    expect(await log(page).innerText()).not.toContain("Whitfield");

    const actions = [1, 2, 3, 4, 5].map((score) => ({ label: String(score), value: String(score), kind: "csat" }));
    await core.say(conversation.id, { author: "system", text: "How did we do?", meta: { actions } });
    const group = page.getByRole("group", { name: "Quick replies" });
    await expect.poll(() => group.getByRole("button").count()).toBe(5);
    await group.getByRole("button", { name: "5" }).click();
    await expect.poll(() => core.accepted.at(-1)?.meta.action).toMatchObject({ kind: "csat", value: "5" });
    expect(await group.getByRole("button", { name: "5" }).getAttribute("aria-pressed")).toBe("true");
    expect(await group.getByRole("button", { name: "1" }).isDisabled()).toBe(true);

    // The server drops every socket (a restart): the widget says so, reconnects with backoff, and a
    // message written meanwhile is sent once it is back.
    await served.adapter.stop();
    await expect.poll(() => page.getByRole("status").filter({ hasText: "Reconnecting" }).count()).toBe(1);
    await messageInput(page).fill("are you back?");
    await page.keyboard.press("Enter");
    await expect.poll(() => log(page).innerText(), { timeout: 10_000 }).toContain("Echo: are you back?");
    expect(core.accepted.filter((m) => m.text === "are you back?")).toHaveLength(1);

    const input = messageInput(page);
    await input.fill("a".repeat(3_700));
    expect(await page.getByText("3,700 / 4,000 characters").isVisible()).toBe(true);
    await input.fill("a".repeat(4_001));
    expect(await page.getByRole("button", { name: "Send" }).isDisabled()).toBe(true);
    expect(await input.getAttribute("aria-invalid")).toBe("true");
    await context.close();
  });
});
