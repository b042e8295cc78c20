/**
 * How figures are written to customers: one money format (`$1,234.50`) and one unambiguous date format
 * (`Friday, December 4, 2026`), everywhere. Account facts carry these exact strings (plus ISO forms), so
 * the grounding guardrail can match a reply against them.
 */
import type { Money } from "../ports/account-provider.js";

const moneyFormats = new Map<string, Intl.NumberFormat>();

export function formatMoney(money: Money): string {
  let format = moneyFormats.get(money.currency);
  if (!format) {
    format = new Intl.NumberFormat("en-US", { style: "currency", currency: money.currency, minimumFractionDigits: 2, maximumFractionDigits: 2 });
    moneyFormats.set(money.currency, format);
  }
  return format.format(money.amountMinor / 100);
}

const LONG_DATE = new Intl.DateTimeFormat("en-US", { weekday: "long", year: "numeric", month: "long", day: "numeric", timeZone: "UTC" });
const MONTH_YEAR = new Intl.DateTimeFormat("en-US", { year: "numeric", month: "long", timeZone: "UTC" });

function utcDate(iso: string): Date {
  const [year, month, day] = iso.split("-").map(Number);
  return new Date(Date.UTC(year ?? 1970, (month ?? 1) - 1, day ?? 1));
}

/** `2026-12-04` -> `Friday, December 4, 2026`. */
export function formatCustomerDate(iso: string): string {
  return LONG_DATE.format(utcDate(iso));
}

/** `2027-08` -> `August 2027` (card expiry). */
export function formatYearMonth(yearMonth: string): string {
  return MONTH_YEAR.format(utcDate(`${yearMonth}-01`));
}

/** A percentage as written in replies: `19.99%`, `0%`. */
export function formatPercent(value: number): string {
  return `${Number(value.toFixed(2))}%`;
}
