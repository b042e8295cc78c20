/**
 * The routing-rules file (YAML): named rules with a stable reason code, a label in words, a priority,
 * an optional note for the customer, and either text patterns or a built-in detector.
 */
import { z } from "zod";
import { Priority } from "../../src/domain/model.js";

export const DETECTORS = [
  "shouting",
  "repeated_punctuation",
  "repetition",
  "learned_frustration",
  "learned_trigger",
  "not_helped",
  "repeated_question",
  "unhelpful_answers",
  "second_clarification",
  "must_human_category",
  "needs_human_model",
  "low_confidence",
] as const;
export type DetectorName = (typeof DETECTORS)[number];

export const RuleSpec = z
  .object({
    name: z.string().min(1).regex(/^[a-z0-9_]+$/, "use lower case letters, digits and _"),
    code: z.string().min(1).regex(/^[a-z0-9_]+$/, "use lower case letters, digits and _"),
    label: z.string().min(1),
    priority: Priority.default("normal"),
    stage: z.enum(["before", "after"]).default("before"),
    note: z.string().min(1).optional(),
    /** The note in other languages, by language tag ("es": ...); the customer reads the one in theirs. */
    notes: z.record(z.string().regex(/^[a-z]{2}$/, "a two-letter language tag such as es"), z.string().min(1)).default({}),
    patterns: z.array(z.string().min(1)).default([]),
    phrases: z.array(z.string().min(1)).default([]),
    unless: z.array(z.string().min(1)).default([]),
    negatable: z.boolean().default(false),
    /** Key words also matched with one typo ("humen", "agnet"); at least 5 letters each. */
    typoWords: z.array(z.string().regex(/^\p{Ll}{5,}$/u, "a lower-case word of at least 5 letters")).default([]),
    soft: z.boolean().default(false),
    /** Fraud, disputes, refund amounts, account security: never yields to a prediction (never soft). */
    sensitive: z.boolean().default(false),
    detector: z.enum(DETECTORS).optional(),
    params: z.record(z.string(), z.number()).default({}),
    enabled: z.boolean().default(true),
  })
  .refine((rule) => rule.detector !== undefined || rule.patterns.length > 0 || rule.phrases.length > 0, {
    message: "a rule needs patterns, phrases or a detector",
  })
  .refine((rule) => !(rule.sensitive && rule.soft), {
    message: "a sensitive rule (fraud, dispute, refund, account security) never yields, so it cannot be soft",
    path: ["soft"],
  });
export type RuleSpec = z.infer<typeof RuleSpec>;

export const RulesFile = z.object({ rules: z.array(RuleSpec) });

/** An admin rule may be partial when it only switches a shipped rule off or changes its note. */
export const AdminRuleSpec = z
  .object({ name: z.string().min(1) })
  .catchall(z.unknown());
export const AdminRulesFile = z.object({ rules: z.array(AdminRuleSpec).default([]) });
