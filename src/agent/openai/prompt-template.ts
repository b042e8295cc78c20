/**
 * The support-agent instructions are a versioned, editable Markdown file: a YAML header (`prompt`,
 * `version`) and a body with `{{placeholders}}`. The shipped one is prompts/support-agent.v1.md; an
 * admin points OPENAI_PROMPT_FILE at their own. The file is checked when it loads: a missing header, an
 * unknown placeholder or a body that never mentions the data boundary stops start-up with a clear message.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { ConfigError, errorMessage } from "../../errors.js";

export const SHIPPED_PROMPT_PATH = fileURLToPath(new URL("./prompts/support-agent.v1.md", import.meta.url));

export const PROMPT_PLACEHOLDERS = ["company_name", "today", "channel", "customer_status", "boundary", "max_reply_chars"] as const;
export type PromptValues = Record<(typeof PROMPT_PLACEHOLDERS)[number], string>;

const Header = z.object({
  prompt: z.string().regex(/^[a-z0-9-]{1,60}$/, "must be a short lower-case name"),
  version: z.union([z.number().int().positive(), z.string().regex(/^[0-9A-Za-z.-]{1,20}$/)]).transform(String),
});

const MAX_TEMPLATE_CHARS = 40_000;

export interface PromptTemplate {
  id: string;
  version: string;
  /** Where it was read from (for logs and the conversation record). */
  source: string;
  body: string;
  render(values: PromptValues): string;
}

export function parsePromptTemplate(text: string, source: string): PromptTemplate {
  if (text.length > MAX_TEMPLATE_CHARS) throw new ConfigError(`${source}: the prompt template is longer than ${MAX_TEMPLATE_CHARS} characters`);
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n([\s\S]*)$/.exec(text);
  if (!match) throw new ConfigError(`${source}: the prompt template must start with a header between "---" lines (prompt: NAME, version: N)`);
  let header: unknown;
  try {
    header = parseYaml(match[1] ?? "");
  } catch (error) {
    throw new ConfigError(`${source}: the prompt header is not valid YAML: ${errorMessage(error)}`);
  }
  const parsed = Header.safeParse(header);
  if (!parsed.success) {
    throw new ConfigError(`${source}: the prompt header is invalid: ${parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")}`);
  }
  const body = (match[2] ?? "").trim();
  if (body.length === 0) throw new ConfigError(`${source}: the prompt template has no text after its header`);
  const used = [...body.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)].map((found) => found[1] ?? "");
  const unknown = [...new Set(used.filter((name) => !(PROMPT_PLACEHOLDERS as readonly string[]).includes(name)))];
  if (unknown.length > 0) {
    throw new ConfigError(`${source}: unknown placeholder(s) ${unknown.map((name) => `{{${name}}}`).join(", ")}; known: ${PROMPT_PLACEHOLDERS.map((name) => `{{${name}}}`).join(" ")}`);
  }
  if (!used.includes("boundary")) {
    throw new ConfigError(`${source}: the prompt must tell the model how data is delimited: mention {{boundary}} (see the shipped support-agent.v1.md)`);
  }
  return {
    id: parsed.data.prompt,
    version: parsed.data.version,
    source,
    body,
    render(values) {
      // A function replacement: `$` in a value is literal text, not a back-reference.
      return body.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (_whole, name: string) => values[name as keyof PromptValues]);
    },
  };
}

export function loadPromptTemplate(path: string = SHIPPED_PROMPT_PATH): PromptTemplate {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(`cannot read the prompt template ${path} (OPENAI_PROMPT_FILE): ${errorMessage(error)}`);
  }
  return parsePromptTemplate(text, path);
}
