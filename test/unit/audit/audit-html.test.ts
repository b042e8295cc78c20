/**
 * The audit page: one self-contained file, hostile ticket text shown as text (every string of the report
 * is poisoned with markup and none of it becomes a tag), masked personal data, and the small helpers.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { problemKind } from "../../../src/audit/collector.js";
import { escapeHtml, markup } from "../../../src/audit/html-kit.js";
import { maskForReport } from "../../../src/audit/masking.js";
import { renderAuditHtml } from "../../../src/audit/render-html.js";
import type { AuditReport } from "../../../src/audit/report-types.js";
import { auditTickets, channelKindOf } from "../../../src/audit/run.js";
import { BoundedTally } from "../../../src/audit/statistics.js";
import { composeLocalBrain } from "../../../src/main.js";
import { CARD, EMAIL, HOSTILE, PHONE, writeAuditFixture } from "../../support/audit-tickets.js";

const POISON = `"'><script>alert(2)</script></style><img src=https://evil.example/x onerror=alert(3)><a href="https://evil.example">x</a>`;
/** Enumerations the page maps to its own words and classes, not free text. */
const NOT_FREE_TEXT = new Set(["verdict", "source", "categorySource", "engine", "format"]);
const PAGE_TAGS = new Set(["html", "head", "meta", "title", "style", "body", "main", "h1", "h2", "h3", "p", "div", "span", "table", "thead", "tbody", "tr", "th", "td", "ul", "li", "strong", "code", "footer"]);

function poison(value: unknown, key = ""): unknown {
  if (typeof value === "string") return NOT_FREE_TEXT.has(key) ? value : `${value}${POISON}`;
  if (Array.isArray(value)) return value.map((item) => poison(item, key));
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, poison(inner, name)]));
  return value;
}

/** Attributes of the page's real tags (escaped text has no "<", so it never matches). */
function attributesOf(html: string): string[] {
  return (html.match(/<[a-zA-Z][^>]*>/g) ?? []).flatMap((tag) => [...tag.matchAll(/\s([a-zA-Z-]+)=("[^"]*"|'[^']*'|[^\s>]+)/g)].map((match) => (match[1] as string).toLowerCase()));
}

function tagsOf(html: string): Set<string> {
  return new Set([...html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9-]*)/g)].map((match) => (match[1] as string).toLowerCase()));
}

describe("the audit page", () => {
  let report: AuditReport;
  let html: string;

  beforeAll(async () => {
    const fixture = await writeAuditFixture();
    report = await auditTickets({
      tickets: fixture.tickets,
      composeBrain: async (kbDir) => {
        const composed = await composeLocalBrain({ kbDir });
        return { brain: composed.brain, kb: composed.kb, ruleLabels: composed.routing.codeLabels };
      },
    });
    html = renderAuditHtml(report);
  });

  it("is one self-contained document: inline style, no script, nothing fetched, a policy that forbids both", () => {
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    expect(new Set(attributesOf(html))).toEqual(new Set(["lang", "charset", "http-equiv", "content", "name", "class", "style"]));
    expect(tagsOf(html)).toEqual(new Set([...tagsOf(html)].filter((tag) => PAGE_TAGS.has(tag))));
  });

  it("answers the lead's questions in tables: volume, the AI's take, reasons, history, categories for people, data problems", () => {
    for (const heading of ["1. Volume", "2. What the AI would take", "3. Why messages would go to people", "4. Agreement with history", "5. Where the AI would hurt: categories for people", "6. Frustration phrases and human-only triggers", "7. Categories without agent responses", "8. Data problems", "9. Sample messages by category"]) {
      expect(html).toContain(`<h2>${heading}</h2>`);
    }
    expect(html).toContain("Optimistic, in-sample estimate.");
    expect(html).toMatch(/<td>Dispute<\/td>.*Keep with people/);
    expect(html).toContain("Tickets kept without a bad optional field");
    expect(html).not.toContain("<b>chat</b>");
    expect(html).toContain("what are your opening hours");
    expect(html).toMatch(/Gift cards<\/td>/);
  });

  it("never shows personal data: cards, e-mails and phone numbers are masked in the page", () => {
    expect(html).not.toContain(CARD);
    expect(html).not.toContain(CARD.replace(/ /g, ""));
    expect(html).not.toContain(EMAIL);
    expect(html).not.toContain(PHONE);
    expect(html).toContain("[card ending 1111]");
  });

  it("shows hostile text in every field as text: no poisoned string becomes a tag or an attribute", () => {
    const hostile = renderAuditHtml(poison(report) as AuditReport);
    expect(tagsOf(hostile)).toEqual(new Set([...tagsOf(hostile)].filter((tag) => PAGE_TAGS.has(tag))));
    expect(hostile).not.toMatch(/<script|<img|<a\s/i);
    expect(new Set(attributesOf(hostile))).toEqual(new Set(attributesOf(html)));
    expect(hostile.match(/<\/style>/g)).toHaveLength(1);
    expect(hostile).toContain(escapeHtml(POISON));
    // Every text-bearing part of the page carried the poison through escaped.
    expect(hostile.split(escapeHtml(POISON)).length).toBeGreaterThan(40);
  });
});

describe("audit helpers", () => {
  it("escapes the five HTML characters and leaves markup it built itself", () => {
    expect(escapeHtml(HOSTILE)).toBe("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;");
    expect(escapeHtml("a & 'b'")).toBe("a &amp; &#39;b&#39;");
    expect(markup`<p>${"<b>"}</p>`.html).toBe("<p>&lt;b&gt;</p>");
  });

  it("masks before it shortens, flattens control characters, and never cuts a character in half", () => {
    expect(maskForReport(`pay ${CARD} now`, 14)).toBe("pay [card end…");
    expect(maskForReport(`${"x".repeat(30)} 4111111111111111`, 500)).toContain("[card ending 1111]");
    expect(maskForReport("line\none\u0000\u0007\ttwo", 100)).toBe("line one two");
    expect(maskForReport(`mail ${EMAIL}`, 100)).toBe("mail j***@example.com");
    expect(maskForReport("😀😀😀😀", 3)).toBe("😀😀…");
  });

  it("sorts bad rows into kinds from the parser's sentences", () => {
    expect(problemKind("customer_message is empty")).toBe("empty message");
    expect(problemKind("customer_message Invalid input")).toBe("missing or unreadable customer_message");
    expect(problemKind("is not valid JSON")).toBe("not a JSON object");
    expect(problemKind("has 3 fields where the header has 4")).toBe("broken CSV row");
    expect(problemKind('csat must be a number from 1 to 5 (got "9")')).toBe("invalid field value");
  });

  it("maps ticket channels to the brain's channel kinds, and bounds distinct keys", () => {
    expect(channelKindOf("WhatsApp")).toBe("twilio_whatsapp");
    expect(channelKindOf("sms")).toBe("twilio_sms");
    expect(channelKindOf("email")).toBe("webchat");
    expect(channelKindOf(undefined)).toBe("webchat");
    const tally = new BoundedTally(2);
    for (const key of ["a", "b", "a", "c", "d"]) tally.add(key);
    expect(tally.entries()).toEqual([["a", 2], ["b", 1], ["(other)", 2]]);
  });
});
