/**
 * `switchboard accounts show ID [--json]`: what the account provider (demo dataset or the company's API)
 * holds for one customer: the customer, every plan with every installment, orders, refunds, disputes.
 * ID may be a customer id, a phone number (+1...) or an e-mail address. An operator's tool: it prints the
 * records as they are, unmasked.
 */
import { fetchAccountSnapshot } from "../agent/account-snapshot.js";
import { parseArgs } from "node:util";
import { formatCustomerDate, formatMoney, formatPercent } from "../agent/customer-format.js";
import { loadEnv } from "../config/env.js";
import { createAccountProviderFromEnv } from "../main/brain.js";
import type { AccountProvider, Customer, CustomerLookup, Dispute, Order, PaymentPlan, Refund } from "../ports/account-provider.js";
import type { CliCommand } from "./commands.js";

export interface AccountRecordView {
  provider: string;
  customer: Customer;
  plans: PaymentPlan[];
  orders: Order[];
  refunds: Refund[];
  disputes: Dispute[];
}

export interface AccountsShowIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const USAGE = "accounts show ID [--json]";

export function lookupFor(id: string): CustomerLookup {
  if (id.includes("@")) return { email: id };
  if (/^\+?[\d\s().-]{7,}$/.test(id)) return { phone: id };
  return { id };
}

export async function readAccountRecord(accounts: AccountProvider, id: string): Promise<AccountRecordView | null> {
  const snapshot = await fetchAccountSnapshot(accounts, lookupFor(id));
  return snapshot ? { provider: accounts.name, ...snapshot } : null;
}

function words(code: string): string {
  return code.replace(/_/g, " ");
}

export function renderAccountRecord(view: AccountRecordView): string {
  const { customer } = view;
  const lines = [`Customer ${customer.id} - ${customer.name} (provider: ${view.provider})`];
  lines.push(`  e-mail:  ${customer.email}`, `  phone:   ${customer.phone ?? "(none)"}`, `  status:  ${customer.status}`);
  lines.push(`  card:    ${customer.card ? `${customer.card.brand} ending ${customer.card.last4}, expires ${customer.card.expires}` : "(none)"}`);
  if (customer.spendingLimit) lines.push(`  limit:   ${formatMoney(customer.spendingLimit)}`);

  lines.push("", `Payment plans (${view.plans.length})`);
  for (const plan of view.plans) {
    const apr = plan.aprPercent !== undefined ? ` - ${formatPercent(plan.aprPercent)} APR` : "";
    lines.push(
      `  ${plan.id} - ${words(plan.kind)} - ${plan.merchant} - total ${formatMoney(plan.total)}${apr} - ${words(plan.status)} - autopay ${plan.autopay ? "on" : "off"}${plan.orderId ? ` - order ${plan.orderId}` : ""}`,
    );
    for (const installment of plan.installments) {
      const fees = installment.fees.map((fee) => `${words(fee.kind)} ${formatMoney(fee.amount)}${fee.appliedOn ? ` on ${fee.appliedOn}` : ""}`);
      const paid = installment.paidDate ? ` on ${installment.paidDate}` : "";
      lines.push(
        `    #${installment.number}  ${installment.dueDate}  ${formatCustomerDate(installment.dueDate).padEnd(30)} ${formatMoney(installment.amount).padStart(10)}  ${installment.status}${paid}${fees.length > 0 ? `  [${fees.join("; ")}]` : ""}`,
      );
    }
  }

  lines.push("", `Orders (${view.orders.length})`);
  for (const order of view.orders) {
    const tracking = order.trackingNumber ? ` - ${order.carrier ?? "carrier"} ${order.trackingNumber}` : "";
    lines.push(`  ${order.id} - ${order.merchant}${order.description ? ` - ${order.description}` : ""} - placed ${order.placedOn} - ${formatMoney(order.total)} - ${words(order.status)}${tracking}`);
    if (order.trackingUrl) lines.push(`    ${order.trackingUrl}`);
  }

  lines.push("", `Refunds (${view.refunds.length})`);
  for (const refund of view.refunds) {
    lines.push(
      `  ${refund.id} - order ${refund.orderId} - ${refund.status} - requested ${refund.requestedOn}${refund.processedOn ? ` - processed ${refund.processedOn}` : ""} - ${refund.amount ? formatMoney(refund.amount) : "no amount on record"}`,
    );
  }

  lines.push("", `Disputes (${view.disputes.length})`);
  for (const dispute of view.disputes) {
    lines.push(`  ${dispute.id} - order ${dispute.orderId} - ${words(dispute.status)} - ${dispute.reason} - opened ${dispute.openedOn} - payments ${dispute.paymentsPaused ? "paused" : "not paused"}`);
  }
  return `${lines.join("\n")}\n`;
}

/** The command without its wiring: tests pass a provider and capture the output. */
export async function runAccountsShow(args: string[], accounts: () => AccountProvider, io: AccountsShowIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    io.err(`switchboard: ${(error as Error).message}\nUsage: switchboard ${USAGE}\n`);
    return 2;
  }
  const id = parsed.positionals[0];
  if (id === undefined || parsed.positionals.length > 1 || id.trim() === "") {
    io.err(`Usage: switchboard ${USAGE}\n`);
    return 2;
  }
  const provider = accounts();
  const view = await readAccountRecord(provider, id.trim());
  if (!view) {
    io.err(`switchboard: no customer "${id}" at the ${provider.name} account provider\n`);
    return 1;
  }
  io.out(parsed.values.json ? `${JSON.stringify(view, null, 2)}\n` : renderAccountRecord(view));
  return 0;
}

function parse(args: string[]) {
  return parseArgs({ args, allowPositionals: true, options: { json: { type: "boolean", default: false } } });
}

export const accountsShowCommand: CliCommand = {
  path: ["accounts", "show"],
  usage: USAGE,
  summary: "print what the account provider holds for a customer (id, phone or e-mail)",
  run: (args) =>
    runAccountsShow(args, () => createAccountProviderFromEnv(loadEnv(process.env)), {
      out: (text) => process.stdout.write(text),
      err: (text) => process.stderr.write(text),
    }),
};
