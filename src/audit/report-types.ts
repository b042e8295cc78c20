/**
 * The ticket audit's figures: what `--json` writes and what the HTML page shows. Every text that came
 * from the ticket file (messages, ids, labels, channels, problems) is already masked here, so neither
 * output can leak a card number, a phone number or an e-mail address.
 */

/** What the brain would do with a ticket's first message. */
export type ProjectedRoute = "answered" | "clarifies" | "human";

export type CategoryVerdict = "people" | "caution" | "ai" | "limited";

export const VERDICT_LABEL: Record<CategoryVerdict, string> = {
  people: "Keep with people",
  caution: "Review before the AI takes it",
  ai: "AI-ready",
  limited: "The AI rarely answers",
};

export interface RouteCounts {
  answered: number;
  clarifies: number;
  human: number;
}

export interface TicketExample {
  /** The ticket's id, else `line N`. */
  ref: string;
  line: number;
  category: string;
  message: string;
  reasonCodes: string[];
  /** What the AI would have said (risk examples), masked and shortened. */
  aiReply?: string;
  csat?: number;
  resolutionMinutes?: number;
}

export interface CategoryFigures {
  id: string;
  name: string;
  tickets: number;
  share: number;
  /** Tickets that say whether a person handled them, and how many did. */
  withFlag: number;
  escalated: number;
  escalatedShare: number | null;
  csatMean: number | null;
  csatResponses: number;
  resolutionMedian: number | null;
  withResponse: number;
  /** The knowledge base has an answer template for it (false also when the kb does not know the category). */
  template: boolean;
  /** The knowledge base sends it to people (learned from escalations, or the admin's override). */
  kbMustHuman: boolean;
  routes: RouteCounts;
  containment: number;
  /** Escalated tickets the AI would answer. */
  risk: number;
  /** Tickets resolved without a person that the AI would send to people. */
  missed: number;
  verdict: CategoryVerdict;
  reasons: string[];
  samples: string[];
}

export interface ReasonFigures {
  code: string;
  label: string;
  /** Tickets the AI would send to people with this reason among theirs. */
  tickets: number;
  shareOfHuman: number | null;
  /** Of those with an escalation flag: the share people did handle (how often history agrees with the rule). */
  historyAgrees: number | null;
}

export interface PhraseFigures {
  phrase: string;
  /** `learned` from past tickets (the kb's signals) or named by the admin (`admin`). */
  source: "learned" | "admin";
  tickets: number;
  escalatedShare: number | null;
}

export interface AuditReport {
  generatedAt: string;
  source: { tickets: string; format: "jsonl" | "csv"; bytes: number };
  knowledgeBase: {
    /** The kb used, or null when the audit built one from the same tickets. */
    dir: string | null;
    inSample: boolean;
    labelled: boolean;
    categories: number;
    documents: number;
  };
  engine: "local";
  /** The one caveat a reader must not miss. */
  caveat: string;
  volume: {
    rows: number;
    usable: number;
    badRows: number;
    dateRange: { from: string; to: string; withDate: number; invalidDates: number } | null;
    byMonth: Array<{ month: string; tickets: number }>;
    channels: Array<{ channel: string; tickets: number; share: number }>;
    categorySource: "labels" | "discovered";
    categories: number;
    escalation: { flagged: number; escalated: number; share: number | null };
    csat: { responses: number; mean: number | null; distribution: Record<"1" | "2" | "3" | "4" | "5", number> };
    resolutionMinutes: { known: number; fromTimestamps: number; median: number | null; p90: number | null };
  };
  projection: {
    tickets: number;
    routes: RouteCounts;
    /** Share the AI answers on its own (including asking the customer to sign in for account facts). */
    containment: number;
    clarifyShare: number;
    humanShare: number;
    /** Answered, outside the keep-with-people categories, and not a ticket people handled. */
    safeTake: { tickets: number; share: number };
    /** Switchboard's design aim for the AI's share. */
    targetBand: [number, number];
    /** Share of labelled tickets the brain files under their own label (null when the kb does not know the labels). */
    categoryAgreement: number | null;
    decisionsPerSecond: number;
  };
  agreement: {
    flagged: number;
    peopleHandled: RouteCounts;
    resolvedSimply: RouteCounts;
    /** Flagged tickets where the AI would do what history did (answered/not escalated, people/escalated). */
    agreementRate: number | null;
    risk: { tickets: number; shareOfEscalated: number | null; examples: TicketExample[] };
    missedAutomation: {
      tickets: number;
      shareOfSimple: number | null;
      byReason: Array<{ code: string; label: string; tickets: number }>;
      examples: TicketExample[];
    };
  };
  reasons: ReasonFigures[];
  categories: CategoryFigures[];
  /** Categories whose verdict is `people` or `caution`, with why. */
  mustHuman: Array<{ id: string; name: string; verdict: CategoryVerdict; reasons: string[] }>;
  signals: { frustrationPhrases: PhraseFigures[]; humanTriggers: PhraseFigures[] };
  /** Categories with no agent response in the tickets: no template can be learned. */
  withoutResponses: Array<{ id: string; name: string; tickets: number }>;
  dataProblems: {
    badRows: number;
    /** Tickets kept without an optional field that did not validate (a bad date, an unknown channel). */
    ticketsWithDroppedFields: number;
    byKind: Array<{ kind: string; rows: number }>;
    examples: Array<{ line: number; problem: string }>;
    emptyMessages: number;
    duplicateRows: number;
    conflictingIds: number;
    /** Labelled files: usable tickets without a category. */
    unlabelled: number;
    /** Share of usable tickets carrying each optional field. */
    coverage: Record<string, number | null>;
  };
  run: { durationMs: number; kbBuildMs: number | null };
}
