import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CsvParser, parseCsv } from "../../../src/kb/csv.js";
import { streamTickets, type RowProblem, type Ticket } from "../../../src/kb/tickets.js";

async function readAll(name: string, content: string): Promise<{ tickets: Ticket[]; problems: RowProblem[] }> {
  const dir = await mkdtemp(join(tmpdir(), "tickets-"));
  const path = join(dir, name);
  await writeFile(path, content);
  const tickets: Ticket[] = [];
  const problems: RowProblem[] = [];
  await streamTickets(path, { onTicket: (ticket) => tickets.push(ticket), onProblem: (problem) => problems.push(problem) });
  return { tickets, problems };
}

describe("CSV parser", () => {
  it("handles quotes, doubled quotes, commas and line breaks inside fields, CRLF and a BOM", () => {
    const records = parseCsv('\uFEFFa,b\r\n"x, ""quoted""","multi\r\nline"\r\nlast,row');
    expect(records.map((record) => record.fields)).toEqual([["a", "b"], ['x, "quoted"', "multi\nline"], ["last", "row"]]);
    expect(records.map((record) => record.line)).toEqual([1, 2, 4]);
  });

  it("gives the same records whatever the chunking", () => {
    const text = 'id,text\n1,"he said ""hi"",\nthen left"\n2,plain\n';
    const whole = parseCsv(text).map((record) => record.fields);
    const parser = new CsvParser();
    const pieces = [...text].flatMap((char) => parser.push(char));
    pieces.push(...parser.end());
    expect(pieces.map((record) => record.fields)).toEqual(whole);
  });

  it("flags a quote that is never closed", () => {
    const records = parseCsv('a,b\n"open,never closed\n');
    expect(records[1]?.unterminated).toBe(true);
  });
});

describe("ticket files", () => {
  it("reads JSONL, reports bad rows with their line numbers and keeps going", async () => {
    const content = [
      JSON.stringify({ id: 1, customer_message: "where is my order", escalated: "no", csat: "5", category: "orders" }),
      "{not json",
      JSON.stringify({ customer_message: "   " }),
      "",
      JSON.stringify({ customer_message: "refund please", csat: 9 }),
      JSON.stringify({ customer_message: "late fee?", agent_response: "It is $7.", escalated: true, resolution_minutes: 12 }),
    ].join("\n");
    const { tickets, problems } = await readAll("t.jsonl", content);
    expect(tickets.map((ticket) => ticket.message)).toEqual(["where is my order", "refund please", "late fee?"]);
    expect(tickets[0]).toMatchObject({ id: "1", escalated: false, csat: 5, category: "orders", line: 1 });
    expect(tickets[1]).toMatchObject({ line: 5, droppedFields: [expect.stringContaining("csat must be a number from 1 to 5")] });
    expect(tickets[1]?.csat).toBeUndefined();
    expect(tickets[2]).toMatchObject({ escalated: true, resolutionMinutes: 12, response: "It is $7.", line: 6 });
    expect(tickets[2]?.droppedFields).toBeUndefined();
    expect(problems.map((problem) => problem.line)).toEqual([2, 3]);
  });

  it("keeps a ticket whose optional fields are bad, dropping only those fields", async () => {
    const content = [
      JSON.stringify({ id: "T-1", customer_message: "when is my payment due", created_at: "last tuesday", channel: "carrier pigeon", category: "schedule" }),
      JSON.stringify({ id: "T-2", customer_message: "refund?", created_at: "2026-01-05T09:00:00Z", resolved_at: "2026-01-05T10:00:00Z", channel: "Live Chat" }),
      JSON.stringify({ id: "T-3", customer_message: "hi", escalated: "perhaps", resolution_minutes: -4 }),
    ].join("\n");
    const { tickets, problems } = await readAll("t.jsonl", content);
    expect(problems).toEqual([]);
    expect(tickets[0]).toMatchObject({ id: "T-1", category: "schedule", line: 1 });
    expect(tickets[0]?.createdAt).toBeUndefined();
    expect(tickets[0]?.channel).toBeUndefined();
    expect(tickets[0]?.droppedFields).toEqual(["channel is not a known channel", "created_at is not a date and time"]);
    expect(tickets[1]).toMatchObject({ channel: "Live Chat", createdAt: "2026-01-05T09:00:00Z", resolvedAt: "2026-01-05T10:00:00Z" });
    expect(tickets[1]?.droppedFields).toBeUndefined();
    expect(tickets[2]?.droppedFields?.map((field) => field.split(" ")[0])).toEqual(["escalated", "resolution_minutes"]);
  });

  it("still rejects a row whose required field is bad, with its line number", async () => {
    const content = [JSON.stringify({ customer_message: "ok" }), JSON.stringify({ channel: "sms", created_at: "2026-01-05" }), JSON.stringify({ customer_message: { text: "x" } })].join("\n");
    const { tickets, problems } = await readAll("t.jsonl", content);
    expect(tickets.map((ticket) => ticket.line)).toEqual([1]);
    expect(problems.map((problem) => problem.line)).toEqual([2, 3]);
    expect(problems.every((problem) => problem.problem.startsWith("customer_message"))).toBe(true);
  });

  it("reads CSV with the same columns, in any order, and reports rows of the wrong width", async () => {
    const content = 'category,customer_message,escalated\nbilling,"I was charged, twice",true\nshort_row\n,"multi\nline question",\n';
    const { tickets, problems } = await readAll("t.csv", content);
    expect(tickets).toHaveLength(2);
    expect(tickets[0]).toMatchObject({ category: "billing", message: "I was charged, twice", escalated: true, line: 2 });
    expect(tickets[1]).toMatchObject({ message: "multi\nline question", line: 4 });
    expect(tickets[1]?.category).toBeUndefined();
    expect(problems).toEqual([{ line: 3, problem: "has 1 fields where the header has 3" }]);
  });

  it("refuses a CSV without a customer_message column", async () => {
    await expect(readAll("t.csv", "text,label\nhello,x\n")).rejects.toThrow(/customer_message/);
  });

  it("refuses a file whose format it cannot tell", async () => {
    await expect(readAll("t.txt", "hello")).rejects.toThrow(/\.jsonl or \.csv/);
  });
});
