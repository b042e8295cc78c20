/**
 * The widget in real headless Chromium against a whole in-process Switchboard (real PostgreSQL and
 * Redis, the pipeline with the test brain): keyboard-only use, a reply, the history after a reload, a
 * second browser profile that cannot see the first one's conversation, a cross-origin embed, the handoff
 * to a person (banner, agent's first name), CSAT buttons whose score is stored, reconnect, the counter.
 */
import Fastify from "fastify";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signCustomerToken } from "../../src/agent/identity.js";
import { createHarness, type Harness } from "../support/switchboard-harness.js";
import { createTestBrain } from "../support/test-brain.js";
import { sessionOf, startWebchat, type WebchatServer } from "../support/webchat-harness.js";

const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
const agent = { id: "slack:U42", displayName: "Dana Whitfield" };
const CUSTOMER_TOKEN_SECRET = "customer-token-secret-0123456789abcdef";

let browser: Browser;
let harness: Harness;
let served: WebchatServer;

beforeAll(async () => {
  harness = await createHarness();
  served = await startWebchat(harness, { role: "all", brain: createTestBrain(), customerTokenSecret: CUSTOMER_TOKEN_SECRET, settings: { title: "Kestrel Pay support" } });
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await harness?.stopAll();
});

/** The conversation of the visitor whose session token this page keeps. */
async function conversationOf(page: Page) {
  const token = await page.evaluate((): string => {
    const key = Object.keys(localStorage).find((name) => name.startsWith("switchboard.webchat:"));
    return key ? (localStorage.getItem(key) ?? "") : "";
  });
  return served.running.store.findConversationByAddress("webchat", sessionOf(token).visitorId);
}

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
    const conversation = (await conversationOf(page))!;
    const delivered = async () => (await served.running.store.listMessages(conversation.id)).find((m) => m.text === "Echo: When is my next payment?")?.status;
    await expect.poll(delivered, { timeout: 10_000 }).toBe("delivered");

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

  it("works embedded on another origin with data-server and a signed-in customer; host styles do not leak in", async () => {
    const customerToken = signCustomerToken("C-1001", CUSTOMER_TOKEN_SECRET, new Date());
    const host = Fastify();
    host.get("/", async (_request, reply) =>
      reply.type("text/html").send(`<!doctype html><html lang="en"><head><title>Shop</title>
        <style>button { background: rgb(255, 0, 0) !important; font-size: 40px !important; } p { display: none !important; }</style></head>
        <body><h1>Partner shop</h1><script src="${served.baseUrl}/webchat.js" data-server="${served.baseUrl}" data-launcher-label="Questions?" data-customer-token="${customerToken}" defer></script></body></html>`),
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
      // The site vouched for customer C-1001: the core gets the verified id with the message.
      const [first] = await served.running.store.listMessages((await conversationOf(page))!.id);
      expect(first!.meta).toMatchObject({ verifiedCustomerId: "C-1001" });
      expect(problems).toEqual([]);
    } finally {
      await context.close();
      await host.close();
    }
  });

  it("hands over to a person: banner, the agent's first name, CSAT buttons stored; reconnects; counts characters", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${served.baseUrl}/`);
    await page.getByRole("button", { name: /Chat with/ }).click();

    await page.getByRole("button", { name: "Talk to a human" }).click();
    await expect.poll(() => page.getByRole("status").filter({ hasText: "Waiting for a person" }).count(), { timeout: 10_000 }).toBe(1);
    expect(await log(page).innerText()).toContain("I'd like to talk to a person");
    const conversation = (await conversationOf(page))!;
    expect((await served.running.store.listMessages(conversation.id))[0]!.meta).toEqual({ intent: "human" });

    // An agent claims and replies (from a desk): the widget shows the banner and the agent's first name.
    await served.running.handoff.claim(conversation.id, agent);
    await expect.poll(() => page.getByRole("status").filter({ hasText: "has joined the conversation" }).count(), { timeout: 10_000 }).toBe(1);
    await served.running.handoff.replyAsAgent(conversation.id, agent, "Hi, I'm here to help.");
    await expect.poll(() => log(page).innerText(), { timeout: 10_000 }).toContain("Hi, I'm here to help.");
    expect(await log(page).innerText()).toContain("Dana");
    expect(await log(page).innerText()).not.toContain("Whitfield");

    // Resolved: the CSAT question comes with 1-5 buttons; the choice is stored with the conversation.
    await served.running.handoff.resolve(conversation.id, agent);
    const group = page.getByRole("group", { name: "Quick replies" });
    await expect.poll(() => group.getByRole("button").count(), { timeout: 10_000 }).toBe(5);
    await expect.poll(() => page.getByRole("status").filter({ hasText: "resolved" }).count()).toBe(1);
    await group.getByRole("button", { name: "5" }).click();
    await expect.poll(async () => (await served.running.store.getConversation(conversation.id))?.csat, { timeout: 10_000 }).toBe(5);
    expect(await group.getByRole("button", { name: "5" }).getAttribute("aria-pressed")).toBe("true");
    expect(await group.getByRole("button", { name: "1" }).isDisabled()).toBe(true);

    // The server drops every socket (a restart): the widget says so, reconnects with backoff, and a
    // message written meanwhile is sent once it is back.
    await served.adapter.stop();
    await expect.poll(() => page.getByRole("status").filter({ hasText: "Reconnecting" }).count()).toBe(1);
    await messageInput(page).fill("are you back?");
    await page.keyboard.press("Enter");
    await expect.poll(() => log(page).innerText(), { timeout: 10_000 }).toContain("Echo: are you back?");
    const texts = (await served.running.store.listMessages(conversation.id)).map((m) => m.text);
    expect(texts.filter((text) => text === "are you back?")).toHaveLength(1);

    const input = messageInput(page);
    await input.fill("a".repeat(3_700));
    expect(await page.getByText("3,700 / 4,000 characters").isVisible()).toBe(true);
    await input.fill("a".repeat(4_001));
    expect(await page.getByRole("button", { name: "Send" }).isDisabled()).toBe(true);
    expect(await input.getAttribute("aria-invalid")).toBe("true");
    await context.close();
  });
});
