/**
 * Calendar dates as ISO strings (`YYYY-MM-DD`), computed in UTC so that no local time zone of the host
 * shifts a due date by a day. "Today" is taken in an explicit IANA time zone (the company's), because a
 * customer at 9 pm in New York and the server in UTC disagree on what "tomorrow" means.
 */

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

export function isIsoDate(text: string): boolean {
  const match = ISO_DATE.exec(text);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return toIsoDate(date) === text;
}

/** A valid ISO date for these parts, or null (February 30 is null). */
export function isoDateOf(year: number, month: number, day: number): string | null {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return null;
  if (year < 1900 || year > 2200 || month < 1 || month > 12 || day < 1 || day > 31) return null;
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 ? toIsoDate(date) : null;
}

function toIsoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function parseIso(iso: string): Date {
  const match = ISO_DATE.exec(iso);
  if (!match) throw new RangeError(`not an ISO date: ${iso}`);
  return new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar date of `now` in `timeZone` (default UTC). */
export function calendarDateIn(now: Date, timeZone = "UTC"): string {
  if (timeZone === "UTC") return now.toISOString().slice(0, 10);
  let format = zoneFormats.get(timeZone);
  if (!format) {
    // Building an Intl formatter is far slower than using one: keep one per zone.
    format = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
    zoneFormats.set(timeZone, format);
  }
  const parts = format.formatToParts(now);
  const part = (type: string) => parts.find((entry) => entry.type === type)?.value ?? "";
  return `${part("year")}-${part("month")}-${part("day")}`;
}

export function addDays(iso: string, days: number): string {
  return toIsoDate(new Date(parseIso(iso).getTime() + days * DAY_MS));
}

export function daysBetween(fromIso: string, toIso: string): number {
  return Math.round((parseIso(toIso).getTime() - parseIso(fromIso).getTime()) / DAY_MS);
}

/** `YYYY-MM` of `iso` moved by `months`. */
export function addMonthsToYearMonth(iso: string, months: number): string {
  const date = parseIso(iso);
  const moved = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1));
  return toIsoDate(moved).slice(0, 7);
}

/** 0 = Sunday ... 6 = Saturday. */
export function weekdayOf(iso: string): number {
  return parseIso(iso).getUTCDay();
}
