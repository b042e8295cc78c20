/** An in-memory AccountProvider over fixed records (the port's contract, no I/O) for engine tests. */
import type { AccountProvider, Customer, Dispute, Order, PaymentPlan, Refund } from "../../src/ports/account-provider.js";

export interface MemoryAccount {
  customer: Customer;
  plans?: PaymentPlan[];
  orders?: Order[];
  refunds?: Refund[];
  disputes?: Dispute[];
}

export function memoryAccounts(accounts: MemoryAccount[]): AccountProvider {
  const byId = new Map(accounts.map((account) => [account.customer.id, account]));
  return {
    name: "memory",
    async findCustomer(lookup) {
      const found = accounts.find(
        (account) => account.customer.id === lookup.id || (lookup.phone !== undefined && account.customer.phone === lookup.phone) || (lookup.email !== undefined && account.customer.email === lookup.email),
      );
      return found?.customer ?? null;
    },
    async getPaymentPlans(id) {
      return byId.get(id)?.plans ?? [];
    },
    async getOrders(id) {
      return byId.get(id)?.orders ?? [];
    },
    async getRefunds(id) {
      return byId.get(id)?.refunds ?? [];
    },
    async getDisputes(id) {
      return byId.get(id)?.disputes ?? [];
    },
  };
}
