import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DemoAccountProvider } from "../../adapters/accounts/index.js";
import { lookupFor, runAccountsShow } from "../../src/cli/accounts-show.js";
import { startFakeAccountsApi, type FakeAccountsApi } from "../fakes/accounts-api.js";
import { TEST_NOW } from "../support/turn.js";

const run = promisify(execFile);
const BIN = new URL("../../bin/switchboard.js", import.meta.url).pathname;

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (text: string) => out.push(text), err: (text: string) => err.push(text) }, out, err };
}

describe("switchboard accounts show", () => {
  const demo = new DemoAccountProvider({ clock: () => TEST_NOW });

  it("prints the customer, every installment, orders, refunds and disputes", async () => {
    const { io, out } = capture();
    expect(await runAccountsShow(["C-1002"], () => demo, io)).toBe(0);
    const text = out.join("");
    expect(text).toContain("Customer C-1002 - James Carter (provider: demo)");
    expect(text).toContain("P-1002 - pay in 4 - Urban Loft Home - total $240.00 - active - autopay off - order 51007");
    expect(text).toMatch(/#3 {2}2026-11-19 {2}Thursday, November 19, 2026 +\$60\.00 {2}late {2}\[late fee \$7\.00 on 2026-11-20\]/);
    expect(text).toContain("51007 - Urban Loft Home - Floor lamp and rug - placed 2026-10-22 - $240.00 - delivered - FedEx 784512369854");
    expect(text).toContain("Refunds (0)");
  });

  it("prints JSON with --json and finds customers by phone or e-mail", async () => {
    const { io, out } = capture();
    expect(await runAccountsShow(["+1 (415) 555-0104", "--json"], () => demo, io)).toBe(0);
    const view = JSON.parse(out.join(""));
    expect(view.customer.id).toBe("C-1004");
    expect(view.refunds).toEqual([{ id: "R-2004", orderId: "55230", status: "pending", amount: { amountMinor: 8999, currency: "USD" }, requestedOn: "2026-11-25" }]);
    expect(view.plans[0].installments).toHaveLength(4);
    expect(lookupFor("a@example.com")).toEqual({ email: "a@example.com" });
    expect(lookupFor("C-1001")).toEqual({ id: "C-1001" });
  });

  it("exits 1 for an unknown customer and 2 for bad usage", async () => {
    const unknown = capture();
    expect(await runAccountsShow(["C-9999"], () => demo, unknown.io)).toBe(1);
    expect(unknown.err.join("")).toContain('no customer "C-9999"');
    const usage = capture();
    expect(await runAccountsShow([], () => demo, usage.io)).toBe(2);
    expect(await runAccountsShow(["--bogus"], () => demo, usage.io)).toBe(2);
  });

  describe("as a process", () => {
    let api: FakeAccountsApi;
    beforeAll(async () => {
      api = await startFakeAccountsApi(demo, { auth: { header: "authorization", value: "Bearer cli-token" } });
    });
    afterAll(() => api.close());

    it("reads the shipped demo data by default", async () => {
      const { stdout } = await run(process.execPath, [BIN, "accounts", "show", "C-1001", "--json"], { env: { ...process.env, ACCOUNTS_API_URL: "" } });
      const view = JSON.parse(stdout);
      expect(view.provider).toBe("demo");
      expect(view.orders[0].trackingNumber).toBe("1Z999AA10123456784");
    });

    it("reads the company API when ACCOUNTS_API_URL is set", async () => {
      const { stdout } = await run(process.execPath, [BIN, "accounts", "show", "maria.alvarez@example.com"], {
        env: { ...process.env, ACCOUNTS_API_URL: api.url, ACCOUNTS_API_TOKEN: "cli-token" },
      });
      expect(stdout).toContain("Customer C-1001 - Maria Alvarez (provider: http)");
    });

    it("fails with one clear line when the API is down", async () => {
      api.mode = "error500";
      const failure = await run(process.execPath, [BIN, "accounts", "show", "C-1001"], { env: { ...process.env, ACCOUNTS_API_URL: api.url, ACCOUNTS_API_TOKEN: "cli-token" } }).catch((error: unknown) => error as { code: number; stderr: string });
      api.mode = "normal";
      expect(failure).toMatchObject({ code: 1 });
      expect((failure as { stderr: string }).stderr.trim()).toBe("switchboard: account API customerById: HTTP 503");
    });
  });
});
