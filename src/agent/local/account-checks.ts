/**
 * The yes/no questions a decision tree may ask of a verified customer's account, answered from the
 * account provider's records (never guessed: a failed lookup throws and the brain hands over).
 */
import type { AccountCheck } from "../../kb/format.js";
import type { AccountProvider } from "../../ports/account-provider.js";

/** `today` as YYYY-MM-DD in the company's calendar. */
export async function runAccountCheck(check: AccountCheck, accounts: AccountProvider, customerId: string, today: string): Promise<boolean> {
  switch (check) {
    case "has_late_installment": {
      const plans = await accounts.getPaymentPlans(customerId);
      return plans.some((plan) =>
        plan.installments.some((installment) => installment.status === "late" || installment.status === "failed" || (installment.status === "upcoming" && installment.dueDate < today)),
      );
    }
    case "has_open_dispute":
      return (await accounts.getDisputes(customerId)).some((dispute) => dispute.status === "open" || dispute.status === "under_review");
    case "has_pending_refund":
      return (await accounts.getRefunds(customerId)).some((refund) => refund.status === "requested" || refund.status === "pending");
    case "has_active_plan":
      return (await accounts.getPaymentPlans(customerId)).some((plan) => plan.status === "active" || plan.status === "paused");
    case "in_hardship":
      return (await accounts.getPaymentPlans(customerId)).some((plan) => plan.status === "in_hardship" || plan.kind === "hardship");
    case "card_expired": {
      const customer = await accounts.findCustomer({ id: customerId });
      return customer?.card !== undefined && customer.card.expires < today.slice(0, 7);
    }
  }
}
