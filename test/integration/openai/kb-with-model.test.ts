/**
 * `kb build --with-model` through the real CLI against the fake provider: proposals (category names,
 * ticket labels, templates, triggers, frustration phrases, must-human categories, decision trees) are
 * written and printed as a diff, nothing is applied; a rebuild answers from the cache (no model calls);
 * `kb apply` applies only what the reviewer accepted, and the kb still loads.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Proposals } from "../../../src/kb/model-assist/proposals.js";
import { loadKnowledgeBase } from "../../../src/kb/load.js";
import { startFakeOpenAI, type FakeOpenAIServer, type RecordedRequest } from "../../fakes/openai-server.js";
import { uniqueName } from "../../support/services.js";

const run = promisify(execFile);
const BIN = new URL("../../../bin/switchboard.js", import.meta.url).pathname;
const SOURCE = new URL("../../../kb/source/", import.meta.url).pathname;

let fake: FakeOpenAIServer;
let dir: string;
let tickets: string;
let out: string;
let env: NodeJS.ProcessEnv;

/** The ids listed in a request's category block (`id: name (terms...)`). */
function categoryIds(request: RecordedRequest): string[] {
  const user = request.body.messages[1]?.content ?? "";
  return [...user.matchAll(/^(?:## )?([a-z0-9_]+): /gm)].map((match) => match[1] as string);
}

function script(request: RecordedRequest) {
  const task = request.body.response_format?.json_schema?.name;
  const user = request.body.messages[1]?.content ?? "";
  const ids = categoryIds(request);
  switch (task) {
    case "name_categories":
      return { kind: "json" as const, json: { categories: ids.map((id, index) => ({ id, name: `Topic number ${index + 1}` })) } };
    case "label_tickets": {
      const count = [...user.matchAll(/^\d+: /gm)].length;
      return { kind: "json" as const, json: { labels: Array.from({ length: count }, (_, index) => ({ index, category: index === 0 ? "brand_new_topic" : (ids[0] ?? "other"), new_category_name: index === 0 ? "Brand new topic" : null })) } };
    }
    case "write_templates": {
      const sections = user.split(/^## /m).slice(1);
      return {
        kind: "json" as const,
        json: {
          templates: sections.map((section, index) => {
            const id = /^([a-z0-9_]+):/.exec(section)?.[1] ?? "unknown";
            if (section.includes("Amounts the agents state as policy: $50")) return { category: id, text: "Orders over $50 ship free; standard delivery takes 3-5 business days.", needs_account_data: false };
            if (section.includes("$7")) return { category: id, text: "A late fee of $7 may apply per missed installment, and never more than $28 per purchase.", needs_account_data: false };
            if (index === 0 && !section.includes("$7")) return { category: id, text: "We'll give you $15.00 back for the trouble.", needs_account_data: false };
            return { category: id, text: `Thanks for asking about this. Here is how it works (${id}).`, needs_account_data: false };
          }),
        },
      };
    }
    case "suggest_routing":
      return {
        kind: "json" as const,
        json: {
          human_triggers: [{ phrase: "Chargeback", why: "a bank dispute needs a person" }],
          frustration_phrases: [{ phrase: "fed up", why: "the customer is losing patience" }],
          must_human_categories: [{ category: ids[0] ?? "x", why: "most were escalated" }, { category: "not_a_category", why: "invented" }],
        },
      };
    case "draft_trees":
      return {
        kind: "json" as const,
        json: {
          trees: [
            {
              id: "model_card_declined",
              title: "Card declined at checkout",
              categories: [ids[0] ?? "x"],
              start: "ask_where",
              nodes: [
                { id: "ask_where", kind: "ask", text: "Was it declined online or in a store?", next: null, options: [{ label: "Online", match: ["online", "website"], next: "tell" }, { label: "Store", match: ["store", "shop"], next: "tell" }], check: null, if_true: null, if_false: null, facts: null, reason: null, priority: null },
                { id: "tell", kind: "say", text: "Please check that your card details are up to date in the app.", next: null, options: null, check: null, if_true: null, if_false: null, facts: null, reason: null, priority: null },
              ],
            },
            {
              id: "model_broken",
              title: "A tree pointing nowhere",
              categories: [ids[0] ?? "x"],
              start: "a",
              nodes: [{ id: "a", kind: "say", text: "Hello", next: "missing_node", options: null, check: null, if_true: null, if_false: null, facts: null, reason: null, priority: null }],
            },
          ],
        },
      };
    default:
      return { kind: "error" as const, status: 400, message: `unexpected task ${String(task)}` };
  }
}

beforeAll(async () => {
  fake = await startFakeOpenAI({ script });
  dir = mkdtempSync(join(tmpdir(), "kb-model-"));
  // Unlabelled tickets: shipped ones of a few topics (late fees among them), without their category column.
  const topics = new Set(["late_fees", "order_status", "refund_status", "autopay", "dispute", "hardship"]);
  const rows = readFileSync(join(SOURCE, "tickets.jsonl"), "utf8").trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
  tickets = join(dir, "tickets.jsonl");
  writeFileSync(tickets, `${rows.filter((row) => topics.has(String(row.category))).map(({ category: _category, ...rest }) => JSON.stringify(rest)).join("\n")}\n`);
  out = join(dir, "kb");
  env = { ...process.env, AI_ENGINE: "local", OPENAI_API_KEY: fake.apiKey, OPENAI_BASE_URL: fake.baseURL, OPENAI_MODEL: "gpt-test", QUEUE_PREFIX: uniqueName("kbmodel"), LOG_LEVEL: "silent", DATA_DIR: dir };
});

afterAll(async () => fake?.close());

const build = (...extra: string[]) => run(process.execPath, [BIN, "kb", "build", "--tickets", tickets, "--docs", join(SOURCE, "docs"), "--out", out, "--quiet", "--with-model", ...extra], { env, timeout: 120_000 });

describe("kb build --with-model", () => {
  let firstRequests = 0;
  let overridesBefore = "";

  it("writes proposals, prints them as a diff, and applies nothing", async () => {
    const { stdout } = await build();
    firstRequests = fake.requests.length;
    expect(firstRequests).toBeGreaterThanOrEqual(5);
    expect(stdout).toContain("Model proposals for");
    expect(stdout).toMatch(/~ overrides\.yaml {2}categories\.[a-z0-9_]+\.name: ".*" -> "Topic number 1"/);
    expect(stdout).toContain('+ overrides.yaml  humanTriggers: "chargeback"');
    expect(stdout).toContain('+ overrides.yaml  frustrationPhrases: "fed up"');
    expect(stdout).toContain("+ trees.json      model_card_declined");
    expect(stdout).toMatch(/\+ model-labelled-tickets\.jsonl {2}\d+ tickets labelled by the model, new categories: brand_new_topic/);
    expect(stdout).toMatch(/template for [a-z0-9_]+ dropped: \$15\.00 not in the knowledge base's documents/);
    expect(stdout).toContain("must-human suggestion for unknown category not_a_category dropped");
    expect(stdout).toMatch(/tree model_broken dropped: .*missing_node/);
    expect(stdout).toContain("Nothing applied.");

    const proposals = Proposals.parse(JSON.parse(readFileSync(join(out, "model-proposals.json"), "utf8")));
    expect(proposals.templates.some((template) => template.text.startsWith("A late fee of $7"))).toBe(true);
    overridesBefore = readFileSync(join(out, "overrides.yaml"), "utf8");
    expect(overridesBefore).not.toMatch(/^humanTriggers:\s*\n\s*- chargeback/m);
    expect(overridesBefore).toMatch(/^humanTriggers: \[\]$/m);
    const kb = await loadKnowledgeBase(out);
    expect(kb.trees.some((tree) => tree.id === "model_card_declined")).toBe(false);

    // Ticket text reached the model masked and fenced; the system message holds no ticket text.
    const labelling = fake.requests.find((request) => request.body.response_format?.json_schema?.name === "label_tickets")!;
    expect(labelling.body.messages[1]?.content).toMatch(/<<<DATA [0-9a-f]{18} tickets>>>/);
    expect(labelling.body.messages[0]?.content).not.toMatch(/^\d+: /m);
  }, 150_000);

  it("a rebuild of the same input is answered from the cache: no model calls", async () => {
    const { stdout } = await build();
    expect(fake.requests).toHaveLength(firstRequests);
    expect(stdout).toMatch(/0 model requests, \d+ answers from the cache/);
    expect(readFileSync(join(out, "overrides.yaml"), "utf8")).toBe(overridesBefore);
  }, 150_000);

  it("kb apply applies only what the reviewer accepted, and the kb still loads", async () => {
    const path = join(out, "model-proposals.json");
    const proposals = Proposals.parse(JSON.parse(readFileSync(path, "utf8")));
    proposals.frustrationPhrases = proposals.frustrationPhrases.map((item) => ({ ...item, accept: false }));
    writeFileSync(path, JSON.stringify(proposals, null, 2));

    const { stdout } = await run(process.execPath, [BIN, "kb", "apply", "--kb", out], { env, timeout: 60_000 });
    expect(stdout).toMatch(/Applied \d+ item\(s\), skipped 1 rejected/);
    const overrides = readFileSync(join(out, "overrides.yaml"), "utf8");
    expect(overrides).toContain("chargeback");
    expect(overrides).not.toMatch(/^frustrationPhrases:\s*\n\s*- fed up/m);
    expect(overrides).toMatch(/^humanTriggers:\s*\n\s*- chargeback/m);
    expect(overrides).toContain("# Admin overrides for this knowledge base");
    const kb = await loadKnowledgeBase(out);
    expect(kb.trees.map((tree) => tree.id)).toContain("model_card_declined");
    expect(kb.categories.some((category) => category.name === "Topic number 1")).toBe(true);
    expect(kb.categories.some((category) => category.template?.text.startsWith("A late fee of $7"))).toBe(true);
    const labelled = readFileSync(join(out, "model-labelled-tickets.jsonl"), "utf8").trim().split("\n").map((line) => JSON.parse(line) as { category: string; customer_message: string });
    expect(labelled.length).toBeGreaterThan(0);
    expect(labelled.every((row) => typeof row.category === "string" && row.customer_message.length > 0)).toBe(true);

    // A rebuild keeps the reviewer's decision: the rejected phrase stays rejected.
    await build();
    const again = Proposals.parse(JSON.parse(readFileSync(path, "utf8")));
    expect(again.frustrationPhrases.every((item) => !item.accept)).toBe(true);
  }, 200_000);

  it("keeps a model's template that states an amount the category's agents state as policy (no documents)", async () => {
    const shippingOnly = join(dir, "shipping.jsonl");
    const rows = [
      ...["is shipping free", "how much is delivery", "shipping cost please", "do you charge for postage", "delivery fee?", "what does shipping cost"].map((message) => ({ customer_message: message, category: "shipping", agent_response: "Shipping is free on orders over $50. Standard delivery takes 3-5 business days." })),
      ...["reset my password", "forgot my password", "cannot log in", "password link please"].map((message) => ({ customer_message: message, category: "login", agent_response: "Tap Forgot password on the login screen and follow the link." })),
    ];
    writeFileSync(shippingOnly, `${rows.map((row) => JSON.stringify(row)).join("\n")}\n`);
    const shippingOut = join(dir, "shipping-kb");
    await run(process.execPath, [BIN, "kb", "build", "--tickets", shippingOnly, "--out", shippingOut, "--quiet", "--with-model"], { env, timeout: 120_000 });
    const proposals = Proposals.parse(JSON.parse(readFileSync(join(shippingOut, "model-proposals.json"), "utf8")));
    expect(proposals.templates.find((template) => template.category === "shipping")?.text).toBe("Orders over $50 ship free; standard delivery takes 3-5 business days.");
  }, 150_000);

  it("--apply without a model is refused before anything is built", async () => {
    const failure = await run(process.execPath, [BIN, "kb", "build", "--tickets", tickets, "--out", join(dir, "other"), "--apply"], { env, timeout: 60_000 }).catch((error: { code: number; stderr: string }) => error);
    expect((failure as { code: number }).code).toBe(1);
    expect((failure as { stderr: string }).stderr).toContain("--apply applies model proposals");
  }, 60_000);
});
