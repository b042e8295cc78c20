/**
 * Model answers of the kb builder, cached by content hash under `<kb>/.model-cache/`: the same task,
 * prompt version, model and (masked) input give the same file name, so a rebuild of unchanged input
 * pays nothing. Entries are validated again when read; a corrupt entry is ignored and asked again.
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { z } from "zod";

export const CACHE_DIR = ".model-cache";

export interface CacheStats {
  hits: number;
  misses: number;
}

export class ContentCache {
  readonly stats: CacheStats = { hits: 0, misses: 0 };

  constructor(private readonly dir: string) {}

  static keyOf(parts: unknown): string {
    return createHash("sha256").update(JSON.stringify(parts)).digest("hex");
  }

  async remember<T>(parts: unknown, schema: z.ZodType<T>, compute: () => Promise<T>): Promise<T> {
    const path = join(this.dir, `${ContentCache.keyOf(parts)}.json`);
    const cached = await readFile(path, "utf8").then(
      (text) => schema.safeParse(JSON.parse(text)),
      () => undefined,
    ).catch(() => undefined);
    if (cached?.success) {
      this.stats.hits += 1;
      return cached.data;
    }
    this.stats.misses += 1;
    const value = await compute();
    await mkdir(this.dir, { recursive: true });
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(value), "utf8");
    await rename(temporary, path);
    return value;
  }
}
