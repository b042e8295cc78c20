import { describe, expect, it } from "vitest";
import type { Conversation, Message } from "../../src/domain/model.js";
import { SLACK_LIMITS, packMessages, section, splitText, type SlackMessage } from "../../escalation/slack/block-kit.js";
import { maskedAddress } from "../../escalation/slack/message-lines.js";
import { ACTION_IDS, BLOCK_IDS, renderEscalationPost, summaryFrom } from "../../escalation/slack/post-layout.js";
import { reasonInWords, reasonsInWords } from "../../escalation/slack/reason-words.js";
import { escapeForSlack, slackTextToPlain } from "../../escalation/slack/slack-text.js";
import { renderDeliveryProblem, renderMirror, renderNote, renderTranscript } from "../../escalation/slack/thread-layout.js";

const CARD = "4111 1111 1111 1111";
const TOKEN = "sk-proj-abcdefghijklmnopqrstuvwxyz123456";

const conversation: Conversation = {
  id: "6f1c1a52-8f0e-4a39-9a55-6f0e3c1b2a10",
  channelId: "sms-us",
  customerAddress: "+15551234567",
  customerName: "Dana Customer",
  state: "awaiting_human",
  escalation: { reason: "dispute", reasonCodes: ["dispute"], priority: "high", at: new Date("2025-03-04T15:00:00Z") },
  context: {},
  processedSeq: 1,
  lastSeq: 1,
  createdAt: new Date("2025-03-04T14:00:00Z"),
  updatedAt: new Date("2025-03-04T15:00:00Z"),
};

let seq = 0;
function message(text: string, author: Message["author"] = "customer"): Message {
  seq += 1;
  return {
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, "0")}`,
    conversationId: conversation.id,
    seq,
    direction: author === "customer" ? "inbound" : "outbound",
    author,
    text,
    attachments: [],
    status: author === "customer" ? "received" : "queued",
    meta: {},
    createdAt: new Date(Date.parse("2025-03-04T14:00:00Z") + seq * 60_000),
    updatedAt: new Date(Date.parse("2025-03-04T14:00:00Z") + seq * 60_000),
  };
}

function allText(messages: SlackMessage | SlackMessage[]): string {
  return JSON.stringify(messages);
}

function expectWithinLimits(posted: SlackMessage): void {
  expect(posted.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
  expect(posted.text.length).toBeLessThanOrEqual(SLACK_LIMITS.messageText);
  for (const block of posted.blocks) {
    if (block.type === "section") {
      expect(block.text?.text.length ?? 0).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      for (const field of block.fields ?? []) expect(field.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldText);
    }
    if (block.type === "header") expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
  }
}

describe("reason codes in words", () => {
  it("uses the table, and keeps unknown codes readable", () => {
    expect(reasonInWords("human_requested")).toBe("Customer asked for a person");
    expect(reasonInWords("ungrounded_figure")).toMatch(/amount or date/);
    expect(reasonInWords("late_fee_dispute")).toBe("Late fee dispute");
    expect(reasonInWords("channel_rule:stop_keyword")).toBe("Channel rule: stop keyword");
    expect(reasonInWords("hardship:medical")).toBe("Financial hardship: medical");
    expect(reasonsInWords([])).toEqual(["Escalated"]);
    expect(reasonsInWords(["hardship", "financial_hardship", " "])).toEqual(["Financial hardship"]);
  });
});

describe("the escalation post", () => {
  const latest = [message(`My card ${CARD} was charged twice, key ${TOKEN}`), message("Please help <!channel> <@U999>")];
  const post = renderEscalationPost({
    conversation,
    channelLabel: "SMS (sms-us)",
    reasonCodes: ["dispute", "human_requested", "brand_new_rule"],
    priority: "high",
    category: "disputes",
    summary: `Customer disputes a double charge on ${CARD}.`,
    latest,
    status: { kind: "waiting", since: new Date("2025-03-04T15:00:00Z"), realerts: 0 },
  });
  const text = allText(post);

  it("shows the customer masked, the channel, reasons in words, priority, category, summary and latest messages", () => {
    expect(text).toContain("Dana Customer (+1555***4567)");
    expect(text).toContain("SMS (sms-us)");
    expect(text).toContain("Dispute");
    expect(text).toContain("Customer asked for a person");
    expect(text).toContain("Brand new rule");
    expect(text).toContain("High");
    expect(text).toContain("disputes");
    expect(text).toContain("double charge");
    expect(text).toContain("charged twice");
  });

  it("never carries a full card number or a token, and neutralises Slack markup from customers", () => {
    expect(text).not.toContain(CARD);
    expect(text).not.toContain("4111111111111111");
    expect(text).not.toContain(TOKEN);
    expect(text).toContain("[card ending 1111]");
    expect(text).not.toContain("<!channel>");
    expect(text).toContain("&lt;!channel&gt;");
    expect(text).not.toContain("<@U999>");
  });

  it("has namespaced buttons carrying the conversation id, and stays within Slack's limits", () => {
    const actions = post.blocks.find((block) => block.type === "actions");
    expect(actions).toMatchObject({ block_id: BLOCK_IDS.actions });
    const buttons = actions?.type === "actions" ? actions.elements : [];
    expect(buttons.map((button) => button.action_id)).toEqual([ACTION_IDS.claim, ACTION_IDS.resolve, ACTION_IDS.handBack]);
    expect(buttons.every((button) => button.value === conversation.id)).toBe(true);
    expectWithinLimits(post);
  });

  it("shows who claimed it and how long it waited, then drops the Claim button", () => {
    const claimed = renderEscalationPost({
      conversation,
      channelLabel: "SMS",
      reasonCodes: ["dispute"],
      priority: "high",
      summary: "s",
      latest: [],
      status: { kind: "claimed", agentUserId: "U123", waitedMs: 4 * 60_000, viaReply: false },
    });
    expect(allText(claimed)).toContain("Claimed by <@U123> after 4 min");
    const actions = claimed.blocks.find((block) => block.type === "actions");
    expect(actions?.type === "actions" ? actions.elements.map((button) => button.action_id) : []).toEqual([ACTION_IDS.resolve, ACTION_IDS.handBack]);
    const resolved = renderEscalationPost({ conversation, channelLabel: "SMS", reasonCodes: [], priority: "normal", summary: "s", latest: [], status: { kind: "resolved", agentUserId: "U123" } });
    expect(resolved.blocks.some((block) => block.type === "actions")).toBe(false);
    expect(allText(resolved)).toContain("Resolved by <@U123>");
  });

  it("stays within limits whatever the customer wrote", () => {
    const huge = "<&>".repeat(20_000) + CARD;
    const big = renderEscalationPost({
      conversation: { ...conversation, customerName: "N".repeat(500) },
      channelLabel: "x".repeat(500),
      reasonCodes: Array.from({ length: 300 }, (_, index) => `reason_${index}_${"y".repeat(40)}`),
      priority: "urgent",
      category: "c".repeat(300),
      summary: huge,
      latest: [message(huge), message(huge), message(huge), message(huge)],
      status: { kind: "waiting", since: new Date(), realerts: 2 },
    });
    expectWithinLimits(big);
    expect(allText(big)).not.toContain("4111 1111 1111 1111");
  });

  it("builds a summary from the customer's latest words when the brain gave none", () => {
    expect(summaryFrom([message("first"), message("answer", "ai"), message(`second ${CARD}`)])).toBe(
      "2 messages from the customer; the latest: “second [card ending 1111]”",
    );
    expect(summaryFrom([])).toMatch(/not written anything/);
  });
});

describe("thread messages", () => {
  it("splits a long transcript across messages within Slack's limits, masked, in order", () => {
    const messages = Array.from({ length: 40 }, (_, index) => message(`msg${index} ${CARD} ${"word ".repeat(1_500)}`));
    const parts = renderTranscript(messages);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expectWithinLimits(part);
    const joined = allText(parts);
    expect(joined).not.toContain(CARD);
    expect(parts[0]!.text).toBe(`Transcript (part 1 of ${parts.length})`);
    const positions = messages.map((_, index) => joined.indexOf(`"text":"msg${index} [card ending 1111] word`));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it("mirrors a customer message (with attachments noted), masks notes and delivery problems", () => {
    const withFile = { ...message(`see ${CARD}`), attachments: [{ contentType: "image/jpeg", url: "https://x/y.jpg" }] };
    const mirror = allText(renderMirror(withFile));
    expect(mirror).toContain("1 attachment (image/jpeg)");
    expect(mirror).not.toContain(CARD);
    expect(allText(renderNote(`Customer satisfaction: 4/5 ${TOKEN}`))).toContain("Customer satisfaction: 4/5");
    expect(allText(renderNote(`x ${TOKEN}`))).not.toContain(TOKEN);
    const problem = renderDeliveryProblem(message("Hi from Sam", "agent"), { code: "opted_out", message: "The customer opted out (STOP).", permanent: true }, "U777");
    expect(allText(problem)).toContain("<@U777> :warning: This message did not reach the customer: The customer opted out (STOP).");
    expectWithinLimits(problem);
  });
});

describe("block kit helpers", () => {
  it("splits text on boundaries, never beyond the limit, losing nothing but the split whitespace", () => {
    const text = `${"alpha ".repeat(700)}\n\n${"beta ".repeat(700)}`;
    const pieces = splitText(text, 3_000);
    expect(pieces.every((piece) => piece.length <= 3_000)).toBe(true);
    expect(pieces.join(" ").replace(/\s+/g, " ").trim()).toBe(text.replace(/\s+/g, " ").trim());
    expect(splitText("x".repeat(7_000), 3_000).map((piece) => piece.length)).toEqual([3_000, 3_000, 1_000]);
    expect(splitText("", 10)).toEqual([""]);
  });

  it("packs blocks into messages of at most 50 blocks", () => {
    const blocks = Array.from({ length: 120 }, (_, index) => section(`block ${index}`));
    const messages = packMessages(blocks, (part, parts) => `${part}/${parts}`);
    expect(messages.map((item) => item.blocks.length)).toEqual([50, 50, 20]);
    expect(messages.map((item) => item.text)).toEqual(["1/3", "2/3", "3/3"]);
  });
});

describe("text across the desk", () => {
  it("escapes customer text for Slack and turns agent markup into plain text", () => {
    expect(escapeForSlack("a < b & c > d")).toBe("a &lt; b &amp; c &gt; d");
    expect(slackTextToPlain("See <https://help.example.com/refunds|our refund page> &amp; <https://x.com>")).toBe(
      "See our refund page (https://help.example.com/refunds) & https://x.com",
    );
    expect(slackTextToPlain("Ask <@U123> or <#C1|billing>, <!here>, <mailto:a@b.co|a@b.co> 2 &lt; 3")).toBe(
      "Ask @colleague or #billing, @here, a@b.co 2 < 3",
    );
  });

  it("masks addresses: phones, WhatsApp, e-mail and opaque ids", () => {
    expect(maskedAddress("+15551234567")).toBe("+1555***4567");
    expect(maskedAddress("whatsapp:+447700900123")).toBe("whatsapp:+4477****0123");
    expect(maskedAddress("dana.customer@example.com")).toBe("d***@example.com");
    expect(maskedAddress("v_0123456789abcdef0123")).toBe("v_012345678…");
  });
});
