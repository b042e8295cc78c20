/**
 * The company's own account API behind `AccountProvider`. Paths are templates (`/customers/{id}/plans`)
 * so the adapter fits an existing API; every response is validated with the port's zod schemas. Anything
 * that is not a clean answer (network error, timeout, 5xx, an unexpected 4xx, a body that is not the
 * documented shape, a body over the size cap) becomes an `UpstreamError`: the brain escalates instead of
 * guessing. A 404 on a read means "not found" (null or an empty list).
 *
 * The documented API shape (README of this folder; the loopback fake in test/fakes serves it):
 *   GET  /customers/{id}                  -> Customer
 *   GET  /customers?phone={phone}         -> { "customers": Customer[] }
 *   GET  /customers?email={email}         -> { "customers": Customer[] }
 *   GET  /customers/{id}/plans            -> { "plans": PaymentPlan[] }   (orders, refunds, disputes alike)
 *   POST /customers/{id}/plans/{planId}/installments/{installmentNumber}/due-date  {newDueDate}
 *   POST /customers/{id}/autopay          {planId?, enabled}
 *   POST /customers/{id}/card-update-link {via}
 * POSTs carry an `Idempotency-Key` header and answer with the port's result shapes.
 */
import { normaliseLookup } from "./customer-lookup.js";
import { BodyTooLargeError, readCappedBody } from "../../src/http/read-capped-body.js";
import { z } from "zod";
import { ConfigError, UpstreamError, errorMessage } from "../../src/errors.js";
import {
  CardUpdateLinkInput,
  CardUpdateLinkResult,
  ChangeDueDateInput,
  ChangeDueDateResult,
  Customer,
  Dispute,
  Order,
  PaymentPlan,
  Refund,
  SetAutopayInput,
  SetAutopayResult,
  type AccountActions,
  type AccountProviderWithActions,
  type CustomerLookup,
} from "../../src/ports/account-provider.js";

export const DEFAULT_ACCOUNT_API_PATHS = {
  customerById: "/customers/{id}",
  customerByPhone: "/customers?phone={phone}",
  customerByEmail: "/customers?email={email}",
  plans: "/customers/{id}/plans",
  orders: "/customers/{id}/orders",
  refunds: "/customers/{id}/refunds",
  disputes: "/customers/{id}/disputes",
  changeDueDate: "/customers/{id}/plans/{planId}/installments/{installmentNumber}/due-date",
  setAutopay: "/customers/{id}/autopay",
  cardUpdateLink: "/customers/{id}/card-update-link",
} as const;
export type AccountApiPathName = keyof typeof DEFAULT_ACCOUNT_API_PATHS;
export type AccountApiPaths = Record<AccountApiPathName, string>;

/** The placeholders each template may use; anything else is a configuration mistake caught at start. */
const PLACEHOLDERS: Record<AccountApiPathName, readonly string[]> = {
  customerById: ["id"],
  customerByPhone: ["phone"],
  customerByEmail: ["email"],
  plans: ["id"],
  orders: ["id"],
  refunds: ["id"],
  disputes: ["id"],
  changeDueDate: ["id", "planId", "installmentNumber"],
  setAutopay: ["id"],
  cardUpdateLink: ["id"],
};

export const AccountApiPathsOverride = z
  .object(Object.fromEntries(Object.keys(DEFAULT_ACCOUNT_API_PATHS).map((name) => [name, z.string().startsWith("/").optional()])))
  .strict();

export interface HttpAccountProviderOptions {
  /** `https://api.example.com/v1`; the path templates are appended to it. */
  baseUrl: string;
  paths?: Partial<AccountApiPaths>;
  /** Sent on every request, e.g. `{ header: "Authorization", value: "Bearer ..." }`. */
  auth?: { header: string; value: string };
  timeoutMs?: number;
  maxResponseBytes?: number;
  fetch?: typeof fetch;
}

const CustomerList = z.object({ customers: z.array(Customer) });
const PlanList = z.object({ plans: z.array(PaymentPlan) });
const OrderList = z.object({ orders: z.array(Order) });
const RefundList = z.object({ refunds: z.array(Refund) });
const DisputeList = z.object({ disputes: z.array(Dispute) });

const SERVICE = "accounts";

export class HttpAccountProvider implements AccountProviderWithActions {
  readonly name = "http";
  readonly actions: AccountActions;

  private readonly baseUrl: string;
  private readonly paths: AccountApiPaths;
  private readonly auth: { header: string; value: string } | undefined;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: HttpAccountProviderOptions) {
    if (!/^https?:\/\/[^\s]+$/.test(options.baseUrl)) {
      throw new ConfigError(`ACCOUNTS_API_URL must be an http:// or https:// URL (got "${options.baseUrl.slice(0, 80)}").`);
    }
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.paths = { ...DEFAULT_ACCOUNT_API_PATHS, ...stripUndefined(options.paths ?? {}) };
    for (const [name, template] of Object.entries(this.paths) as Array<[AccountApiPathName, string]>) {
      const used = [...template.matchAll(/\{([^}]*)\}/g)].map((match) => match[1] ?? "");
      const unknown = used.filter((placeholder) => !PLACEHOLDERS[name].includes(placeholder));
      if (!template.startsWith("/") || unknown.length > 0) {
        throw new ConfigError(
          `account API path "${name}" (${template}) must start with / and may only use {${PLACEHOLDERS[name].join("}, {")}}.`,
        );
      }
    }
    if (options.auth && !/^[A-Za-z0-9-]+$/.test(options.auth.header)) {
      throw new ConfigError(`ACCOUNTS_API_AUTH_HEADER must be a header name (got "${options.auth.header.slice(0, 40)}").`);
    }
    this.auth = options.auth;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.maxResponseBytes = options.maxResponseBytes ?? 2_000_000;
    this.fetchImpl = options.fetch ?? globalThis.fetch;
    this.actions = {
      changeDueDate: (input) => this.changeDueDate(input),
      setAutopay: (input) => this.setAutopay(input),
      sendCardUpdateLink: (input) => this.sendCardUpdateLink(input),
    };
  }

  async findCustomer(lookup: CustomerLookup): Promise<Customer | null> {
    const wanted = normaliseLookup(lookup);
    if (!wanted) return null;
    const { phone, email, matches } = wanted;

    if (lookup.id !== undefined) {
      const customer = await this.read("customerById", { id: lookup.id }, Customer);
      return customer && matches(customer) ? customer : null;
    }
    const list =
      phone !== undefined
        ? await this.read("customerByPhone", { phone }, CustomerList)
        : email !== undefined
          ? await this.read("customerByEmail", { email }, CustomerList)
          : null;
    // Re-check on our side: an API that ignored the query must not make us verify the wrong person, and
    // two accounts on one phone or e-mail are ambiguous, so neither is chosen.
    const found = (list?.customers ?? []).filter(matches);
    return found.length === 1 ? (found[0] ?? null) : null;
  }

  async getPaymentPlans(customerId: string): Promise<PaymentPlan[]> {
    return (await this.read("plans", { id: customerId }, PlanList))?.plans ?? [];
  }

  async getOrders(customerId: string): Promise<Order[]> {
    return (await this.read("orders", { id: customerId }, OrderList))?.orders ?? [];
  }

  async getRefunds(customerId: string): Promise<Refund[]> {
    return (await this.read("refunds", { id: customerId }, RefundList))?.refunds ?? [];
  }

  async getDisputes(customerId: string): Promise<Dispute[]> {
    return (await this.read("disputes", { id: customerId }, DisputeList))?.disputes ?? [];
  }

  private async changeDueDate(rawInput: ChangeDueDateInput): Promise<ChangeDueDateResult> {
    const input = ChangeDueDateInput.parse(rawInput);
    const values = { id: input.customerId, planId: input.planId, installmentNumber: String(input.installmentNumber) };
    return this.post("changeDueDate", values, { newDueDate: input.newDueDate }, input.idempotencyKey, ChangeDueDateResult);
  }

  private async setAutopay(rawInput: SetAutopayInput): Promise<SetAutopayResult> {
    const input = SetAutopayInput.parse(rawInput);
    const body = { enabled: input.enabled, ...(input.planId !== undefined ? { planId: input.planId } : {}) };
    return this.post("setAutopay", { id: input.customerId }, body, input.idempotencyKey, SetAutopayResult);
  }

  private async sendCardUpdateLink(rawInput: CardUpdateLinkInput): Promise<CardUpdateLinkResult> {
    const input = CardUpdateLinkInput.parse(rawInput);
    return this.post("cardUpdateLink", { id: input.customerId }, { via: input.via }, input.idempotencyKey, CardUpdateLinkResult);
  }

  private url(name: AccountApiPathName, values: Record<string, string>): string {
    const path = this.paths[name].replace(/\{([^}]*)\}/g, (_match, key: string) => encodeURIComponent(values[key] ?? ""));
    return `${this.baseUrl}${path}`;
  }

  /** GET; null on 404. */
  private async read<T>(name: AccountApiPathName, values: Record<string, string>, schema: z.ZodType<T>): Promise<T | null> {
    const response = await this.send(name, this.url(name, values), { method: "GET" });
    if (response.status === 404) {
      await response.body?.cancel();
      return null;
    }
    return this.parse(name, response, schema);
  }

  private async post<T>(
    name: AccountApiPathName,
    values: Record<string, string>,
    body: Record<string, unknown>,
    idempotencyKey: string,
    schema: z.ZodType<T>,
  ): Promise<T> {
    const response = await this.send(name, this.url(name, values), {
      method: "POST",
      body: JSON.stringify(body),
      headers: { "content-type": "application/json", "idempotency-key": idempotencyKey },
    });
    return this.parse(name, response, schema);
  }

  // Error messages name the path template, never the URL: lookups put phones and e-mails in the query.
  private async send(name: AccountApiPathName, url: string, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set("accept", "application/json");
    if (this.auth) headers.set(this.auth.header, this.auth.value);
    try {
      return await this.fetchImpl(url, { ...init, headers, signal: AbortSignal.timeout(this.timeoutMs), redirect: "error" });
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
      throw new UpstreamError(
        SERVICE,
        timedOut ? `account API ${name}: no answer within ${this.timeoutMs} ms` : `account API ${name}: request failed (${errorMessage(error)})`,
        { cause: error },
      );
    }
  }

  private async parse<T>(name: AccountApiPathName, response: Response, schema: z.ZodType<T>): Promise<T> {
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new UpstreamError(SERVICE, `account API ${name}: HTTP ${response.status}`);
    }
    const text = await this.readBody(name, response);
    let json: unknown;
    try {
      json = JSON.parse(text) as unknown;
    } catch (error) {
      throw new UpstreamError(SERVICE, `account API ${name}: the body is not JSON`, { cause: error });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      // Paths and messages only: the values may be personal data.
      const problems = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join(".") || "(body)"}: ${issue.message}`);
      throw new UpstreamError(SERVICE, `account API ${name}: unexpected body (${problems.join("; ")})`);
    }
    return parsed.data;
  }

  private async readBody(name: AccountApiPathName, response: Response): Promise<string> {
    try {
      return (await readCappedBody(response, this.maxResponseBytes)).toString("utf8");
    } catch (error) {
      if (error instanceof BodyTooLargeError) throw new UpstreamError(SERVICE, `account API ${name}: ${error.message}`);
      const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
      throw new UpstreamError(SERVICE, `account API ${name}: ${timedOut ? `no complete answer within ${this.timeoutMs} ms` : "the body could not be read"}`, { cause: error });
    }
  }
}

function stripUndefined<T extends Record<string, unknown>>(value: Partial<T>): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, inner]) => inner !== undefined)) as Partial<T>;
}

export function createHttpAccountProvider(options: HttpAccountProviderOptions): HttpAccountProvider {
  return new HttpAccountProvider(options);
}
