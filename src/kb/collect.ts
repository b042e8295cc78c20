/**
 * The streaming half of a build: reads the ticket file once, counts everything, and keeps a bounded,
 * deterministic sample (a seeded reservoir per category, or one reservoir for unlabelled tickets) so a
 * 100,000-row file builds in bounded memory and time.
 */
import { createHash } from "node:crypto";
import { stat } from "node:fs/promises";
import { seededRandom } from "./softmax.js";
import { streamTickets, type RowProblem, type Ticket } from "./tickets.js";

export interface CategoryCounts {
  tickets: number;
  withFlag: number;
  escalated: number;
}

export interface CollectedTickets {
  rows: number;
  problems: RowProblem[];
  problemCount: number;
  /** Valid tickets that lost an optional field that did not validate. */
  ticketsWithDroppedFields: number;
  /** Labelled tickets kept, per category label. */
  byCategory: Map<string, Ticket[]>;
  /** Counts over every valid row of each label (the sample may hold fewer). */
  counts: Map<string, CategoryCounts>;
  unlabelled: Ticket[];
  unlabelledTotal: number;
  sha256: string;
  bytes: number;
}

export interface CollectOptions {
  maxPerCategory: number;
  maxUnlabelled: number;
  seed: number;
  onProgress?: (rows: number, bytesRead: number, totalBytes: number) => void;
}

const MAX_PROBLEMS_KEPT = 50;

class Reservoir {
  readonly items: Ticket[] = [];
  seen = 0;
  constructor(
    private readonly capacity: number,
    private readonly random: () => number,
  ) {}

  offer(ticket: Ticket): void {
    this.seen += 1;
    if (this.items.length < this.capacity) {
      this.items.push(ticket);
      return;
    }
    const slot = Math.floor(this.random() * this.seen);
    if (slot < this.capacity) this.items[slot] = ticket;
  }
}

export async function collectTickets(path: string, options: CollectOptions): Promise<CollectedTickets> {
  const random = seededRandom(options.seed);
  const reservoirs = new Map<string, Reservoir>();
  const counts = new Map<string, CategoryCounts>();
  const unlabelled = new Reservoir(options.maxUnlabelled, random);
  const problems: RowProblem[] = [];
  let problemCount = 0;
  let ticketsWithDroppedFields = 0;
  let rows = 0;
  const totalBytes = (await stat(path)).size;
  const hash = createHash("sha256");
  let lastReport = 0;

  await streamTickets(path, {
    onTicket: (ticket) => {
      rows += 1;
      if (ticket.droppedFields) ticketsWithDroppedFields += 1;
      const label = ticket.category;
      if (label === undefined) {
        unlabelled.offer(ticket);
        return;
      }
      let reservoir = reservoirs.get(label);
      if (!reservoir) {
        reservoir = new Reservoir(options.maxPerCategory, random);
        reservoirs.set(label, reservoir);
        counts.set(label, { tickets: 0, withFlag: 0, escalated: 0 });
      }
      reservoir.offer(ticket);
      const count = counts.get(label) as CategoryCounts;
      count.tickets += 1;
      if (ticket.escalated !== undefined) {
        count.withFlag += 1;
        if (ticket.escalated) count.escalated += 1;
      }
    },
    onProblem: (problem) => {
      rows += 1;
      problemCount += 1;
      if (problems.length < MAX_PROBLEMS_KEPT) problems.push(problem);
    },
    onChunk: (chunk) => hash.update(chunk),
    onProgress: ({ bytesRead }) => {
      if (rows - lastReport >= 2_000 || bytesRead >= totalBytes) {
        lastReport = rows;
        options.onProgress?.(rows, bytesRead, totalBytes);
      }
    },
  });

  // Reservoir order depends on replacement history; line order makes the sample read naturally.
  const byLine = (a: Ticket, b: Ticket) => a.line - b.line;
  return {
    rows,
    problems,
    problemCount,
    ticketsWithDroppedFields,
    byCategory: new Map([...reservoirs.entries()].map(([label, reservoir]) => [label, reservoir.items.sort(byLine)])),
    counts,
    unlabelled: unlabelled.items.sort(byLine),
    unlabelledTotal: unlabelled.seen,
    sha256: hash.digest("hex"),
    bytes: totalBytes,
  };
}
