import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DemoAccountProvider, HttpAccountProvider, createAccountProviderFromEnv } from "../../adapters/accounts/index.js";
import { loadEnv } from "../../src/config/env.js";
import { ConfigError, UpstreamError } from "../../src/errors.js";
import { startFakeAccountsApi, type FakeAccountsApi } from "../fakes/accounts-api.js";
import { TEST_NOW } from "../support/turn.js";

const AUTH = { header: "X-Api-Key", value: "test-key-123" };

describe("HTTP account provider against a loopback account API", () => {
  let demo: DemoAccountProvider;
  let api: FakeAccountsApi;
  let http: HttpAccountProvider;

  beforeAll(async () => {
    demo = new DemoAccountProvider({ clock: () => TEST_NOW });
    api = await startFakeAccountsApi(demo, { auth: AUTH });
    http = new HttpAccountProvider({ baseUrl: `${api.url}/`, auth: AUTH, timeoutMs: 400 });
  });
  afterAll(() => api.close());

  it("reads the same records the demo provider holds", async () => {
    api.mode = "normal";
    for (const id of ["C-1001", "C-1004", "C-1006", "C-1009"]) {
      expect(await http.findCustomer({ id })).toEqual(await demo.findCustomer({ id }));
      expect(await http.getPaymentPlans(id)).toEqual(await demo.getPaymentPlans(id));
      expect(await http.getOrders(id)).toEqual(await demo.getOrders(id));
      expect(await http.getRefunds(id)).toEqual(await demo.getRefunds(id));
      expect(await http.getDisputes(id)).toEqual(await demo.getDisputes(id));
    }
    expect(api.requests.at(-1)?.headers["x-api-key"]).toBe(AUTH.value);
  });

  it("looks customers up by phone and e-mail through the query templates", async () => {
    api.mode = "normal";
    expect((await http.findCustomer({ phone: "whatsapp:+14155550102" }))?.id).toBe("C-1002");
    expect(api.requests.at(-1)?.url).toBe("/customers?phone=%2B14155550102");
    expect((await http.findCustomer({ email: "maria.alvarez@example.com" }))?.id).toBe("C-1001");
    expect(await http.findCustomer({ email: "nobody@example.com" })).toBeNull();
  });

  it("treats 404 as not found: null for a customer, empty lists for records", async () => {
    api.mode = "normal";
    expect(await http.findCustomer({ id: "C-9999" })).toBeNull();
    expect(await http.getPaymentPlans("C-9999")).toEqual([]);
    expect(await http.getDisputes("C-9999")).toEqual([]);
  });

  it.each([
    ["error500", /HTTP 503/],
    ["hang", /no answer within 400 ms/],
    ["malformed", /not JSON/],
    ["invalid_shape", /unexpected body/],
    ["huge", /over the/],
  ] as const)("turns %s into an UpstreamError, never a guess", async (mode, message) => {
    api.mode = mode;
    const failure = await http.getPaymentPlans("C-1001").catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UpstreamError);
    expect((failure as UpstreamError).code).toBe("upstream.accounts");
    expect((failure as Error).message).toMatch(message);
    api.mode = "normal";
  });

  it("never puts the phone or e-mail of a failed lookup in the error message", async () => {
    api.mode = "error500";
    const failure = (await http.findCustomer({ email: "maria.alvarez@example.com" }).catch((error: unknown) => error)) as Error;
    expect(failure).toBeInstanceOf(UpstreamError);
    expect(failure.message).not.toContain("maria");
    api.mode = "normal";
  });

  it("fails on a wrong credential instead of reading nothing", async () => {
    const wrong = new HttpAccountProvider({ baseUrl: api.url, auth: { header: "X-Api-Key", value: "nope" } });
    await expect(wrong.getOrders("C-1001")).rejects.toThrow(/HTTP 401/);
  });

  it("turns a refused connection into an UpstreamError", async () => {
    const closed = new HttpAccountProvider({ baseUrl: "http://127.0.0.1:9", timeoutMs: 1_000 });
    await expect(closed.getOrders("C-1001")).rejects.toBeInstanceOf(UpstreamError);
  });

  it("re-checks lookups on its side: an API that ignores the query does not verify the wrong person", async () => {
    const sloppy = new HttpAccountProvider({ baseUrl: api.url, auth: AUTH, paths: { customerByPhone: "/customers?email=maria.alvarez%40example.com&p={phone}" } });
    expect(await sloppy.findCustomer({ phone: "+14155550102" })).toBeNull();
  });

  it("posts actions with an Idempotency-Key to the configured paths", async () => {
    api.mode = "normal";
    const result = await http.actions.changeDueDate({ customerId: "C-1014", planId: "P-1014", installmentNumber: 3, newDueDate: "2026-12-05", idempotencyKey: "pending-1" });
    expect(result).toEqual({ planId: "P-1014", installmentNumber: 3, previousDueDate: "2026-12-02", newDueDate: "2026-12-05", amount: { amountMinor: 4500, currency: "USD" } });
    const post = api.requests.at(-1)!;
    expect(post.method).toBe("POST");
    expect(post.url).toBe("/customers/C-1014/plans/P-1014/installments/3/due-date");
    expect(post.headers["idempotency-key"]).toBe("pending-1");
    expect(JSON.parse(post.body)).toEqual({ newDueDate: "2026-12-05" });
    await http.actions.changeDueDate({ customerId: "C-1014", planId: "P-1014", installmentNumber: 3, newDueDate: "2026-12-05", idempotencyKey: "pending-1" });
    expect(demo.recordedActions().filter((action) => action.input.idempotencyKey === "pending-1")).toHaveLength(1);

    expect(await http.actions.setAutopay({ customerId: "C-1014", enabled: true, planId: "P-1014", idempotencyKey: "pending-2" })).toEqual({ planIds: ["P-1014"], enabled: true });
    const link = await http.actions.sendCardUpdateLink({ customerId: "C-1008", via: "email", idempotencyKey: "pending-3" });
    expect(link.destinationMasked).toBe("k***@example.com");
  });

  it("turns a failed action into an UpstreamError", async () => {
    api.mode = "error500";
    await expect(http.actions.setAutopay({ customerId: "C-1001", enabled: false, idempotencyKey: "x" })).rejects.toBeInstanceOf(UpstreamError);
    api.mode = "normal";
  });

  it("is built from the environment with a bearer token and path overrides", async () => {
    api.mode = "normal";
    const bearerApi = await startFakeAccountsApi(demo, { auth: { header: "authorization", value: "Bearer s3cret-token" } });
    try {
      const fromEnv = createAccountProviderFromEnv(
        loadEnv({ ACCOUNTS_API_URL: bearerApi.url, ACCOUNTS_API_TOKEN: "s3cret-token", ACCOUNTS_API_PATHS: '{"orders":"/customers/{id}/orders"}' }),
      );
      expect((await fromEnv.getOrders("C-1001"))[0]?.id).toBe("48213");
    } finally {
      await bearerApi.close();
    }
  });

  it("refuses path templates with unknown placeholders at construction", () => {
    expect(() => new HttpAccountProvider({ baseUrl: api.url, paths: { plans: "/customers/{customer}/plans" } })).toThrow(ConfigError);
    expect(() => new HttpAccountProvider({ baseUrl: "not a url" })).toThrow(ConfigError);
  });
});
