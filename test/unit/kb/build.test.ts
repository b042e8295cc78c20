import { mkdtemp, readFile, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildKnowledgeBase } from "../../../src/kb/build.js";
import { learnedRoutingSignals, loadKnowledgeBase } from "../../../src/kb/load.js";

const LABELLED = [
  ...["where is my parcel", "my package has not arrived", "tracking number for my delivery", "when will my order be delivered", "courier lost my parcel?"].map(
    (message, index) => ({ customer_message: message, category: "delivery", escalated: false, csat: 5 - (index % 2), agent_response: `Hi Sam, your parcel ships within 3 days. Tracking is in the app.${index === 0 ? " Your order 4411223 left on March 3." : ""}`, resolution_minutes: 5 + index }),
  ),
  ...["I want to dispute a charge", "dispute this payment now", "the merchant scammed me, dispute it", "open a dispute please", "this is ridiculous, dispute the charge"].map(
    (message) => ({ customer_message: message, category: "dispute", escalated: true, csat: 2, agent_response: "Our disputes team is on it." }),
  ),
  ...["reset my password", "forgot my password", "cannot log in password", "password reset link", "change my password please"].map(
    (message) => ({ customer_message: message, category: "login", escalated: false, csat: 5, agent_response: "Tap Forgot password on the login screen and follow the link." }),
  ),
];

async function workspace(rows: object[], docs?: Record<string, string>) {
  const dir = await mkdtemp(join(tmpdir(), "kb-build-"));
  const tickets = join(dir, "tickets.jsonl");
  await writeFile(tickets, `${rows.map((row) => JSON.stringify(row)).join("\n")}\nnot json\n`);
  let docsDir: string | undefined;
  if (docs) {
    docsDir = join(dir, "docs");
    await mkdir(docsDir, { recursive: true });
    for (const [name, content] of Object.entries(docs)) await writeFile(join(docsDir, name), content);
  }
  return { dir, tickets, docsDir, out: join(dir, "kb") };
}

const DOCS = {
  "faq.md": "# FAQ\n\n## Delivery times\nParcels ship within 3 days and tracking is in the app.\n\n## Passwords\nUse Forgot password on the login screen.\n",
  "late.tree.yaml": "id: late\ntitle: Late\ncategories: [delivery]\nstart: a\nnodes:\n  a: { kind: say, text: Hello }\n",
};

describe("kb build", () => {
  it("builds a readable, loadable knowledge base from labelled tickets and documents", async () => {
    const { tickets, docsDir, out } = await workspace(LABELLED, DOCS);
    const result = await buildKnowledgeBase({ tickets, docs: docsDir, out, now: () => new Date("2026-01-01T00:00:00Z") });
    expect(result.manifest.counts).toMatchObject({ ticketRows: 16, ticketsUsed: 15, rowsSkipped: 1, categories: 3, trees: 1, documents: 1 });
    expect(result.manifest.problems).toEqual([{ line: 16, problem: "is not valid JSON" }]);

    const kb = await loadKnowledgeBase(out);
    const delivery = kb.categoryById.get("delivery");
    expect(delivery?.mustHuman.value).toBe(false);
    expect(delivery?.template?.text).toBeDefined();
    // The customer's name and the sentence with a date and an order number are left out.
    expect(delivery?.template?.text).not.toMatch(/Sam|4411223|March/);
    expect(delivery?.passages[0]).toBe("faq#delivery-times");
    expect(kb.categoryById.get("dispute")?.mustHuman).toEqual({ value: true, evidence: { withFlag: 5, escalated: 5, share: 1 } });
    expect(kb.passages.map((passage) => passage.id)).toEqual(["faq#delivery-times", "faq#passwords"]);
    expect(kb.model.predict("where is my parcel tracking").ranking[0]?.label).toBe("delivery");
    expect(learnedRoutingSignals(kb).mustHumanCategories).toEqual(["dispute"]);
  });

  it("gives the same files for the same input (except the build time) and keeps the admin's overrides", async () => {
    const { tickets, docsDir, out } = await workspace(LABELLED, DOCS);
    await buildKnowledgeBase({ tickets, docs: docsDir, out });
    const first = await readFile(join(out, "model.json"), "utf8");
    const categories = await readFile(join(out, "categories.json"), "utf8");
    await writeFile(join(out, "overrides.yaml"), "categories:\n  login:\n    mustHuman: true\n");
    await buildKnowledgeBase({ tickets, docs: docsDir, out });
    expect(await readFile(join(out, "model.json"), "utf8")).toBe(first);
    expect(await readFile(join(out, "categories.json"), "utf8")).toBe(categories);
    expect(await readFile(join(out, "overrides.yaml"), "utf8")).toContain("mustHuman: true");
    const kb = await loadKnowledgeBase(out);
    expect(kb.categoryById.get("login")?.mustHuman.value).toBe(true);
    expect(learnedRoutingSignals(kb).mustHumanCategories).toEqual(["dispute", "login"]);
  });

  it("discovers categories by clustering when tickets carry no labels, named by their top terms", async () => {
    const rows = LABELLED.map(({ category: _category, ...rest }) => rest);
    const { tickets, out } = await workspace(rows);
    const result = await buildKnowledgeBase({ tickets, out });
    expect(result.manifest.labelled).toBe(false);
    expect(result.categories.length).toBeGreaterThanOrEqual(2);
    for (const category of result.categories) {
      expect(category.source).toBe("cluster");
      expect(category.topTerms.length).toBeGreaterThan(0);
      expect(category.id).toBe(category.topTerms.slice(0, 3).join("_"));
    }
    const passwordCluster = result.categories.find((category) => category.topTerms.includes("password"));
    expect(passwordCluster?.examples.some((example) => example.includes("password"))).toBe(true);
  });

  it("stops with a clear error when no row is usable", async () => {
    const { tickets, out } = await workspace([{ text: "no customer_message field" }]);
    await expect(buildKnowledgeBase({ tickets, out })).rejects.toThrow(/no usable tickets.*\n.*line 1: customer_message/);
  });

  it("refuses to load a folder that is not a knowledge base, saying how to build one", async () => {
    const dir = await mkdtemp(join(tmpdir(), "not-kb-"));
    await expect(loadKnowledgeBase(dir)).rejects.toThrow(/switchboard kb build/);
  });
});
