/**
 * When people are around, and what a customer hears on handoff. Inside business hours: a person will
 * reply soon (the expected wait, per priority if configured). Outside: when the team is back, in the
 * team's timezone, and that the assistant can keep helping meanwhile. The core asks through
 * `HumanAvailability`; the SLA timers ask when the clock starts.
 */
import { z } from "zod";
import type { Priority } from "../src/domain/model.js";
import type { HumanAvailability } from "../src/ports/desk.js";
import { addDays, isValidTimeZone, localParts, shortZoneName, weekdayOf, zonedInstant } from "./zoned-time.js";

const DAY_KEYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
const DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const SPANISH_DAY_NAMES = ["domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"];
const SPANISH_MONTH_NAMES = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"];

const INTERVAL = /^([01]?\d|2[0-3]):([0-5]\d)\s*-\s*([01]?\d|2[0-4]):([0-5]\d)$/;

interface Interval {
  start: number;
  end: number;
}

const IntervalText = z
  .string()
  .trim()
  .refine((text) => {
    const match = INTERVAL.exec(text);
    if (!match) return false;
    const start = Number(match[1]) * 60 + Number(match[2]);
    const end = Number(match[3]) * 60 + Number(match[4]);
    return start < end && end <= 24 * 60;
  }, 'must be a range like "09:00-17:30" within one day (start before end)');

const DayHours = z.union([z.literal("closed"), IntervalText, z.array(IntervalText).max(6)]);

export const BusinessHoursSchema = z.object({
  /** IANA zone of the team, e.g. America/New_York. */
  timezone: z.string().refine(isValidTimeZone, "must be an IANA timezone such as America/New_York or Europe/Paris"),
  /** What customers read after the time ("ET"); defaults to the zone's short name ("EST"). */
  label: z.string().trim().min(1).max(20).optional(),
  /** Per weekday: "09:00-17:00", several ranges, or "closed". A day left out is closed. */
  weekly: z.object(Object.fromEntries(DAY_KEYS.map((key) => [key, DayHours.optional()])) as Record<(typeof DAY_KEYS)[number], z.ZodOptional<typeof DayHours>>).strict(),
  /** Local dates the team is off (YYYY-MM-DD). */
  holidays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date like 2025-12-25")).default([]),
});
export type BusinessHoursConfig = z.infer<typeof BusinessHoursSchema>;

export const AvailabilitySchema = z.object({
  /** Absent: the team answers around the clock. */
  businessHours: BusinessHoursSchema.optional(),
  /** The wait customers are told inside business hours. */
  replyWithinMinutes: z.number().int().min(1).max(24 * 60).default(15),
  replyWithinMinutesByPriority: z.partialRecord(z.enum(["low", "normal", "high", "urgent"]), z.number().int().min(1).max(24 * 60)).default({}),
});
export type AvailabilityConfig = z.infer<typeof AvailabilitySchema>;
export type AvailabilityInput = z.input<typeof AvailabilitySchema>;

/** How far ahead we look for the next opening (long holidays included). */
const LOOKAHEAD_DAYS = 21;

function parseIntervals(hours: z.infer<typeof DayHours> | undefined): Interval[] {
  if (hours === undefined || hours === "closed") return [];
  const texts = Array.isArray(hours) ? hours : [hours];
  return texts
    .map((text) => {
      const match = INTERVAL.exec(text.trim())!;
      return { start: Number(match[1]) * 60 + Number(match[2]), end: Number(match[3]) * 60 + Number(match[4]) };
    })
    .sort((a, b) => a.start - b.start);
}

function clockText(minuteOfDay: number): string {
  return `${Math.floor(minuteOfDay / 60)}:${String(minuteOfDay % 60).padStart(2, "0")}`;
}

/** "hoy", "mañana", "el lunes", "el lunes 5 de enero". */
function spanishDay(date: string, weekday: number, today: string): string {
  if (date === today) return "hoy";
  if (date === addDays(today, 1)) return "mañana";
  if (date <= addDays(today, 6)) return `el ${SPANISH_DAY_NAMES[weekday]}`;
  const [, month, dayOfMonth] = date.split("-").map(Number) as [number, number, number];
  return `el ${SPANISH_DAY_NAMES[weekday]} ${dayOfMonth} de ${SPANISH_MONTH_NAMES[month - 1]}`;
}

export class BusinessHours implements HumanAvailability {
  private readonly config: AvailabilityConfig;
  private readonly week: Interval[][];
  private readonly holidays: ReadonlySet<string>;

  constructor(input: AvailabilityInput = {}) {
    this.config = AvailabilitySchema.parse(input);
    const hours = this.config.businessHours;
    this.week = DAY_KEYS.map((key) => parseIntervals(hours?.weekly[key]));
    this.holidays = new Set(hours?.holidays ?? []);
  }

  /** Always open when no business hours are configured. */
  isOpen(now: Date): boolean {
    const hours = this.config.businessHours;
    if (!hours) return true;
    const local = localParts(now, hours.timezone);
    if (this.holidays.has(local.date)) return false;
    return (this.week[local.weekday] ?? []).some((interval) => local.minuteOfDay >= interval.start && local.minuteOfDay < interval.end);
  }

  /** When the team is next in (now when open); undefined when no opening is configured in the next weeks. */
  nextOpening(now: Date): Date | undefined {
    const hours = this.config.businessHours;
    if (!hours || this.isOpen(now)) return now;
    const today = localParts(now, hours.timezone).date;
    for (let offset = 0; offset <= LOOKAHEAD_DAYS; offset += 1) {
      const date = addDays(today, offset);
      if (this.holidays.has(date)) continue;
      for (const interval of this.week[weekdayOf(date)] ?? []) {
        const opening = zonedInstant(date, interval.start, hours.timezone);
        if (opening.getTime() > now.getTime()) return opening;
      }
    }
    return undefined;
  }

  /** Where an SLA clock starts: now when open, else the next opening (nobody is there to claim before). */
  slaClockStart(at: Date): Date {
    return this.nextOpening(at) ?? at;
  }

  expectedReplyMinutes(priority: Priority): number {
    return this.config.replyWithinMinutesByPriority[priority] ?? this.config.replyWithinMinutes;
  }

  /** When a person will answer; the core puts what is happening (and why) before it. */
  handoffNotice(input: { priority: Priority; now: Date; language?: string }): string {
    if (input.language === "es") return this.spanishHandoffNotice(input.priority, input.now);
    if (this.isOpen(input.now)) {
      const minutes = this.expectedReplyMinutes(input.priority);
      return `A person will reply here, usually within ${minutes} minute${minutes === 1 ? "" : "s"}.`;
    }
    const back = this.whenBack(input.now);
    const when = back ? `Our team is back ${back}; a person will reply here then.` : "Our team is away right now; a person will reply here as soon as they are back.";
    return `${when} Until then, I can keep helping with questions I'm allowed to answer.`;
  }

  private spanishHandoffNotice(priority: Priority, now: Date): string {
    if (this.isOpen(now)) {
      const minutes = this.expectedReplyMinutes(priority);
      return `Una persona le responderá aquí, normalmente en menos de ${minutes} minuto${minutes === 1 ? "" : "s"}.`;
    }
    const back = this.whenBack(now, "es");
    const when = back ? `Nuestro equipo vuelve ${back}; entonces una persona le responderá aquí.` : "Nuestro equipo no está disponible ahora; una persona le responderá aquí en cuanto vuelva.";
    return `${when} Mientras tanto, puedo seguir ayudándole con las preguntas que puedo responder.`;
  }

  /** Outside business hours nobody will claim soon: the AI keeps answering what it may meanwhile. */
  aiAssistsWhileWaiting(now: Date): boolean {
    return !this.isOpen(now);
  }

  /** "at 9:00 on Monday (ET)", "at 9:00 tomorrow (ET)", "at 9:00 on Monday 5 January (ET)". */
  whenBack(now: Date, language?: string): string | undefined {
    const hours = this.config.businessHours;
    const opening = this.nextOpening(now);
    if (!hours || !opening) return undefined;
    const today = localParts(now, hours.timezone).date;
    const local = localParts(opening, hours.timezone);
    const label = hours.label ?? shortZoneName(opening, hours.timezone);
    const time = clockText(local.minuteOfDay);
    if (language === "es") return `a las ${time} ${spanishDay(local.date, local.weekday, today)} (${label})`;
    let day: string;
    if (local.date === today) day = "today";
    else if (local.date === addDays(today, 1)) day = "tomorrow";
    else if (local.date <= addDays(today, 6)) day = `on ${DAY_NAMES[local.weekday]}`;
    else {
      const [, month, dayOfMonth] = local.date.split("-").map(Number) as [number, number, number];
      day = `on ${DAY_NAMES[local.weekday]} ${dayOfMonth} ${MONTH_NAMES[month - 1]}`;
    }
    return `at ${time} ${day} (${label})`;
  }
}
