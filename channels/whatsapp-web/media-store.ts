/**
 * Media customers send over WhatsApp Web exists only inside the linked browser session, so it is
 * downloaded at once and kept on disk under `<DATA_DIR>/whatsapp-web/<id>/media/`, named by content
 * hash (the same picture twice is one file), and served back to admins by name.
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

const EXTENSIONS: Record<string, string> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/webp": "webp",
  "image/gif": "gif",
  "video/mp4": "mp4",
  "video/3gpp": "3gp",
  "audio/ogg": "ogg",
  "audio/mpeg": "mp3",
  "audio/mp4": "m4a",
  "audio/aac": "aac",
  "application/pdf": "pdf",
  "text/plain": "txt",
};
const TYPES: Record<string, string> = Object.fromEntries(Object.entries(EXTENSIONS).map(([type, extension]) => [extension, type]));

/** Only names this store writes: no path can escape the folder. */
export const MEDIA_FILE_NAME = /^[0-9a-f]{64}\.[a-z0-9]{1,4}$/;

export class MediaStore {
  constructor(private readonly directory: string) {}

  async save(bytes: Buffer, mimetype: string): Promise<string> {
    const essence = mimetype.split(";")[0]!.trim().toLowerCase();
    const name = `${createHash("sha256").update(bytes).digest("hex")}.${EXTENSIONS[essence] ?? "bin"}`;
    await mkdir(this.directory, { recursive: true });
    await writeFile(join(this.directory, name), bytes);
    return name;
  }

  /** Null when the name is not one of ours or the file is gone. */
  async load(name: string): Promise<{ bytes: Buffer; contentType: string } | null> {
    if (!MEDIA_FILE_NAME.test(name)) return null;
    try {
      const bytes = await readFile(join(this.directory, name));
      return { bytes, contentType: TYPES[name.split(".")[1]!] ?? "application/octet-stream" };
    } catch {
      return null;
    }
  }
}
