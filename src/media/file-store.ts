/**
 * Agents' files on disk under `DATA_DIR/media`: `<id>.bin` holds the bytes, `<id>.json` the content
 * type, name and expiry. Ids are random (never derived from the upload), written with owner-only
 * permissions; expired files are swept when new ones are written, at most once an hour.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import type { MediaFile } from "../ports/media.js";

const SWEEP_EVERY_MS = 3_600_000;
const StoredMeta = z.object({ contentType: z.string().min(1), name: z.string().optional(), expiresAt: z.string() });

export interface StoredMedia extends MediaFile {
  expiresAt: Date;
}

export class MediaFileStore {
  private lastSweep = 0;

  constructor(
    private readonly directory: string,
    private readonly now: () => Date,
  ) {}

  async put(file: MediaFile, expiresAt: Date): Promise<string> {
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    const id = randomBytes(18).toString("base64url");
    await writeFile(join(this.directory, `${id}.bin`), file.bytes, { mode: 0o600 });
    const meta = { contentType: file.contentType, ...(file.name ? { name: file.name } : {}), expiresAt: expiresAt.toISOString() };
    await writeFile(join(this.directory, `${id}.json`), JSON.stringify(meta), { mode: 0o600 });
    await this.sweepNowAndThen();
    return id;
  }

  /** The file, or undefined when there is none (never written, swept, or unreadable). */
  async get(id: string): Promise<StoredMedia | undefined> {
    try {
      const meta = StoredMeta.parse(JSON.parse(await readFile(join(this.directory, `${id}.json`), "utf8")));
      const bytes = await readFile(join(this.directory, `${id}.bin`));
      return { contentType: meta.contentType, bytes, name: meta.name, expiresAt: new Date(meta.expiresAt) };
    } catch {
      return undefined;
    }
  }

  private async sweepNowAndThen(): Promise<void> {
    const now = this.now().getTime();
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    for (const entry of await readdir(this.directory)) {
      if (!entry.endsWith(".json")) continue;
      const id = entry.slice(0, -".json".length);
      const stored = await this.get(id);
      if (stored && stored.expiresAt.getTime() > now) continue;
      await rm(join(this.directory, `${id}.json`), { force: true });
      await rm(join(this.directory, `${id}.bin`), { force: true });
    }
  }
}
