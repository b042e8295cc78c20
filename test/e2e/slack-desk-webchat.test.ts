/**
 * The whole handoff in a real browser: a web chat customer (the widget in headless Chromium) asks for a
 * person; the escalation appears in (fake) Slack; an agent claims it and replies in the thread, and the
 * reply shows in the widget under the agent's first name; a second agent's reply does not; the claimer
 * resolves; the widget shows the CSAT buttons and the clicked score is stored and posted in the thread.
 * Real PostgreSQL, Redis, pipeline, Bolt and WebClient; Slack is the fake Web API on loopback.
 */
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWebchatAdapter } from "../../channels/webchat/index.js";
import { ACTION_IDS } from "../../escalation/slack/index.js";
import { eventually } from "../support/eventually.js";
import { AGENTS, DESK_CHANNEL, startSlackDeskWorld, type SlackDeskWorld } from "../support/slack-desk-harness.js";
import { createTestBrain } from "../support/test-brain.js";
import { sessionOf, WEBCHAT_TEST_SECRET } from "../support/webchat-harness.js";

const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

let browser: Browser;
let world: SlackDeskWorld;
let baseUrl: string;

beforeAll(async () => {
  const webchat = createWebchatAdapter({ sessionSecret: WEBCHAT_TEST_SECRET, settings: { id: "webchat", kind: "webchat", title: "Kestrel Pay support" } });
  world = await startSlackDeskWorld({ brain: createTestBrain(), channels: [webchat], channelKinds: new Map([["webchat", "webchat"]]) });
  baseUrl = world.switchboard.url!.replace("0.0.0.0", "127.0.0.1");
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await world?.close();
});

const log = (page: Page) => page.getByRole("log");

async function conversationOf(page: Page) {
  const token = await page.evaluate((): string => {
    const key = Object.keys(localStorage).find((name) => name.startsWith("switchboard.webchat:"));
    return key ? (localStorage.getItem(key) ?? "") : "";
  });
  return world.switchboard.store.findConversationByAddress("webchat", sessionOf(token).visitorId);
}

describe("web chat customer and Slack agents", () => {
  it("escalates, claims, relays only the claimer's reply, resolves, and stores the CSAT click", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));
    await page.goto(`${baseUrl}/`);
    await page.getByRole("button", { name: /Chat with/ }).click();
    await page.getByRole("button", { name: "Talk to a human" }).click();

    // The escalation post appears in Slack, with the customer's channel and the reason in words.
    const conversation = await eventually(() => conversationOf(page), (found) => Boolean(found?.escalation?.deskRef), 15_000, "the escalation post");
    const [channel, ts] = conversation!.escalation!.deskRef!.split("/") as [string, string];
    expect(channel).toBe(DESK_CHANNEL);
    const post = world.fake.find(channel, ts)!;
    expect(JSON.stringify(post.blocks)).toContain("Web chat (webchat)");
    expect(JSON.stringify(post.blocks)).toContain("Customer asked for a person");
    await expect.poll(() => log(page).innerText(), { timeout: 10_000 }).toMatch(/A person will reply here/);

    // Sam claims: the widget shows who joined; the post says who claimed it.
    await world.click(AGENTS.sam.id, post, ACTION_IDS.claim, conversation!.id);
    await expect.poll(() => page.getByRole("status").filter({ hasText: "has joined the conversation" }).count(), { timeout: 10_000 }).toBe(1);
    await eventually(() => JSON.stringify(world.fake.find(channel, ts)?.blocks), (text) => text?.includes(`Claimed by <@${AGENTS.sam.id}>`) === true);

    // Sam's thread reply reaches the widget under his first name; Alex's does not.
    await world.reply(channel, ts, AGENTS.sam.id, "Hi, this is Sam. How can I help?");
    await expect.poll(() => log(page).innerText(), { timeout: 10_000 }).toContain("Hi, this is Sam. How can I help?");
    expect(await log(page).innerText()).toContain("Sam");
    expect(await log(page).innerText()).not.toContain("Rivera");
    await world.reply(channel, ts, AGENTS.alex.id, "Alex here, I could take this one");
    await eventually(() => world.fake.ephemerals.filter((item) => item.user === AGENTS.alex.id), (found) => found.length > 0);
    await page.waitForTimeout(800);
    expect(await log(page).innerText()).not.toContain("Alex here");

    // The customer writes back: the message is mirrored into the thread, and the AI stays silent.
    const input = page.getByRole("textbox", { name: "Your message" });
    await input.fill("I was charged twice for order 1234");
    await page.keyboard.press("Enter");
    await eventually(() => world.fake.thread(channel, ts), (replies) => replies.some((reply) => JSON.stringify(reply.blocks).includes("charged twice")));
    expect(await log(page).innerText()).not.toContain("Echo:");

    // Sam resolves: the CSAT buttons appear in the widget; the click is stored and posted in the thread.
    await world.click(AGENTS.sam.id, post, ACTION_IDS.resolve, conversation!.id);
    const group = page.getByRole("group", { name: "Quick replies" });
    await expect.poll(() => group.getByRole("button").count(), { timeout: 10_000 }).toBe(5);
    await group.getByRole("button", { name: "4" }).click();
    await expect.poll(async () => (await world.switchboard.store.getConversation(conversation!.id))?.csat, { timeout: 10_000 }).toBe(4);
    await eventually(() => world.fake.thread(channel, ts), (replies) => replies.some((reply) => reply.text.includes("Customer satisfaction: 4/5")));
    await eventually(() => JSON.stringify(world.fake.find(channel, ts)?.blocks), (text) => text?.includes(`Resolved by <@${AGENTS.sam.id}>`) === true);
    expect(problems).toEqual([]);
    await context.close();
  });
});
