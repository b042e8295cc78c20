/**
 * Documents into retrievable passages: Markdown files are cut at their headings, long sections at
 * paragraph breaks, so a passage answers one question. Decision trees (`*.tree.yaml` anywhere under
 * the docs folder) are read and validated here too.
 */
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { parse as parseYaml } from "yaml";
import { ValidationError } from "../errors.js";
import { DecisionTree, type Passage } from "./format.js";
import { detectLanguage } from "./language.js";

const MAX_PASSAGE_WORDS = 140;

export interface DocSource {
  file: string;
  sha256: string;
}

export interface DocsResult {
  passages: Passage[];
  trees: DecisionTree[];
  sources: DocSource[];
  documents: number;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(path)));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}

export function slugify(text: string): string {
  return (
    text
      .normalize("NFD")
      .replace(/\p{M}+/gu, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 60) || "section"
  );
}

/** Markdown emphasis, links and list markers removed; what a customer can read in a chat. */
export function plainText(markdown: string): string {
  return markdown
    .replace(/```[\s\S]*?```/g, " ")
    .replace(/!\[[^\]]*\]\([^)]*\)/g, " ")
    .replace(/\[([^\]]+)\]\(([^)]+)\)/g, "$1 ($2)")
    .replace(/^\s{0,3}>\s?/gm, "")
    .replace(/^\s*[-*+]\s+/gm, "- ")
    .replace(/[*_`]{1,3}([^*_`]+)[*_`]{1,3}/g, "$1")
    .replace(/[ \t]+/g, " ")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

function chunkSection(text: string): string[] {
  const paragraphs = text.split(/\n\s*\n/).map((paragraph) => paragraph.trim()).filter(Boolean);
  const chunks: string[] = [];
  let current: string[] = [];
  let count = 0;
  for (const paragraph of paragraphs) {
    const size = paragraph.split(/\s+/).length;
    if (count > 0 && count + size > MAX_PASSAGE_WORDS) {
      chunks.push(current.join("\n\n"));
      current = [];
      count = 0;
    }
    current.push(paragraph);
    count += size;
  }
  if (current.length > 0) chunks.push(current.join("\n\n"));
  return chunks;
}

/** Splits one Markdown document into passages, titled by the heading path that leads to them. */
export function passagesOfMarkdown(file: string, markdown: string): Passage[] {
  const body = markdown.replace(/^---\n[\s\S]*?\n---\n/, "");
  const docSlug = slugify(file.replace(/\.(md|markdown)$/i, ""));
  const passages: Passage[] = [];
  const headings: string[] = [];
  let buffer: string[] = [];
  const usedIds = new Set<string>();
  const flush = () => {
    const text = plainText(buffer.join("\n"));
    buffer = [];
    if (!text) return;
    const title = headings.filter(Boolean).join(" > ") || file;
    const base = `${docSlug}#${slugify(headings[headings.length - 1] ?? "intro")}`;
    chunkSection(text).forEach((chunk, index) => {
      let id = index === 0 ? base : `${base}-${index + 1}`;
      for (let n = 2; usedIds.has(id); n += 1) id = `${base}-${n}`;
      usedIds.add(id);
      passages.push({ id, doc: file, title, text: chunk, lang: detectLanguage(`${title} ${chunk}`) });
    });
  };
  for (const line of body.split(/\r?\n/)) {
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      flush();
      const level = (heading[1] as string).length;
      headings.length = level - 1;
      headings[level - 1] = (heading[2] as string).trim();
      continue;
    }
    buffer.push(line);
  }
  flush();
  return passages;
}

export async function readDocs(dir: string | undefined): Promise<DocsResult> {
  if (!dir) return { passages: [], trees: [], sources: [], documents: 0 };
  let files: string[];
  try {
    files = await listFiles(dir);
  } catch (error) {
    throw new ValidationError(`cannot read the docs folder ${dir}: ${(error as Error).message}`);
  }
  const result: DocsResult = { passages: [], trees: [], sources: [], documents: 0 };
  for (const path of files) {
    const file = relative(dir, path).split(sep).join("/");
    const isMarkdown = /\.(md|markdown)$/i.test(file);
    const isTree = /\.tree\.ya?ml$/i.test(file);
    if (!isMarkdown && !isTree) continue;
    const content = await readFile(path, "utf8");
    result.sources.push({ file, sha256: createHash("sha256").update(content).digest("hex") });
    if (isMarkdown) {
      result.documents += 1;
      result.passages.push(...passagesOfMarkdown(file, content));
    } else {
      let data: unknown;
      try {
        data = parseYaml(content);
      } catch (error) {
        throw new ValidationError(`${file} is not valid YAML: ${(error as Error).message}`);
      }
      const parsed = DecisionTree.safeParse(data);
      if (!parsed.success) {
        throw new ValidationError(
          `${file} is not a valid decision tree: ${parsed.error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`).join("; ")}`,
        );
      }
      result.trees.push(parsed.data);
    }
  }
  return result;
}
