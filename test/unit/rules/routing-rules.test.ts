import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createRoutingPolicy, loadRuleSpecs } from "../../../escalation/rules/index.js";
import { singleTurn } from "../../../src/agent/evaluate.js";
import type { Decision, Message } from "../../../src/domain/model.js";
import type { Draft, TurnContext } from "../../../src/ports/agent-engine.js";

const signals = {
  frustrationPhrases: ["fed up with you"],
  humanTriggers: ["chargeback request"],
  mustHumanCategories: ["dispute"],
  aiSafeCategories: ["orders"],
};
const policy = createRoutingPolicy({ signals });

const draft = (overrides: Partial<Draft> = {}): Draft => ({
  kind: "answer", text: "Here you go.", confidence: 0.9, facts: [], reasonCodes: [], engine: "test", category: "faq", ...overrides,
});

function withHistory(text: string, earlier: Array<{ author: "customer" | "ai"; text: string; decision?: Partial<Decision> }>): TurnContext {
  const turn = singleTurn(text);
  const base = turn.message;
  turn.history = earlier.map<Message>((item, index) => ({
    ...base,
    id: randomUUID(),
    seq: index + 1,
    direction: item.author === "customer" ? "inbound" : "outbound",
    author: item.author,
    text: item.text,
    ...(item.decision ? { decision: { route: "ai", reasonCodes: [], guardrails: [], ...item.decision } } : {}),
  }));
  return turn;
}

function firedRules(turn: TurnContext, after?: Draft): string[] {
  return [...policy.evaluate("before", turn), ...policy.evaluate("after", turn, after ?? draft())].map((evaluation) => evaluation.rule);
}

/** One example per shipped rule: each test fails when its rule is removed from default-rules.yaml. */
const EXAMPLES: Record<string, () => { turn: TurnContext; draft?: Draft }> = {
  human_requested: () => ({ turn: singleTurn("Is there someone I can call?") }),
  hardship: () => ({ turn: singleTurn("I lost my job and can't make my payments") }),
  refund_or_exception: () => ({ turn: singleTurn("Please waive the late fee this once") }),
  dispute: () => ({ turn: singleTurn("I was charged twice for one order") }),
  fraud: () => ({ turn: singleTurn("There is a charge on my account I don't recognize") }),
  complaint_or_legal: () => ({ turn: singleTurn("I'm contacting my lawyer about this") }),
  account_problem: () => ({ turn: singleTurn("you suspended my account for no reason") }),
  frustration_words: () => ({ turn: singleTurn("this is absolutely ridiculous") }),
  shouting: () => ({ turn: singleTurn("WHY IS MY PAYMENT NOT SHOWING UP") }),
  repeated_punctuation: () => ({ turn: singleTurn("where is my order???") }),
  repetition: () => ({ turn: singleTurn("help help help") }),
  learned_frustration: () => ({ turn: singleTurn("honestly I am fed up with you") }),
  learned_trigger: () => ({ turn: singleTurn("I want to make a chargeback request") }),
  not_helped: () => ({ turn: withHistory("that didn't help at all", [{ author: "customer", text: "late fee?" }, { author: "ai", text: "It is $7." }]) }),
  repeated_question: () => ({
    turn: withHistory("when will my refund arrive on my card", [
      { author: "customer", text: "when will my refund arrive", decision: { category: "refunds" } },
      { author: "ai", text: "5 to 10 days." },
    ]),
  }),
  unhelpful_answers: () => ({
    turn: withHistory("and what about the other thing", [
      { author: "customer", text: "question one", decision: { category: "faq" } },
      { author: "ai", text: "answer one" },
      { author: "customer", text: "question two", decision: { category: "faq" } },
      { author: "ai", text: "answer two" },
    ]),
  }),
  second_clarification: () => ({
    turn: withHistory("hmm the thing", [{ author: "customer", text: "stuff", decision: { reasonCodes: ["clarification"] } }, { author: "ai", text: "Is it X or Y?" }]),
    draft: draft({ kind: "clarify", reasonCodes: ["clarification"], confidence: 0.2 }),
  }),
  must_human_category: () => ({ turn: singleTurn("about my purchase"), draft: draft({ category: "dispute", confidence: 0.7 }) }),
  needs_human_model: () => ({ turn: singleTurn("about my purchase"), draft: draft({ humanProbability: 0.9 }) }),
  low_confidence: () => ({ turn: singleTurn("about my purchase"), draft: draft({ confidence: 0.01 }) }),
};

describe("shipped routing rules", () => {
  it("has an example here for every shipped rule", () => {
    expect(loadRuleSpecs().map((rule) => rule.name).sort()).toEqual(Object.keys(EXAMPLES).sort());
  });

  for (const [name, example] of Object.entries(EXAMPLES)) {
    it(`${name} fires on its example with a stable code and a label`, () => {
      const { turn, draft: given } = example();
      const fired = [...policy.evaluate("before", turn), ...policy.evaluate("after", turn, given ?? draft())];
      const hit = fired.find((evaluation) => evaluation.rule === name);
      expect(hit, `rule ${name} did not fire; fired: ${fired.map((item) => item.rule).join(", ")}`).toBeDefined();
      expect(hit?.hit.code).toMatch(/^[a-z_]+$/);
      expect(hit?.hit.label.length).toBeGreaterThan(5);
    });
  }

  it("offers hardship customers a specialist at once, at the highest priority, with an empathetic note", () => {
    const [hit] = policy.beforeAnswer(singleTurn("My husband passed away and I can't afford the next installment"));
    expect(hit).toMatchObject({ code: "hardship", priority: "urgent" });
    expect(hit?.customerNote).toMatch(/sorry.*specialist/i);
  });

  it("gives the customer the rule's note in their language, and drops shipped translations an admin note replaced", () => {
    const [spanish] = policy.beforeAnswer(singleTurn("Perdí mi trabajo y no puedo pagar la próxima cuota"));
    expect(spanish).toMatchObject({ code: "hardship" });
    expect(spanish?.customerNote).toMatch(/especialistas/);
    const [english] = policy.beforeAnswer(singleTurn("I lost my job and can't pay the next installment"));
    expect(english?.customerNote).toMatch(/specialists/);
    const renamed = createRoutingPolicy({ signals, adminRulesText: 'rules:\n  - name: hardship\n    note: "Our care team will call you."\n' });
    expect(renamed.beforeAnswer(singleTurn("Perdí mi trabajo y no puedo pagar la próxima cuota"))[0]?.customerNote).toBe("Our care team will call you.");
  });

  it.each([
    "How do I close the app notifications?",
    "How do I reset my password?",
    "What happens if I miss a payment?",
    "Is there a late fee?",
    "When will my refund show up?",
    "how long does a refund take",
    "Can I pause autopay?",
    "Is it safe to link my bank account?",
    "Can I pay with apple pay",
    "I don't want to close my account, just stop the emails",
    "I don't need an agent, just tell me the hours",
    "My card hasn't arrived yet",
    "Can I change my payment date?",
    "Is there a fee to pay early?",
    "How do disputes work?",
    "How do I transfer money to someone?",
    "Can I send money to a person by phone?",
    "I can't pay my bill in the app, it shows an error",
    "How do I connect my account to my partner's?",
    "Can I put money in my account with cash?",
    "my card number is 4111 1111 1111 1111, why was it declined?",
    // Questions about a refund policy are information, not a request for an exception.
    "could I see your reimbursement policy?",
    "I need to check in which situations I can ask for a refund",
    "help me see how long reimbursements usually take",
  ])("does not fire on the AI question %j", (text) => {
    expect(firedRules(singleTurn(text))).toEqual([]);
  });

  it.each([
    "I want to be reimbursed for the late fee",
    "your refund policy says I get $40 back, refund me",
    "I want compensation, what is your refund policy?",
  ])("still sends a refund or exception request that mentions the policy to a person: %j", (text) => {
    expect(firedRules(singleTurn(text))).toContain("refund_or_exception");
  });

  it.each([
    "what is your refund policy?",
    "how long do refunds take?",
    "how long does it take to get my money back?",
    "when do I get my money back after a return?",
    "how can I get a refund for my order",
    "do you offer refunds?",
  ])("leaves the refund policy question %j to the AI", (text) => {
    expect(firedRules(singleTurn(text))).toEqual([]);
  });

  it.each([
    "can you refund 45",
    "refund the 30 you took",
    "how do I get a refund of 45?",
    "I want 20 dollars back",
    "give me the fee back",
    "I want my deposit back",
    "you promised me a credit",
    "your agent said you would waive it",
    "waive it this once",
    "can I skip a payment",
  ])("sends the refund amount or exception request %j to a person", (text) => {
    expect(firedRules(singleTurn(text))).toContain("refund_or_exception");
  });

  it("lets soft rules yield to a confident prediction of a category past tickets show the AI handles", () => {
    const turn = singleTurn("where is my order???");
    expect(policy.evaluate("after", turn, draft({ category: "faq" })).map((item) => item.rule)).toContain("repeated_punctuation");
    expect(policy.evaluate("after", turn, draft({ category: "orders", confidence: 0.95 }))).toEqual([]);
    // Hard rules never yield.
    expect(policy.beforeAnswer(singleTurn("agent please")).map((hit) => hit.code)).toEqual(["human_requested"]);
  });

  it.each([
    ["fraud", "There is a charge on my account I don't recognize"],
    ["dispute", "I was charged twice for one order"],
    ["policy_exception", "I want a refund of $45 for the order"],
    ["account_problem", "please close my account"],
  ])("never lets a confident AI-handled prediction silence the %s rule", (code, text) => {
    const confident = draft({ category: "orders", confidence: 0.99 });
    expect(policy.afterAnswer(singleTurn(`${text}!!!`), confident).map((hit) => hit.code)).toContain(code);
    // The soft frustration signal on the same message does yield to the prediction.
    expect(policy.afterAnswer(singleTurn(`${text}!!!`), confident).map((hit) => hit.code)).not.toContain("frustration");
  });

  it("refuses a rule that is both sensitive and soft, from the shipped file or an admin file", () => {
    expect(() => createRoutingPolicy({ signals, adminRulesText: "rules:\n  - name: fraud\n    soft: true\n" })).toThrow(/fraud.*soft/);
  });

  it.each([
    "I lost my job last month",
    "I was laid off and can't keep up",
    "I've been made redundant",
    "I'm furloughed until March",
    "I'm in hospital this week",
    "I have cancer and start chemo on Monday",
    "my dad passed away",
    "my mother died last week",
    "the funeral costs wiped me out",
    "I'm going through a divorce",
    "I can't afford the next payment",
    "struggling to pay everything this month",
    "I'm behind on my bills",
    "I'm on benefits now",
    "I'm leaving a domestic abuse situation",
  ])("treats %j as hardship: a person at once, urgent, offered a specialist", (text) => {
    const [first] = policy.beforeAnswer(singleTurn(text));
    expect(first).toMatchObject({ code: "hardship", priority: "urgent" });
    expect(first?.customerNote).toMatch(/specialist/);
  });

  it("puts hardship first when other reasons apply too, so its note is the one the customer reads", () => {
    const hits = policy.beforeAnswer(singleTurn("I want to talk to a person, I lost my job and this is a complaint"));
    expect(hits.map((hit) => hit.code)).toEqual(["hardship", "human_requested", "complaint"]);
  });

  it.each(["my phone died, how do I log in on a new one?", "is the collectors edition in stock?", "the card reader is redundant now"])(
    "does not read %j as hardship",
    (text) => {
      expect(policy.beforeAnswer(singleTurn(text)).map((hit) => hit.code)).not.toContain("hardship");
    },
  );

  it.each([
    "no, I want a human",
    "can't I just talk to someone?",
    "why can't I speak to a person",
    "I can't reach anyone, put me through to a person",
    "no one answers, get me a manager",
    "I don't know how to talk to a person here",
    "I'd like to speak with a representative",
    "live agent",
    "can I talk to a customer service rep",
    "operator",
    "can I call you?",
    "is there a phone number?",
    "do you have a phone number I can call",
    "get me a supervisor",
    "I want a manager",
    "REAL PERSON",
    "I need a humen",
    "let me talk to an agnet",
    "speak to a represenative please",
    "quiero hablar con una persona",
    "agente",
    "necesito un agente",
    "je voudrais parler à un conseiller",
    "Je veux parler à quelqu'un",
  ])("hands a request for a person over: %j", (text) => {
    expect(policy.beforeAnswer(singleTurn(text)).map((hit) => hit.code)).toContain("human_requested");
  });

  it.each([
    "I don't need a human, just tell me my due date",
    "I do not want to speak to an agent, what are your hours?",
    "no need for a person, how do I update my card?",
    "I managed to pay yesterday, is it showing?",
    "can I update my phone number?",
    "what is the phone number on my account?",
  ])("does not treat %j as a request for a person", (text) => {
    expect(policy.beforeAnswer(singleTurn(text)).map((hit) => hit.code)).not.toContain("human_requested");
  });

  it("ends a streak of answers on one topic at a thanks, whatever category the engine gave the thanks", () => {
    const turn = withHistory("and what about the other thing", [
      { author: "customer", text: "question one", decision: { category: "faq" } },
      { author: "ai", text: "answer one" },
      { author: "customer", text: "question two", decision: { category: "faq" } },
      { author: "ai", text: "answer two" },
      { author: "customer", text: "thanks!", decision: { category: "faq", reasonCodes: ["small_talk"] } },
      { author: "ai", text: "You're welcome!" },
    ]);
    expect(policy.evaluate("after", turn, draft()).map((item) => item.rule)).not.toContain("unhelpful_answers");
  });

  it("hands no small-talk reply over, however it is typed", () => {
    const smallTalk = draft({ reasonCodes: ["small_talk"], category: undefined });
    for (const text of ["THANKS SO MUCH FOR ALL YOUR HELP", "thanks!!!", "ok ok ok"]) {
      expect(policy.afterAnswer(singleTurn(text), smallTalk)).toEqual([]);
    }
  });

  it("merges an admin file over the shipped rules: replace, disable and add by name", () => {
    const admin = createRoutingPolicy({
      signals,
      adminRulesText: [
        "rules:",
        "  - name: repeated_punctuation",
        "    enabled: false",
        "  - name: vip",
        "    code: vip_customer",
        "    label: VIP keyword",
        "    priority: urgent",
        "    phrases: [platinum member]",
      ].join("\n"),
    });
    expect(admin.ruleNames).not.toContain("repeated_punctuation");
    expect(admin.beforeAnswer(singleTurn("I am a Platinum Member"))).toMatchObject([{ code: "vip_customer", priority: "urgent" }]);
  });

  it("refuses an admin rule with a broken pattern, naming the rule", () => {
    expect(() => createRoutingPolicy({ signals, adminRulesText: "rules:\n  - name: bad\n    code: bad\n    label: Bad\n    patterns: ['(']\n" })).toThrow(/bad.*invalid pattern/);
  });
});
