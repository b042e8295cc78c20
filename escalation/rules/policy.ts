/**
 * The routing policy: the shipped rules (default-rules.yaml) merged with an admin file, compiled once,
 * evaluated per turn. Text rules match the accent-folded message; detectors see the turn and the draft.
 */
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { DRAFT_REASON } from "../../src/agent/reason-codes.js";
import { Priority } from "../../src/domain/model.js";
import { ConfigError } from "../../src/errors.js";
import { detectLanguage } from "../../src/kb/language.js";
import { foldText, words } from "../../src/kb/text.js";
import type { Draft, LearnedRoutingSignals, RoutingPolicy, RuleHit, TurnContext } from "../../src/ports/agent-engine.js";
import { DETECTOR_FUNCTIONS } from "./detectors.js";
import { negatedBefore } from "./negation.js";
import { correctKeyWords } from "./typos.js";
import { AdminRulesFile, RuleSpec, RulesFile } from "./schema.js";

/**
 * Long messages are matched on their first and last parts (a request for a person often comes last):
 * enough for intent, bounded in cost whatever the length.
 */
const MAX_MATCH_CHARS = 8_000;

function matchedPart(text: string): string {
  if (text.length <= MAX_MATCH_CHARS) return text;
  const half = MAX_MATCH_CHARS / 2;
  // A full stop between the parts: no pattern spans the cut.
  return `${text.slice(0, half)} . ${text.slice(-half)}`;
}
/** A soft rule yields only to a prediction at least this confident. */
const SOFT_RULE_CONFIDENCE = 0.8;

export const SHIPPED_RULES_URL = new URL("./default-rules.yaml", import.meta.url);

interface CompiledRule {
  spec: RuleSpec;
  patterns: RegExp[];
  phrases: string[];
  unless: RegExp[];
}

function compile(spec: RuleSpec): CompiledRule {
  const regex = (source: string) => {
    try {
      return new RegExp(source, "iu");
    } catch (error) {
      throw new ConfigError(`routing rule "${spec.name}": invalid pattern ${JSON.stringify(source)}: ${(error as Error).message}`);
    }
  };
  return {
    spec,
    patterns: spec.patterns.map(regex),
    phrases: spec.phrases.map((phrase) => ` ${words(phrase).join(" ")} `),
    unless: spec.unless.map(regex),
  };
}

function parseRulesText(text: string, source: string): unknown {
  try {
    return parseYaml(text) ?? {};
  } catch (error) {
    throw new ConfigError(`${source} is not valid YAML: ${(error as Error).message}`);
  }
}

function describe(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
  return issues.slice(0, 5).map((issue) => `${issue.path.map(String).join(".")}: ${issue.message}`).join("; ");
}

/** The shipped rules with an admin file merged over them by name (same name replaces, new names add). */
export function loadRuleSpecs(options: { shippedText?: string; adminText?: string; adminSource?: string } = {}): RuleSpec[] {
  const shippedText = options.shippedText ?? readFileSync(SHIPPED_RULES_URL, "utf8");
  const shipped = RulesFile.safeParse(parseRulesText(shippedText, "default-rules.yaml"));
  if (!shipped.success) throw new ConfigError(`the shipped routing rules are invalid: ${describe(shipped.error.issues)}`);
  const merged = new Map(shipped.data.rules.map((rule) => [rule.name, rule]));
  if (options.adminText !== undefined) {
    const source = options.adminSource ?? "the admin routing rules";
    const admin = AdminRulesFile.safeParse(parseRulesText(options.adminText, source));
    if (!admin.success) throw new ConfigError(`${source} is invalid: ${describe(admin.error.issues)}`);
    for (const patch of admin.data.rules) {
      const base = merged.get(patch.name);
      // A new note makes the shipped translations of the old one stale: they go unless the patch brings its own.
      const staleTranslations = patch["note"] !== undefined && patch["notes"] === undefined ? { notes: {} } : {};
      const candidate = RuleSpec.safeParse(base ? { ...base, ...staleTranslations, ...patch } : patch);
      if (!candidate.success) {
        throw new ConfigError(`${source}: rule "${patch.name}" is invalid: ${describe(candidate.error.issues)}`);
      }
      merged.set(patch.name, candidate.data);
    }
  }
  return [...merged.values()].filter((rule) => rule.enabled);
}

export interface RoutingPolicyOptions {
  signals: LearnedRoutingSignals;
  rules?: RuleSpec[];
}

export interface RuleEvaluation {
  rule: string;
  hit: RuleHit;
  detail: string;
}

export class RuleBasedRoutingPolicy implements RoutingPolicy {
  private readonly rules: CompiledRule[];

  constructor(private readonly options: RoutingPolicyOptions) {
    this.rules = (options.rules ?? loadRuleSpecs()).map(compile);
  }

  get ruleNames(): string[] {
    return this.rules.map((rule) => rule.spec.name);
  }

  /** Reason code -> what it means for people (the first rule's label when several rules share a code). */
  get codeLabels(): Map<string, string> {
    const labels = new Map<string, string>();
    for (const rule of this.rules) if (!labels.has(rule.spec.code)) labels.set(rule.spec.code, rule.spec.label);
    return labels;
  }

  beforeAnswer(turn: TurnContext): RuleHit[] {
    return this.evaluate("before", turn).map((evaluation) => evaluation.hit);
  }

  afterAnswer(turn: TurnContext, draft: Draft): RuleHit[] {
    return this.evaluate("after", turn, draft).map((evaluation) => evaluation.hit);
  }

  /**
   * Every rule of a stage that fires, with why (for `ask --json` and tests), most urgent first: the first
   * hit's note is what the customer reads, so hardship's offer of a specialist wins over a plain handoff.
   */
  evaluate(stage: "before" | "after", turn: TurnContext, draft?: Draft): RuleEvaluation[] {
    const raw = matchedPart(turn.message.text);
    const folded = foldText(raw).replace(/\s+/g, " ").trim();
    const wordLine = ` ${words(raw).join(" ")} `;
    // Small talk ("thanks!!!", "OK COOL", "ok ok ok") gets its polite reply: no rule on the draft hands it over.
    if (stage === "after" && draft?.kind === "answer" && draft.reasonCodes.includes(DRAFT_REASON.smallTalk)) return [];
    const aiSafe = new Set(this.options.signals.aiSafeCategories ?? []);
    const yieldsToDraft =
      draft?.category !== undefined && aiSafe.has(draft.category) && draft.confidence >= SOFT_RULE_CONFIDENCE;
    const results: RuleEvaluation[] = [];
    let language: string | undefined;
    for (const rule of this.rules) {
      const { spec } = rule;
      if (spec.stage !== stage) continue;
      if (spec.soft && yieldsToDraft) continue;
      const textMatch = this.matchText(rule, folded, wordLine);
      let detail: string | null;
      if (spec.detector) {
        detail = DETECTOR_FUNCTIONS[spec.detector]({
          text: raw,
          wordLine,
          turn,
          ...(draft ? { draft } : {}),
          signals: this.options.signals,
          params: spec.params,
          patternMatched: textMatch !== null,
        });
      } else {
        detail = textMatch;
      }
      if (detail === null) continue;
      language ??= detectLanguage(raw);
      const note = spec.notes[language] ?? spec.note;
      results.push({
        rule: spec.name,
        detail,
        hit: {
          code: spec.code,
          label: `${spec.label} (${detail})`,
          priority: spec.priority,
          ...(note ? { customerNote: note } : {}),
          ...(spec.detector === "must_human_category" && draft?.category ? { category: draft.category } : {}),
        },
      });
    }
    const rank = (evaluation: RuleEvaluation) => Priority.options.indexOf(evaluation.hit.priority);
    return results.sort((a, b) => rank(b) - rank(a));
  }

  private matchText(rule: CompiledRule, folded: string, wordLine: string): string | null {
    if (rule.patterns.length === 0 && rule.phrases.length === 0) return null;
    if (rule.unless.some((pattern) => pattern.test(folded))) return null;
    const text = correctKeyWords(folded, rule.spec.typoWords);
    for (const pattern of rule.patterns) {
      const match = pattern.exec(text);
      if (!match) continue;
      if (rule.spec.negatable && negatedBefore(text.slice(0, match.index))) continue;
      return `"${match[0].trim().slice(0, 60)}"`;
    }
    for (const phrase of rule.phrases) {
      const at = wordLine.indexOf(phrase);
      if (at < 0) continue;
      if (rule.spec.negatable && negatedBefore(wordLine.slice(0, at))) continue;
      return `"${phrase.trim()}"`;
    }
    return null;
  }
}

export function createRoutingPolicy(options: RoutingPolicyOptions & { adminRulesText?: string; adminRulesSource?: string }): RuleBasedRoutingPolicy {
  const rules =
    options.rules ??
    loadRuleSpecs({
      ...(options.adminRulesText !== undefined ? { adminText: options.adminRulesText } : {}),
      ...(options.adminRulesSource !== undefined ? { adminSource: options.adminRulesSource } : {}),
    });
  return new RuleBasedRoutingPolicy({ signals: options.signals, rules });
}
