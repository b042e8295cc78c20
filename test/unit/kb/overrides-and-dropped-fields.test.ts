/**
 * Tolerance where the admin or the export is slightly off: an override naming a category the knowledge
 * base no longer has is reported and ignored (not applied, not fatal), and tickets with a bad optional
 * field are kept and counted.
 */
import { cp, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildKnowledgeBase } from "../../../src/kb/build.js";
import { learnedRoutingSignals, loadKnowledgeBase } from "../../../src/kb/load.js";

async function demoKbWithOverrides(overrides: string): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), "kb-overrides-")), "kb");
  await cp("kb", dir, { recursive: true });
  await writeFile(join(dir, "overrides.yaml"), overrides);
  return dir;
}

describe("kb overrides", () => {
  it("warns about and ignores an override of a category that no longer exists, and still applies the others", async () => {
    const shipped = await loadKnowledgeBase("kb");
    const safe = shipped.categories.find((category) => !category.mustHuman.value);
    if (!safe) throw new Error("the demo kb has no AI-safe category");
    const dir = await demoKbWithOverrides(`categories:\n  retired_category:\n    mustHuman: true\n  ${safe.id}:\n    mustHuman: true\n`);
    const kb = await loadKnowledgeBase(dir);
    expect(kb.warnings).toHaveLength(1);
    expect(kb.warnings[0]).toContain('category "retired_category" is not in the knowledge base');
    expect(kb.warnings[0]).toContain("ignored");
    expect(Object.keys(kb.overrides.categories)).toEqual([safe.id]);
    expect(kb.categoryById.has("retired_category")).toBe(false);
    expect(learnedRoutingSignals(kb).mustHumanCategories).toContain(safe.id);
    expect(learnedRoutingSignals(kb).mustHumanCategories).not.toContain("retired_category");
  });

  it("has no warnings when every override names a category", async () => {
    expect((await loadKnowledgeBase("kb")).warnings).toEqual([]);
  });
});

describe("kb build with bad optional fields", () => {
  it("uses the tickets, counts them and skips only rows without a message", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kb-dropped-"));
    const tickets = join(dir, "tickets.jsonl");
    const rows = [
      ...["where is my parcel", "my package has not arrived", "tracking number for my delivery", "when will my order be delivered"].map((message) => ({
        customer_message: message,
        category: "delivery",
        agent_response: "Parcels ship within 3 days.",
        created_at: "not a date",
      })),
      ...["reset my password", "forgot my password", "cannot log in password", "password reset link"].map((message) => ({
        customer_message: message,
        category: "login",
        agent_response: "Tap Forgot password.",
        channel: "fax machine",
      })),
      { category: "login", agent_response: "no message" },
    ];
    await writeFile(tickets, `${rows.map((row) => JSON.stringify(row)).join("\n")}\n`);
    const result = await buildKnowledgeBase({ tickets, out: join(dir, "kb"), now: () => new Date("2026-01-01T00:00:00Z") });
    expect(result.manifest.counts).toMatchObject({ ticketRows: 9, ticketsUsed: 8, rowsSkipped: 1, ticketsWithDroppedFields: 8, categories: 2 });
    expect(result.manifest.problems).toEqual([{ line: 9, problem: "customer_message Invalid input" }]);
  });
});
