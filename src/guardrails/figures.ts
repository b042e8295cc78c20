/**
 * Money amounts, money-like percentages and calendar dates, found in free text and reduced to comparable
 * keys, so that "$37.50", "37.5 dollars" and "USD 37.50" are the same figure, and "Dec 4, 2026",
 * "12/04/2026", "2026-12-04", "the 4th of December" and "tomorrow" (on December 3) are the same date.
 *
 * Keys: money `USD:3750`; percentage `pct:1999`; dates `2026-12-04` (full), `--12-04` (no year),
 * `2026-12` (month and year), `day:4` (day of month only). A date in a reply may have several candidate
 * keys ("next Friday"); it is grounded when any of them is.
 *
 * Dates are found first and blanked out, so their digits are never read as amounts. Every pattern is
 * linear (no nested quantifiers over the same characters): 100 KB of hostile text stays cheap.
 */
import { addDays, calendarDateIn, isoDateOf, weekdayOf } from "../domain/calendar-date.js";
import { canonicalText } from "./text.js";

export interface Figure {
  kind: "money" | "percent" | "date";
  /** The text as written. */
  text: string;
  /** Candidate keys; empty means "a date that cannot exist" (February 30, a wrong weekday). */
  keys: string[];
  /** Where it starts in the (canonical) text. */
  index: number;
}

export interface FigureContext {
  now: Date;
  /** The zone that says what "today" is (default UTC). */
  timeZone?: string;
}

const MONTHS: Record<string, number> = {
  january: 1, jan: 1, february: 2, feb: 2, march: 3, mar: 3, april: 4, apr: 4, may: 5, june: 6, jun: 6,
  july: 7, jul: 7, august: 8, aug: 8, september: 9, sept: 9, sep: 9, october: 10, oct: 10, november: 11, nov: 11,
  december: 12, dec: 12,
  // Spanish and French, for replies written in the customer's language.
  enero: 1, febrero: 2, marzo: 3, abril: 4, mayo: 5, junio: 6, julio: 7, agosto: 8, septiembre: 9, setiembre: 9,
  octubre: 10, noviembre: 11, diciembre: 12, janvier: 1, février: 2, fevrier: 2, mars: 3, avril: 4, mai: 5, juin: 6,
  juillet: 7, août: 8, aout: 8, octobre: 10, novembre: 11, décembre: 12,
};
const WEEKDAYS: Record<string, number> = {
  sunday: 0, sun: 0, monday: 1, mon: 1, tuesday: 2, tue: 2, tues: 2, wednesday: 3, wed: 3,
  thursday: 4, thu: 4, thur: 4, thurs: 4, friday: 5, fri: 5, saturday: 6, sat: 6,
};
const SMALL_NUMBERS: Record<string, number> = {
  zero: 0, one: 1, a: 1, an: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18,
  nineteen: 19, twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90,
};
const ORDINALS: Record<string, number> = {
  first: 1, second: 2, third: 3, fourth: 4, fifth: 5, sixth: 6, seventh: 7, eighth: 8, ninth: 9, tenth: 10,
  eleventh: 11, twelfth: 12, thirteenth: 13, fourteenth: 14, fifteenth: 15, sixteenth: 16, seventeenth: 17,
  eighteenth: 18, nineteenth: 19, twentieth: 20, "twenty-first": 21, "twenty-second": 22, "twenty-third": 23,
  "twenty-fourth": 24, "twenty-fifth": 25, "twenty-sixth": 26, "twenty-seventh": 27, "twenty-eighth": 28,
  "twenty-ninth": 29, thirtieth: 30, "thirty-first": 31,
};

/** Longest names first, so "march" is not read as "mar" + "ch". */
const MONTH = `(${Object.keys(MONTHS).sort((a, b) => b.length - a.length).join("|")})\\.?`;
const WEEKDAY = "(sunday|monday|tuesday|wednesday|thursday|friday|saturday|sun|mon|tues|tue|wed|thurs|thur|thu|fri|sat)";
const DAY = "(\\d{1,2})(?:st|nd|rd|th)?";
const YEAR = "(?:,?\\s+(?:de\\s+)?(\\d{4}))?";
const ORDINAL = `(${Object.keys(ORDINALS).join("|")})`;

const CURRENCY_PREFIX: Record<string, string> = { $: "USD", us$: "USD", usd: "USD", "€": "EUR", eur: "EUR", "£": "GBP", gbp: "GBP", cad: "CAD", "c$": "CAD", aud: "AUD", "a$": "AUD" };
const CURRENCY_SUFFIX: Record<string, string> = { dollar: "USD", dollars: "USD", bucks: "USD", buck: "USD", usd: "USD", euro: "EUR", euros: "EUR", eur: "EUR", pound: "GBP", pounds: "GBP", gbp: "GBP", cad: "CAD", aud: "AUD" };

const AMOUNT = "(\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.(\\d{1,2}))?";
const MONEY_LIKE_PERCENT = /\b(apr|interest|rate|annual|finance|fee|fees|charge|charged|cap|capped|apy)\b/;

function minorUnits(whole: string, fraction: string | undefined): number {
  const units = Number(whole.replace(/,/g, ""));
  const cents = fraction === undefined ? 0 : Number(fraction.padEnd(2, "0"));
  return units * 100 + cents;
}

function expandDateKeys(iso: string): string[] {
  return [iso, `--${iso.slice(5)}`, iso.slice(0, 7), `day:${Number(iso.slice(8))}`];
}

/** Walks text, handing each match to a reader and blanking it so later patterns do not read it again. */
class Scanner {
  scan: string;
  readonly figures: Figure[] = [];

  constructor(text: string) {
    this.scan = text;
  }

  consume(pattern: RegExp, read: (match: RegExpExecArray) => Omit<Figure, "index"> | null | undefined): void {
    const global = new RegExp(pattern.source, pattern.flags.includes("g") ? pattern.flags : `${pattern.flags}g`);
    let blanked = "";
    let last = 0;
    for (const match of this.scan.matchAll(global)) {
      const figure = read(match);
      if (!figure) continue;
      this.figures.push({ ...figure, index: match.index });
      const start = match.index;
      blanked += this.scan.slice(last, start) + " ".repeat(match[0].length);
      last = start + match[0].length;
    }
    this.scan = blanked + this.scan.slice(last);
  }
}

function dateFigure(text: string, keys: string[]): Omit<Figure, "index"> {
  return { kind: "date", text: text.trim(), keys };
}

function fullOrPartial(text: string, month: number, day: number, year: string | undefined, weekday?: string): Omit<Figure, "index"> | null {
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  if (year === undefined) {
    return isoDateOf(2024, month, day) ? dateFigure(text, [`--${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`]) : dateFigure(text, []);
  }
  const iso = isoDateOf(Number(year.length === 2 ? `20${year}` : year), month, day);
  if (!iso) return dateFigure(text, []);
  if (weekday !== undefined && WEEKDAYS[weekday] !== weekdayOf(iso)) return dateFigure(text, []);
  return dateFigure(text, [iso]);
}

/** Words that make "today", "tomorrow" or "on Friday" a claim about a payment or delivery date. */
const SCHEDULE_WORDS = /\b(due|pay|paid|paying|payment|payments|installment|installments|charge|charged|debit|debited|collect|collected|fee|fees|refund|refunded|deliver|delivered|delivery|ship|shipped|shipping|arrive|arrives|arriving|expire|expires|expired|process|processed|late|owe|balance|autopay|scheduled|moved|move)\b/i;

/** The sentence around a match (at most 120 characters each side). */
function sentenceAround(scan: string, index: number, length: number): string {
  const before = scan.slice(Math.max(0, index - 120), index);
  const after = scan.slice(index + length, index + length + 120);
  const start = Math.max(before.lastIndexOf(". "), before.lastIndexOf("? "), before.lastIndexOf("! "), before.lastIndexOf("\n"));
  const endMatch = /[.?!](?:\s|$)|\n/.exec(after);
  return `${start >= 0 ? before.slice(start + 1) : before}${scan.slice(index, index + length)}${endMatch ? after.slice(0, endMatch.index) : after}`;
}

function inScheduleContext(scan: string, index: number, length: number): boolean {
  return SCHEDULE_WORDS.test(sentenceAround(scan, index, length));
}

function readDates(scanner: Scanner, today: string, relative: boolean): void {
  // ISO date, possibly with a time.
  scanner.consume(/\b(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b/g, (m) =>
    fullOrPartial(m[0], Number(m[2]), Number(m[3]), m[1]),
  );
  // "Friday, December 4, 2026", "Dec 4th", "December 4 2026".
  scanner.consume(new RegExp(`\\b(?:${WEEKDAY}\\.?,?\\s+)?${MONTH}\\s+${DAY}\\b${YEAR}`, "gi"), (m) =>
    fullOrPartial(m[0], MONTHS[m[2]!.toLowerCase()] ?? 0, Number(m[3]), m[4], m[1]?.toLowerCase()),
  );
  // "4th of December", "4 December 2026", "Friday the 4th of December".
  // "3 may be late" is no date: a bare "may" after a number needs "of" or a year.
  scanner.consume(new RegExp(`\\b(?:${WEEKDAY}\\.?,?\\s+)?(?:the\\s+)?${DAY}\\s+(of\\s+|de\\s+)?${MONTH}(?![a-z])${YEAR}`, "gi"), (m) =>
    m[4]!.toLowerCase() === "may" && m[3] === undefined && m[5] === undefined
      ? null
      : fullOrPartial(m[0], MONTHS[m[4]!.toLowerCase()] ?? 0, Number(m[2]), m[5], m[1]?.toLowerCase()),
  );
  // "the fourth of December", "December fourth".
  scanner.consume(new RegExp(`\\b(?:the\\s+)?${ORDINAL}\\s+of\\s+${MONTH}(?![a-z])${YEAR}`, "gi"), (m) =>
    fullOrPartial(m[0], MONTHS[m[2]!.toLowerCase()] ?? 0, ORDINALS[m[1]!.toLowerCase()] ?? 0, m[3]),
  );
  scanner.consume(new RegExp(`\\b${MONTH}\\s+(?:the\\s+)?${ORDINAL}\\b${YEAR}`, "gi"), (m) =>
    fullOrPartial(m[0], MONTHS[m[1]!.toLowerCase()] ?? 0, ORDINALS[m[2]!.toLowerCase()] ?? 0, m[3]),
  );
  // US numeric: 12/04/2026, 12-04-2026, 12/4/26; European dotted: 4.12.2026.
  scanner.consume(/\b(\d{1,2})[/-](\d{1,2})[/-](\d{4}|\d{2})\b/g, (m) => fullOrPartial(m[0], Number(m[1]), Number(m[2]), m[3]));
  scanner.consume(/\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b/g, (m) => fullOrPartial(m[0], Number(m[2]), Number(m[1]), m[3]));
  // Yearless numeric only after a word that makes it a date ("due 12/4"), so "1/2 of the price" is not one.
  scanner.consume(/\b(?:on|by|due|until|till|before|after|from)\s+(\d{1,2})\/(\d{1,2})\b(?!\/)/gi, (m) => fullOrPartial(m[0], Number(m[1]), Number(m[2]), undefined));
  // Month and year: "December 2026", "2026-12".
  scanner.consume(new RegExp(`\\b${MONTH}\\s+(\\d{4})\\b`, "gi"), (m) => {
    const month = MONTHS[m[1]!.toLowerCase()] ?? 0;
    return dateFigure(m[0], [`${m[2]}-${String(month).padStart(2, "0")}`]);
  });
  scanner.consume(/\b(\d{4})-(0[1-9]|1[0-2])\b/g, (m) => dateFigure(m[0], [`${m[1]}-${m[2]}`]));
  if (relative) readRelativeDates(scanner, today);
  // Day of month alone: "on the 15th".
  scanner.consume(/\b(?:on|by|until|before|after)\s+the\s+(\d{1,2})(?:st|nd|rd|th)\b/gi, (m) => {
    const day = Number(m[1]);
    return day >= 1 && day <= 31 ? dateFigure(m[0], [`day:${day}`]) : null;
  });
}

/**
 * "tomorrow", "in 3 days", "next Friday": resolved against today. Only read in replies (a passage saying
 * "today" states no date), and only near a payment or delivery word, so "anything else today?" is not a date.
 */
function readRelativeDates(scanner: Scanner, today: string): void {
  const scheduled = (m: RegExpExecArray, keys: string[]): Omit<Figure, "index"> | null =>
    inScheduleContext(scanner.scan, m.index, m[0].length) ? dateFigure(m[0], keys) : null;
  scanner.consume(/\b(?:the\s+)?day\s+after\s+tomorrow\b/gi, (m) => scheduled(m, [addDays(today, 2)]));
  scanner.consume(/\b(today|tonight|tomorrow|yesterday)\b/gi, (m) => {
    const word = m[1]!.toLowerCase();
    const offset = word === "tomorrow" ? 1 : word === "yesterday" ? -1 : 0;
    return scheduled(m, [addDays(today, offset)]);
  });
  scanner.consume(/\bin\s+(\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|a)\s+(days?|weeks?)\b/gi, (m) => {
    const count = /^\d+$/.test(m[1]!) ? Number(m[1]) : (SMALL_NUMBERS[m[1]!.toLowerCase()] ?? 0);
    const days = count * (m[2]!.toLowerCase().startsWith("week") ? 7 : 1);
    return scheduled(m, [addDays(today, days)]);
  });
  // Weekdays with a word that makes them a date: "this Friday", "next Monday", "due Tuesday", "last Friday".
  // Any nearby occurrence may be meant; "open Monday to Friday" is no date.
  scanner.consume(new RegExp(`\\b(this|next|last|coming|on|by|until|before|due)\\s+${WEEKDAY}\\b`, "gi"), (m) => {
    const target = WEEKDAYS[m[2]!.toLowerCase()] ?? 0;
    const qualifier = m[1]?.toLowerCase();
    const range = qualifier === "last" ? [-13, 0] : [qualifier === "next" ? 1 : 0, 13];
    const keys: string[] = [];
    for (let offset = range[0]!; offset <= range[1]!; offset += 1) {
      const day = addDays(today, offset);
      if (weekdayOf(day) === target) keys.push(day);
    }
    return scheduled(m, keys);
  });
}

function wordNumber(words: string[]): number | null {
  let total = 0;
  let current = 0;
  let seen = false;
  for (const word of words) {
    if (word === "and") continue;
    if (word === "hundred") {
      current = (current || 1) * 100;
    } else if (word === "thousand") {
      total += (current || 1) * 1000;
      current = 0;
    } else if (SMALL_NUMBERS[word] !== undefined) {
      current += SMALL_NUMBERS[word];
    } else {
      return null;
    }
    seen = true;
  }
  return seen ? total + current : null;
}

function readMoney(scanner: Scanner): void {
  const money = (text: string, currency: string, minor: number): Omit<Figure, "index"> => ({ kind: "money", text: text.trim(), keys: [`${currency}:${minor}`] });
  // "$1,234.56", "USD 30", "US$30", "€12", "$5k".
  scanner.consume(new RegExp(`(?<![\\w.])(us\\$|c\\$|a\\$|usd|eur|gbp|cad|aud|\\$|€|£)\\s?${AMOUNT}(?!\\d)(\\s?(?:k|thousand)\\b)?`, "gi"), (m) => {
    const currency = CURRENCY_PREFIX[m[1]!.toLowerCase()] ?? "USD";
    const minor = minorUnits(m[2]!, m[3]) * (m[4] ? 1000 : 1);
    return money(m[0], currency, minor);
  });
  // "12 dollars", "30 USD", "50 cents", "12.50 euros".
  scanner.consume(new RegExp(`(?<![\\w.,])${AMOUNT}\\s?(dollars?|bucks?|usd|euros?|eur|pounds?|gbp|cad|aud|cents?|¢)(?![a-z])`, "gi"), (m) => {
    const unit = m[3]!.toLowerCase();
    if (unit.startsWith("cent") || unit === "¢") return m[2] === undefined ? money(m[0], "USD", Number(m[1]!.replace(/,/g, ""))) : null;
    return money(m[0], CURRENCY_SUFFIX[unit] ?? "USD", minorUnits(m[1]!, m[2]));
  });
  // "twenty-five dollars", "a hundred bucks".
  const numberWord = "zero|one|an?|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand";
  const wordAmount = new RegExp(`\\b((?:${numberWord})[\\s-]+(?:(?:${numberWord}|and)[\\s-]+){0,7})(dollars?|bucks?|euros?|pounds?)\\b`, "gi");
  scanner.consume(wordAmount, (m) => {
    const words = m[1]!.toLowerCase().split(/[\s-]+/).filter(Boolean);
    // Drop leading words that are not part of the number ("and", "a" before a non-number).
    const value = wordNumber(words);
    if (value === null || (words.length === 1 && (words[0] === "a" || words[0] === "an"))) return null;
    return money(m[0], CURRENCY_SUFFIX[m[2]!.toLowerCase()] ?? "USD", value * 100);
  });
}

function readPercents(scanner: Scanner, moneyLikeOnly: boolean): void {
  scanner.consume(/(?<![\w.])(\d{1,3}(?:\.\d{1,3})?)\s?(%|percent\b|per\s+cent\b)/gi, (m) => {
    if (moneyLikeOnly) {
      if (!MONEY_LIKE_PERCENT.test(sentenceAround(scanner.scan, m.index, m[0].length).toLowerCase())) return null;
    }
    return { kind: "percent", text: m[0].trim(), keys: [`pct:${Math.round(Number(m[1]) * 100)}`] };
  });
}

function readBareDecimals(scanner: Scanner): void {
  // "37.50" with no currency written is still an amount in a support reply.
  scanner.consume(/(?<![\w.,/:-])(\d{1,3}(?:,\d{3})+|\d+)\.(\d{2})(?![\d.%]|\s?(?:percent|per\s+cent)\b)/g, (m) => ({
    kind: "money",
    text: m[0],
    keys: [`USD:${minorUnits(m[1]!, m[2])}`],
  }));
}

/**
 * Every figure in `text`. In a reply only money-like percentages count (APR, interest, fees); in facts
 * (`forFacts`) every percentage is indexed, so the reply side decides what needs grounding.
 */
export function extractFigures(text: string, context: FigureContext, options: { forFacts?: boolean } = {}): Figure[] {
  const today = calendarDateIn(context.now, context.timeZone ?? "UTC");
  const scanner = new Scanner(canonicalText(text));
  readDates(scanner, today, !options.forFacts);
  readMoney(scanner);
  readPercents(scanner, !options.forFacts);
  readBareDecimals(scanner);
  return scanner.figures.sort((a, b) => a.index - b.index);
}

/** Facts repeat across guards and turns (the same schedule line): their figures are remembered. */
const factFigures = new Map<string, Figure[]>();
const FACT_CACHE_LIMIT = 5_000;

function figuresOfFact(text: string, context: FigureContext): Figure[] {
  // Facts are read without relative words, so their figures do not depend on the day.
  let figures = factFigures.get(text);
  if (!figures) {
    figures = extractFigures(text, context, { forFacts: true });
    if (factFigures.size >= FACT_CACHE_LIMIT) factFigures.delete(factFigures.keys().next().value ?? "");
    factFigures.set(text, figures);
  }
  return figures;
}

/** The keys a set of texts grounds: full dates also ground their yearless, month and day-of-month forms. */
export function groundingKeys(texts: readonly string[], context: FigureContext): Set<string> {
  const keys = new Set<string>();
  for (const text of texts) {
    for (const figure of figuresOfFact(text, context)) {
      for (const key of figure.keys) {
        if (/^\d{4}-\d{2}-\d{2}$/.test(key)) for (const expanded of expandDateKeys(key)) keys.add(expanded);
        else if (/^--\d{2}-\d{2}$/.test(key)) {
          keys.add(key);
          keys.add(`day:${Number(key.slice(5))}`);
        } else keys.add(key);
      }
    }
  }
  return keys;
}
