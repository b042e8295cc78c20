/**
 * The demo account provider: the shipped fictional customers (or any dataset file), materialised for
 * "today" from an injected clock and re-anchored when the calendar day changes, so a demo left running
 * overnight still has an upcoming payment. Actions change an in-memory overlay (kept across re-anchoring)
 * and are recorded, so a demo shows their effect and tests can assert exactly what was done.
 */
import { normaliseLookup } from "./customer-lookup.js";
import { addDays, calendarDateIn, daysBetween } from "../../src/domain/calendar-date.js";
import { NotFoundError, ValidationError } from "../../src/errors.js";
import {
  CardUpdateLinkInput,
  ChangeDueDateInput,
  SetAutopayInput,
  type AccountActions,
  type AccountProviderWithActions,
  type CardUpdateLinkResult,
  type ChangeDueDateResult,
  type Customer,
  type CustomerLookup,
  type Dispute,
  type Order,
  type PaymentPlan,
  type Refund,
  type SetAutopayResult,
} from "../../src/ports/account-provider.js";
import { maskEmail, maskPhoneNumber } from "../../src/privacy/mask.js";
import { materialiseDataset, readDatasetFile, type CustomerRecord, type DemoDataset } from "./demo-dataset.js";

export interface DemoAccountProviderOptions {
  /** A parsed dataset (relative dates allowed); default: the file at `dataPath`. */
  dataset?: unknown;
  /** Default: the shipped `demo-accounts.json`. */
  dataPath?: string;
  clock?: () => Date;
  /** The zone in which "today" is taken (default UTC). */
  timeZone?: string;
  /** How long a card-update link works (default 30 minutes). */
  cardLinkTtlMinutes?: number;
}

export type RecordedAccountAction =
  | { kind: "change_due_date"; at: Date; input: ChangeDueDateInput; result: ChangeDueDateResult }
  | { kind: "set_autopay"; at: Date; input: SetAutopayInput; result: SetAutopayResult }
  | { kind: "send_card_update_link"; at: Date; input: CardUpdateLinkInput; result: CardUpdateLinkResult };

/** Plans whose autopay a customer may still switch (a closed or paid-off plan has nothing left to pay). */
const OPEN_PLAN_STATUSES: ReadonlySet<PaymentPlan["status"]> = new Set(["active", "paused", "in_hardship"]);

export class DemoAccountProvider implements AccountProviderWithActions {
  readonly name = "demo";
  readonly actions: AccountActions;

  private readonly raw: unknown;
  private readonly clock: () => Date;
  private readonly timeZone: string;
  private readonly cardLinkTtlMs: number;
  private anchoredOn = "";
  private data: DemoDataset = { company: "", currency: "USD", customers: [] };
  /** `planId#installment` -> days moved; re-applied after every re-anchoring. */
  private readonly dueDateShifts = new Map<string, number>();
  private readonly autopayOverrides = new Map<string, boolean>();
  private readonly byIdempotencyKey = new Map<string, RecordedAccountAction>();
  private readonly log: RecordedAccountAction[] = [];

  constructor(options: DemoAccountProviderOptions = {}) {
    this.raw = options.dataset ?? readDatasetFile(options.dataPath);
    this.clock = options.clock ?? (() => new Date());
    this.timeZone = options.timeZone ?? "UTC";
    this.cardLinkTtlMs = (options.cardLinkTtlMinutes ?? 30) * 60_000;
    this.current(); // validate the dataset now: a broken file stops start-up, not the first customer
    this.actions = {
      changeDueDate: (input) => this.changeDueDate(input),
      setAutopay: (input) => this.setAutopay(input),
      sendCardUpdateLink: (input) => this.sendCardUpdateLink(input),
    };
  }

  async findCustomer(lookup: CustomerLookup): Promise<Customer | null> {
    const wanted = normaliseLookup(lookup);
    if (!wanted) return null;
    const found = this.current().customers.find(({ customer }) => wanted.matches(customer));
    return found ? structuredClone(found.customer) : null;
  }

  async getPaymentPlans(customerId: string): Promise<PaymentPlan[]> {
    return structuredClone(this.record(customerId)?.plans ?? []);
  }

  async getOrders(customerId: string): Promise<Order[]> {
    return structuredClone(this.record(customerId)?.orders ?? []);
  }

  async getRefunds(customerId: string): Promise<Refund[]> {
    return structuredClone(this.record(customerId)?.refunds ?? []);
  }

  async getDisputes(customerId: string): Promise<Dispute[]> {
    return structuredClone(this.record(customerId)?.disputes ?? []);
  }

  /** Everything held for one customer (the loopback API fake and `accounts show` use it). */
  snapshot(customerId: string): CustomerRecord | null {
    const record = this.record(customerId);
    return record ? structuredClone(record) : null;
  }

  customerIds(): string[] {
    return this.current().customers.map((record) => record.customer.id);
  }

  /** Actions performed so far, oldest first. */
  recordedActions(): RecordedAccountAction[] {
    return structuredClone(this.log);
  }

  private today(): string {
    return calendarDateIn(this.clock(), this.timeZone);
  }

  private current(): DemoDataset {
    const today = this.today();
    if (today !== this.anchoredOn) {
      this.data = materialiseDataset(this.raw, today);
      this.anchoredOn = today;
      this.applyOverrides();
    }
    return this.data;
  }

  private applyOverrides(): void {
    for (const record of this.data.customers) {
      for (const plan of record.plans) {
        const autopay = this.autopayOverrides.get(plan.id);
        if (autopay !== undefined) plan.autopay = autopay;
        for (const installment of plan.installments) {
          const shift = this.dueDateShifts.get(`${plan.id}#${installment.number}`);
          if (shift !== undefined) installment.dueDate = addDays(installment.dueDate, shift);
        }
      }
    }
  }

  private record(customerId: string): CustomerRecord | undefined {
    return this.current().customers.find((record) => record.customer.id === customerId);
  }

  private requireRecord(customerId: string): CustomerRecord {
    const record = this.record(customerId);
    if (!record) throw new NotFoundError(`customer ${customerId}`);
    return record;
  }

  private replay<T extends RecordedAccountAction["kind"]>(kind: T, key: string): RecordedAccountAction | undefined {
    const earlier = this.byIdempotencyKey.get(key);
    if (earlier && earlier.kind !== kind) throw new ValidationError(`idempotency key ${key} was used for a ${earlier.kind}`);
    return earlier;
  }

  private remember(action: RecordedAccountAction): void {
    this.byIdempotencyKey.set(action.input.idempotencyKey, action);
    this.log.push(action);
  }

  private async changeDueDate(rawInput: ChangeDueDateInput): Promise<ChangeDueDateResult> {
    const input = ChangeDueDateInput.parse(rawInput);
    const earlier = this.replay("change_due_date", input.idempotencyKey);
    if (earlier?.kind === "change_due_date") return structuredClone(earlier.result);
    const plan = this.requireRecord(input.customerId).plans.find((candidate) => candidate.id === input.planId);
    if (!plan) throw new NotFoundError(`plan ${input.planId} of customer ${input.customerId}`);
    const installment = plan.installments.find((candidate) => candidate.number === input.installmentNumber);
    if (!installment) throw new NotFoundError(`installment ${input.installmentNumber} of plan ${input.planId}`);
    if (installment.status !== "upcoming") throw new ValidationError(`installment ${installment.number} is ${installment.status}; only an upcoming one can move`);
    if (input.newDueDate <= this.today()) throw new ValidationError("the new due date must be after today");
    const previousDueDate = installment.dueDate;
    const key = `${plan.id}#${installment.number}`;
    this.dueDateShifts.set(key, (this.dueDateShifts.get(key) ?? 0) + daysBetween(previousDueDate, input.newDueDate));
    installment.dueDate = input.newDueDate;
    const result: ChangeDueDateResult = {
      planId: plan.id,
      installmentNumber: installment.number,
      previousDueDate,
      newDueDate: input.newDueDate,
      amount: structuredClone(installment.amount),
    };
    this.remember({ kind: "change_due_date", at: this.clock(), input, result });
    return structuredClone(result);
  }

  private async setAutopay(rawInput: SetAutopayInput): Promise<SetAutopayResult> {
    const input = SetAutopayInput.parse(rawInput);
    const earlier = this.replay("set_autopay", input.idempotencyKey);
    if (earlier?.kind === "set_autopay") return structuredClone(earlier.result);
    const record = this.requireRecord(input.customerId);
    const plans =
      input.planId === undefined
        ? record.plans.filter((plan) => OPEN_PLAN_STATUSES.has(plan.status))
        : record.plans.filter((plan) => plan.id === input.planId);
    if (input.planId !== undefined && plans.length === 0) throw new NotFoundError(`plan ${input.planId} of customer ${input.customerId}`);
    for (const plan of plans) {
      plan.autopay = input.enabled;
      this.autopayOverrides.set(plan.id, input.enabled);
    }
    const result: SetAutopayResult = { planIds: plans.map((plan) => plan.id), enabled: input.enabled };
    this.remember({ kind: "set_autopay", at: this.clock(), input, result });
    return structuredClone(result);
  }

  private async sendCardUpdateLink(rawInput: CardUpdateLinkInput): Promise<CardUpdateLinkResult> {
    const input = CardUpdateLinkInput.parse(rawInput);
    const earlier = this.replay("send_card_update_link", input.idempotencyKey);
    if (earlier?.kind === "send_card_update_link") return structuredClone(earlier.result);
    const { customer } = this.requireRecord(input.customerId);
    if (input.via === "sms" && customer.phone === undefined) throw new ValidationError(`customer ${customer.id} has no phone number for an SMS link`);
    const result: CardUpdateLinkResult = {
      via: input.via,
      destinationMasked: input.via === "sms" ? maskPhoneNumber(customer.phone ?? "") : maskEmail(customer.email),
      expiresAt: new Date(this.clock().getTime() + this.cardLinkTtlMs).toISOString(),
    };
    this.remember({ kind: "send_card_update_link", at: this.clock(), input, result });
    return structuredClone(result);
  }
}

export function createDemoAccountProvider(options: DemoAccountProviderOptions = {}): DemoAccountProvider {
  return new DemoAccountProvider(options);
}
