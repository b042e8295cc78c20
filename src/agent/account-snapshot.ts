/**
 * Read everything about one customer from the provider at once. Provider failures (`UpstreamError`)
 * propagate: the engine turns them into an escalation with `upstream_error`, never into a guess.
 */
import type { AccountProvider, CustomerLookup } from "../ports/account-provider.js";
import type { AccountSnapshot } from "./account-facts.js";

export async function fetchAccountSnapshot(accounts: AccountProvider, customer: string | CustomerLookup): Promise<AccountSnapshot | null> {
  const found = await accounts.findCustomer(typeof customer === "string" ? { id: customer } : customer);
  return found ? snapshotOf(accounts, found) : null;
}

async function snapshotOf(accounts: AccountProvider, customer: AccountSnapshot["customer"]): Promise<AccountSnapshot> {
  const [plans, orders, refunds, disputes] = await Promise.all([
    accounts.getPaymentPlans(customer.id),
    accounts.getOrders(customer.id),
    accounts.getRefunds(customer.id),
    accounts.getDisputes(customer.id),
  ]);
  return { customer, plans, orders, refunds, disputes };
}
