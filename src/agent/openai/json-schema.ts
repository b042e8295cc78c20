/**
 * zod schemas -> the JSON Schema subset OpenAI's strict structured outputs and function tools accept.
 * zod stays the source of truth and validates what comes back; the JSON Schema only steers the model, so
 * keywords strict mode rejects (string lengths, defaults, `$schema`) are dropped here rather than weakening
 * the zod side.
 */
import { z } from "zod";

const DROPPED = new Set(["$schema", "default", "minLength", "maxLength"]);

function clean(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(clean);
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (DROPPED.has(key)) continue;
    // zod writes Number.MAX_SAFE_INTEGER as the ceiling of every int: noise for the model.
    if ((key === "maximum" || key === "minimum") && typeof value === "number" && Math.abs(value) >= Number.MAX_SAFE_INTEGER) continue;
    out[key] = clean(value);
  }
  // Strict mode: every object closed and every property listed as required (model-facing schemas use
  // `nullable` rather than `optional` for that reason).
  if (out.type === "object" && out.properties !== null && typeof out.properties === "object") {
    out.additionalProperties = false;
    out.required = Object.keys(out.properties);
  }
  return out;
}

/** The schema of what the model must write: the *input* side of the zod schema (before transforms). */
export function strictJsonSchema(schema: z.ZodType): Record<string, unknown> {
  return clean(z.toJSONSchema(schema, { io: "input", unrepresentable: "any" })) as Record<string, unknown>;
}
