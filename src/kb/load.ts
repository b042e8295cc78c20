/**
 * Loads a knowledge-base directory, validating every file with zod, and applies the admin's
 * `overrides.yaml` over what the build learned. A missing or broken kb stops with a message that says
 * how to build one. An override naming a category the knowledge base no longer has (renamed or dropped
 * by a rebuild) is ignored and reported in `warnings`, which the server logs and the CLI prints.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { ConfigError } from "../errors.js";
import type { LearnedRoutingSignals } from "../ports/agent-engine.js";
import {
  CategoriesFile,
  KB_FILES,
  Manifest,
  Overrides,
  PassagesFile,
  SerializedIntentModel,
  Signals,
  TreesFile,
  type Category,
  type DecisionTree,
  type Passage,
} from "./format.js";
import { IntentModel } from "./intent-model.js";

/** Strong evidence that people rarely had to step in: many flagged tickets, almost none escalated. */
const AI_SAFE_MIN_TICKETS = 20;
const AI_SAFE_MAX_SHARE = 0.05;

export interface KnowledgeBase {
  dir: string;
  manifest: Manifest;
  /** Categories with the admin's overrides applied. */
  categories: Category[];
  categoryById: ReadonlyMap<string, Category>;
  signals: Signals;
  trees: DecisionTree[];
  passages: Passage[];
  model: IntentModel;
  /** Overrides as applied: only categories the knowledge base has. */
  overrides: Overrides;
  /** Problems that did not stop the load (an override of a category that no longer exists). */
  warnings: string[];
}

async function readValidated<T extends z.ZodType>(dir: string, file: string, schema: T, yaml = false): Promise<z.infer<T>> {
  const path = join(dir, file);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new ConfigError(
      `${path} is missing: ${dir} is not a built knowledge base. Build one with ` +
        "`switchboard kb build --tickets FILE [--docs DIR] --out DIR` or point KB_DIR at one.",
    );
  }
  let data: unknown;
  try {
    data = yaml ? (parseYaml(text) ?? {}) : JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${path} cannot be parsed: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
    throw new ConfigError(`${path} is not valid: ${issues.join("; ")}. Rebuild the knowledge base or fix the file.`);
  }
  return parsed.data;
}

export function applyOverrides(categories: readonly Category[], overrides: Overrides): Category[] {
  return categories.map((category) => {
    const override = overrides.categories[category.id];
    if (!override) return category;
    return {
      ...category,
      ...(override.name ? { name: override.name } : {}),
      mustHuman: { ...category.mustHuman, value: override.mustHuman ?? category.mustHuman.value },
    };
  });
}

export async function loadKnowledgeBase(dir: string): Promise<KnowledgeBase> {
  const manifest = await readValidated(dir, KB_FILES.manifest, Manifest);
  const [rawCategories, signals, trees, passages, serializedModel] = await Promise.all([
    readValidated(dir, KB_FILES.categories, CategoriesFile),
    readValidated(dir, KB_FILES.signals, Signals),
    readValidated(dir, KB_FILES.trees, TreesFile),
    readValidated(dir, KB_FILES.passages, PassagesFile),
    readValidated(dir, KB_FILES.model, SerializedIntentModel),
  ]);
  let overrides: Overrides;
  try {
    overrides = await readValidated(dir, KB_FILES.overrides, Overrides, true);
  } catch (error) {
    // No overrides file is fine; a broken one is not.
    if (error instanceof ConfigError && error.message.includes("is missing")) overrides = Overrides.parse(undefined);
    else throw error;
  }
  let model: IntentModel;
  try {
    model = IntentModel.deserialize(serializedModel);
  } catch (error) {
    throw new ConfigError(`${join(dir, KB_FILES.model)} is not a usable model: ${(error as Error).message}`);
  }
  const known = new Set(rawCategories.map((category) => category.id));
  const unknownOverrides = Object.keys(overrides.categories).filter((id) => !known.has(id));
  const warnings = unknownOverrides.map(
    (id) => `${join(dir, KB_FILES.overrides)}: category "${id}" is not in the knowledge base (renamed or removed by a rebuild?); its override is ignored`,
  );
  const applied: Overrides = { ...overrides, categories: Object.fromEntries(Object.entries(overrides.categories).filter(([id]) => known.has(id))) };
  const categories = applyOverrides(rawCategories, applied);
  return {
    dir,
    manifest,
    categories,
    categoryById: new Map(categories.map((category) => [category.id, category])),
    signals,
    trees,
    passages,
    model,
    overrides: applied,
    warnings,
  };
}

/** What the routing rules learn from a knowledge base: mined phrases (minus ignored ones) and must-human categories. */
export function learnedRoutingSignals(kb: KnowledgeBase): LearnedRoutingSignals {
  const ignored = new Set(kb.overrides.ignorePhrases.map((phrase) => phrase.toLowerCase()));
  const keep = (phrases: string[]) => [...new Set(phrases.map((phrase) => phrase.toLowerCase()))].filter((phrase) => !ignored.has(phrase)).sort();
  return {
    frustrationPhrases: keep([...kb.signals.frustrationPhrases.map((item) => item.phrase), ...kb.overrides.frustrationPhrases]),
    humanTriggers: keep([...kb.signals.humanTriggers.map((item) => item.phrase), ...kb.overrides.humanTriggers]),
    mustHumanCategories: kb.categories.filter((category) => category.mustHuman.value).map((category) => category.id).sort(),
    aiSafeCategories: kb.categories
      .filter((category) => {
        const { withFlag, share } = category.mustHuman.evidence;
        return !category.mustHuman.value && withFlag >= AI_SAFE_MIN_TICKETS && share !== null && share <= AI_SAFE_MAX_SHARE;
      })
      .map((category) => category.id)
      .sort(),
  };
}

export type { Category, DecisionTree, Passage };
