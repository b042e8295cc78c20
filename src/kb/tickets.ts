/**
 * Resolved tickets, the knowledge base's main source (DESIGN.md: resolved tickets). JSONL or CSV with
 * the same column names; only `customer_message` is required. Files are streamed: a row whose required
 * field does not validate is reported with its line number and skipped, and reading goes on. A bad
 * optional field (a `created_at` that is not a date, an unknown `channel`, a `csat` of 9) does not cost
 * the ticket: the field is dropped and the ticket carries a warning, which the build and audit count.
 */
import { createReadStream } from "node:fs";
import { z } from "zod";
import { ValidationError } from "../errors.js";
import { CsvParser, type CsvRecord } from "./csv.js";

const MAX_MESSAGE_CHARS = 20_000;

const optionalText = z
  .union([z.string(), z.number()])
  .optional()
  .nullable()
  .transform((value) => {
    if (value === undefined || value === null) return undefined;
    const text = String(value).trim();
    return text === "" ? undefined : text;
  });

const optionalNumber = (min: number, max: number) =>
  z
    .union([z.number(), z.string()])
    .optional()
    .nullable()
    .transform((value, ctx) => {
      if (value === undefined || value === null || (typeof value === "string" && value.trim() === "")) return undefined;
      const number = typeof value === "number" ? value : Number(value.trim());
      if (!Number.isFinite(number) || number < min || number > max) {
        ctx.addIssue({ code: "custom", message: `must be a number from ${min} to ${max} (got "${String(value)}")` });
        return z.NEVER;
      }
      return number;
    });

const TRUE_WORDS = new Set(["true", "yes", "y", "1", "t"]);
const FALSE_WORDS = new Set(["false", "no", "n", "0", "f"]);

const optionalBoolean = z
  .union([z.boolean(), z.string(), z.number()])
  .optional()
  .nullable()
  .transform((value, ctx) => {
    if (value === undefined || value === null) return undefined;
    if (typeof value === "boolean") return value;
    const word = String(value).trim().toLowerCase();
    if (word === "") return undefined;
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
    ctx.addIssue({ code: "custom", message: `must be true or false (got "${String(value)}")` });
    return z.NEVER;
  });

const optionalTime = optionalText.refine((text) => text === undefined || !Number.isNaN(Date.parse(text)), { message: "is not a date and time" });

/** Channel names seen in support exports (lower case, spaces and dashes as underscores). */
const KNOWN_CHANNELS = new Set(
  ("sms text whatsapp twilio_sms twilio_whatsapp whatsapp_web webchat web_chat web chat live_chat livechat email e_mail mail phone voice call " +
    "teams botframework bot_framework messenger facebook instagram twitter x social app in_app mobile form web_form portal help_center").split(" "),
);
const optionalChannel = optionalText.refine((text) => text === undefined || KNOWN_CHANNELS.has(text.toLowerCase().replace(/[\s-]+/g, "_")), {
  message: "is not a known channel",
});

/** The one field a ticket cannot do without. */
const RequiredFields = z.object({
  customer_message: z
    .union([z.string(), z.number()])
    .transform((value) => String(value).trim().slice(0, MAX_MESSAGE_CHARS))
    .refine((text) => text.length > 0, { message: "is empty" }),
});

/** Fields a ticket is still usable without: each one that does not validate is dropped on its own. */
const OPTIONAL_FIELDS = {
  id: optionalText,
  agent_response: optionalText,
  category: optionalText,
  escalated: optionalBoolean,
  resolution_minutes: optionalNumber(0, 10_000_000),
  csat: optionalNumber(1, 5),
  channel: optionalChannel,
  created_at: optionalTime,
  resolved_at: optionalTime,
} as const;

export const TicketRow = RequiredFields.extend(OPTIONAL_FIELDS);
type OptionalValues = { [K in keyof typeof OPTIONAL_FIELDS]?: z.output<(typeof OPTIONAL_FIELDS)[K]> };

export interface Ticket {
  /** 1-based line in the source file (CSV: where the record starts). */
  line: number;
  id?: string;
  message: string;
  response?: string;
  category?: string;
  escalated?: boolean;
  resolutionMinutes?: number;
  csat?: number;
  channel?: string;
  /** As written in the file (the audit parses them; the kb build does not need them). */
  createdAt?: string;
  resolvedAt?: string;
  /** Optional fields dropped because they did not validate, each with why ("channel is not a known channel"). */
  droppedFields?: string[];
}

export interface RowProblem {
  line: number;
  problem: string;
}

export type TicketFormat = "jsonl" | "csv";

export function ticketFormatOf(path: string): TicketFormat {
  const lower = path.toLowerCase();
  if (lower.endsWith(".csv")) return "csv";
  if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson") || lower.endsWith(".json")) return "jsonl";
  throw new ValidationError(`cannot tell the format of ${path}: name it .jsonl or .csv`);
}

/** Validates one row object; returns the ticket or a sentence saying what is wrong. */
export function ticketFromRow(row: unknown, line: number): Ticket | RowProblem {
  const required = RequiredFields.safeParse(row);
  if (!required.success) {
    const problem = required.error.issues
      .map((issue) => `${issue.path.join(".") || "row"} ${issue.message}`)
      .join("; ");
    return { line, problem };
  }
  const fields = row as Record<string, unknown>;
  const data: OptionalValues = {};
  const droppedFields: string[] = [];
  for (const [name, schema] of Object.entries(OPTIONAL_FIELDS) as Array<[keyof typeof OPTIONAL_FIELDS, z.ZodType]>) {
    const parsed = schema.safeParse(fields[name]);
    if (parsed.success) (data as Record<string, unknown>)[name] = parsed.data;
    else droppedFields.push(`${name} ${parsed.error.issues[0]?.message ?? "is not valid"}`);
  }
  return {
    line,
    message: required.data.customer_message,
    ...(droppedFields.length > 0 ? { droppedFields } : {}),
    ...(data.id !== undefined ? { id: data.id } : {}),
    ...(data.agent_response !== undefined ? { response: data.agent_response } : {}),
    ...(data.category !== undefined ? { category: data.category } : {}),
    ...(data.escalated !== undefined ? { escalated: data.escalated } : {}),
    ...(data.resolution_minutes !== undefined ? { resolutionMinutes: data.resolution_minutes } : {}),
    ...(data.csat !== undefined ? { csat: data.csat } : {}),
    ...(data.channel !== undefined ? { channel: data.channel } : {}),
    ...(data.created_at !== undefined ? { createdAt: data.created_at } : {}),
    ...(data.resolved_at !== undefined ? { resolvedAt: data.resolved_at } : {}),
  };
}

export function isRowProblem(value: Ticket | RowProblem): value is RowProblem {
  return "problem" in value;
}

/** Turns a stream of JSONL lines into tickets and problems. */
export class JsonlTicketReader {
  private rest = "";
  private line = 0;

  push(chunk: string): Array<Ticket | RowProblem> {
    const text = this.rest + chunk;
    const lines = text.split("\n");
    this.rest = lines.pop() ?? "";
    return lines.map((raw) => this.parseLine(raw)).filter((item): item is Ticket | RowProblem => item !== null);
  }

  end(): Array<Ticket | RowProblem> {
    const last = this.rest;
    this.rest = "";
    const item = this.parseLine(last);
    return item ? [item] : [];
  }

  private parseLine(raw: string): Ticket | RowProblem | null {
    this.line += 1;
    const text = (this.line === 1 ? raw.replace(/^\uFEFF/, "") : raw).trim();
    if (text === "") return null;
    let row: unknown;
    try {
      row = JSON.parse(text);
    } catch {
      return { line: this.line, problem: "is not valid JSON" };
    }
    if (typeof row !== "object" || row === null || Array.isArray(row)) {
      return { line: this.line, problem: "is not a JSON object" };
    }
    return ticketFromRow(row, this.line);
  }
}

/** Turns CSV records into tickets; the first record is the header naming the columns. */
export class CsvTicketReader {
  private readonly parser = new CsvParser();
  private header: string[] | undefined;

  push(chunk: string): Array<Ticket | RowProblem> {
    return this.records(this.parser.push(chunk));
  }

  end(): Array<Ticket | RowProblem> {
    return this.records(this.parser.end());
  }

  private records(records: CsvRecord[]): Array<Ticket | RowProblem> {
    const out: Array<Ticket | RowProblem> = [];
    for (const record of records) {
      if (!this.header) {
        this.header = record.fields.map((name) => name.trim().toLowerCase().replace(/\s+/g, "_"));
        if (!this.header.includes("customer_message")) {
          throw new ValidationError(
            `the CSV header (line ${record.line}) has no customer_message column; found: ${this.header.join(", ")}`,
          );
        }
        continue;
      }
      if (record.unterminated) {
        out.push({ line: record.line, problem: "has a quote that is never closed" });
        continue;
      }
      if (record.fields.length !== this.header.length) {
        out.push({
          line: record.line,
          problem: `has ${record.fields.length} fields where the header has ${this.header.length}`,
        });
        continue;
      }
      const row: Record<string, string> = {};
      this.header.forEach((name, index) => {
        row[name] = record.fields[index] ?? "";
      });
      out.push(ticketFromRow(row, record.line));
    }
    return out;
  }
}

export interface TicketStreamStats {
  bytesRead: number;
  totalBytes?: number;
}

/** What one chunk of the file turned into: its rows (valid or not), the raw bytes and how far reading got. */
export interface TicketBatch {
  items: Array<Ticket | RowProblem>;
  /** The raw bytes of this chunk (absent for the final flush). */
  chunk?: Buffer;
  bytesRead: number;
}

/**
 * Reads a ticket file chunk by chunk and yields each chunk's rows. The consumer may await between
 * batches (the audit runs every message through the brain), so reading keeps pace with processing.
 */
export async function* readTicketBatches(path: string): AsyncGenerator<TicketBatch> {
  const format = ticketFormatOf(path);
  const reader = format === "csv" ? new CsvTicketReader() : new JsonlTicketReader();
  const stream = createReadStream(path, { highWaterMark: 256 * 1024 });
  // A streaming decoder: a multi-byte character split across two chunks is decoded whole.
  const decoder = new TextDecoder("utf-8");
  let bytesRead = 0;
  for await (const chunk of stream) {
    const bytes = chunk as Buffer;
    bytesRead += bytes.byteLength;
    yield { items: reader.push(decoder.decode(bytes, { stream: true })), chunk: bytes, bytesRead };
  }
  yield { items: [...reader.push(decoder.decode()), ...reader.end()], bytesRead };
}

/**
 * Streams a ticket file: calls `onTicket` for every valid row and `onProblem` for every bad one, and
 * `onProgress` every few thousand rows. Memory stays bounded by what the callbacks keep.
 */
export async function streamTickets(
  path: string,
  handlers: {
    onTicket: (ticket: Ticket) => void;
    onProblem: (problem: RowProblem) => void;
    /** Every raw chunk, for hashing the source. */
    onChunk?: (chunk: Buffer) => void;
    onProgress?: (stats: TicketStreamStats) => void;
  },
): Promise<void> {
  for await (const batch of readTicketBatches(path)) {
    if (batch.chunk) handlers.onChunk?.(batch.chunk);
    for (const item of batch.items) {
      if (isRowProblem(item)) handlers.onProblem(item);
      else handlers.onTicket(item);
    }
    if (batch.chunk) handlers.onProgress?.({ bytesRead: batch.bytesRead });
  }
}
