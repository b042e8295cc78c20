/**
 * The shipped demo dataset (`demo-accounts.json`) and its loader. Dates in the file are relative so the
 * demo stays meaningful on any day: `today`, `today+5`, `today-12` become calendar dates and `month+18`
 * becomes a `YYYY-MM` card expiry, counted from the day given to `materialiseDataset` (an injected clock's
 * date, never the host's local date). Absolute ISO dates are accepted too, for hand-made files. After the
 * dates are materialised every record is validated with the port's zod schemas, so the demo provider and
 * the HTTP provider hand the brain the same shapes.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { addDays, addMonthsToYearMonth } from "../../src/domain/calendar-date.js";
import { ConfigError } from "../../src/errors.js";
import { Customer, Dispute, Order, PaymentPlan, Refund } from "../../src/ports/account-provider.js";

export const DEFAULT_DEMO_DATA_PATH = fileURLToPath(new URL("./demo-accounts.json", import.meta.url));

/** One customer with everything the provider holds about them, dates already materialised. */
export const CustomerRecord = z.object({
  /** What this customer is in the dataset for (documentation; not shown to customers). */
  demonstrates: z.string().optional(),
  customer: Customer,
  plans: z.array(PaymentPlan).default([]),
  orders: z.array(Order).default([]),
  refunds: z.array(Refund).default([]),
  disputes: z.array(Dispute).default([]),
});
export type CustomerRecord = z.infer<typeof CustomerRecord>;

export const DemoDataset = z.object({
  company: z.string().default("Switchboard Pay"),
  currency: z.string().length(3).default("USD"),
  customers: z.array(CustomerRecord).min(1, "the dataset holds no customer"),
});
export type DemoDataset = z.infer<typeof DemoDataset>;

const RELATIVE_DAY = /^today(?:([+-])(\d{1,5}))?$/;
const RELATIVE_MONTH = /^month(?:([+-])(\d{1,4}))?$/;

function offsetOf(sign: string | undefined, amount: string | undefined): number {
  if (sign === undefined || amount === undefined) return 0;
  return (sign === "-" ? -1 : 1) * Number(amount);
}

/** Replace every relative date string anywhere in the raw JSON, counted from `today` (YYYY-MM-DD). */
export function materialiseRelativeDates(raw: unknown, today: string): unknown {
  if (typeof raw === "string") {
    const day = RELATIVE_DAY.exec(raw);
    if (day) return addDays(today, offsetOf(day[1], day[2]));
    const month = RELATIVE_MONTH.exec(raw);
    if (month) return addMonthsToYearMonth(today, offsetOf(month[1], month[2]));
    return raw;
  }
  if (Array.isArray(raw)) return raw.map((item) => materialiseRelativeDates(item, today));
  if (raw !== null && typeof raw === "object") {
    return Object.fromEntries(Object.entries(raw).map(([key, value]) => [key, materialiseRelativeDates(value, today)]));
  }
  return raw;
}

/** Validate a parsed dataset for `today`; every problem is listed with its path. */
export function materialiseDataset(raw: unknown, today: string, origin = "demo accounts"): DemoDataset {
  const parsed = DemoDataset.safeParse(materialiseRelativeDates(raw, today));
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 20).map((issue) => `- ${issue.path.join(".") || "(file)"}: ${issue.message}`);
    throw new ConfigError(`${origin}: invalid dataset:\n${problems.join("\n")}`);
  }
  assertConsistent(parsed.data, origin);
  return parsed.data;
}

/** Ids must be unique and references must resolve, or lookups would answer for the wrong customer. */
function assertConsistent(dataset: DemoDataset, origin: string): void {
  const seen = new Map<string, string>();
  const claim = (kind: string, id: string) => {
    const key = `${kind}:${id}`;
    if (seen.has(key)) throw new ConfigError(`${origin}: ${kind} id "${id}" appears twice; ids must be unique.`);
    seen.set(key, id);
  };
  for (const record of dataset.customers) {
    claim("customer", record.customer.id);
    claim("email", record.customer.email.toLowerCase());
    if (record.customer.phone) claim("phone", record.customer.phone);
    for (const plan of record.plans) claim("plan", plan.id);
    for (const order of record.orders) claim("order", order.id);
    const orderIds = new Set(record.orders.map((order) => order.id));
    for (const item of [...record.refunds, ...record.disputes]) {
      if (!orderIds.has(item.orderId)) {
        throw new ConfigError(`${origin}: ${item.id} of customer ${record.customer.id} names order ${item.orderId}, which that customer does not have.`);
      }
    }
  }
}

/** Read and parse a dataset file (JSON). Materialise it with `materialiseDataset`. */
export function readDatasetFile(path: string = DEFAULT_DEMO_DATA_PATH): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(`ACCOUNTS_DATA: cannot read ${path}; point it at a readable JSON dataset.`, { cause: error });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ConfigError(`ACCOUNTS_DATA: ${path} is not valid JSON (${(error as Error).message}).`, { cause: error });
  }
}
