/**
 * Slack's files, for the fake Web API (test/fakes/slack-api.ts): the external upload flow behind
 * `WebClient.filesUploadV2` (files.getUploadURLExternal, then the bytes POSTed to the returned
 * `upload_url` as raw bytes or multipart form data, then files.completeUploadExternal), and files that
 * people post, served at their `url_private_download` only with the bot token as Bearer (without it
 * Slack answers its sign-in page, HTML, status 200).
 */
import { randomBytes } from "node:crypto";

export interface FakeSlackFile {
  id: string;
  name: string;
  title: string;
  mimetype: string;
  bytes: Buffer;
  /** Set once the bytes arrived at the upload URL (uploads) or at once (people's files). */
  uploaded: boolean;
  completed: boolean;
}

const MIMETYPES: Record<string, string> = { png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", gif: "image/gif", pdf: "application/pdf", zip: "application/zip", txt: "text/plain", mp3: "audio/mpeg", mp4: "video/mp4" };

export function mimetypeOf(name: string): string {
  return MIMETYPES[name.split(".").pop()?.toLowerCase() ?? ""] ?? "application/octet-stream";
}

export class FakeSlackFiles {
  readonly byId = new Map<string, FakeSlackFile>();

  constructor(
    private readonly origin: () => string,
    private readonly teamId: string,
  ) {}

  newId(): string {
    return `F${randomBytes(5).toString("hex").toUpperCase()}`;
  }

  /** files.getUploadURLExternal: a file id and where its bytes go. */
  reserve(params: Record<string, unknown>): Record<string, unknown> {
    const filename = typeof params.filename === "string" ? params.filename : "";
    const length = Number(params.length);
    if (filename === "" || !Number.isInteger(length) || length <= 0) return { ok: false, error: "invalid_arguments" };
    const id = this.newId();
    this.byId.set(id, { id, name: filename, title: filename, mimetype: mimetypeOf(filename), bytes: Buffer.alloc(0), uploaded: false, completed: false });
    return { ok: true, upload_url: `${this.origin()}/upload/v1/${id}`, file_id: id };
  }

  /** The POST to an upload URL: raw bytes, or multipart form data whose file part holds them. */
  async receive(id: string, body: Buffer, contentType: string | undefined): Promise<{ status: number; text: string }> {
    const file = this.byId.get(id);
    if (!file || file.uploaded) return { status: 404, text: "Not Found" };
    if ((contentType ?? "").startsWith("multipart/form-data")) {
      const form = await new Response(new Uint8Array(body), { headers: { "content-type": contentType! } }).formData();
      const part = [...form.values()].find((value): value is File => typeof value !== "string");
      if (!part) return { status: 400, text: "no file part" };
      file.bytes = Buffer.from(await part.arrayBuffer());
    } else {
      file.bytes = body;
    }
    file.uploaded = true;
    return { status: 200, text: `OK - ${file.bytes.length}` };
  }

  /** files.completeUploadExternal's `files` argument resolved: the ids, all uploaded, or Slack's error. */
  complete(raw: unknown): { files: FakeSlackFile[] } | { error: string } {
    const list = typeof raw === "string" ? (JSON.parse(raw) as unknown) : raw;
    if (!Array.isArray(list) || list.length === 0) return { error: "invalid_arguments" };
    const files: FakeSlackFile[] = [];
    for (const entry of list as Array<{ id?: unknown; title?: unknown }>) {
      const file = typeof entry.id === "string" ? this.byId.get(entry.id) : undefined;
      if (!file || !file.uploaded) return { error: "file_not_found" };
      if (typeof entry.title === "string" && entry.title !== "") file.title = entry.title;
      file.completed = true;
      files.push(file);
    }
    return { files };
  }

  /** A file a person shares in Slack; returns it as Slack puts it in a message event's `files`. */
  addUserFile(input: { name: string; bytes: Buffer; mimetype?: string; size?: number }): Record<string, unknown> {
    const id = this.newId();
    const file: FakeSlackFile = { id, name: input.name, title: input.name, mimetype: input.mimetype ?? mimetypeOf(input.name), bytes: input.bytes, uploaded: true, completed: true };
    this.byId.set(id, file);
    return { ...this.describe(file), ...(input.size !== undefined ? { size: input.size } : {}) };
  }

  /** A file object the way Slack's API and events describe it. */
  describe(file: FakeSlackFile): Record<string, unknown> {
    const url = `${this.origin()}/files-pri/${this.teamId}-${file.id}`;
    return {
      id: file.id,
      name: file.name,
      title: file.title,
      mimetype: file.mimetype,
      filetype: file.name.split(".").pop() ?? "",
      size: file.bytes.length,
      mode: "hosted",
      is_external: false,
      url_private: `${url}/${encodeURIComponent(file.name)}`,
      url_private_download: `${url}/download/${encodeURIComponent(file.name)}`,
    };
  }

  /** GET of a `url_private(_download)`: the bytes for the bot token, the sign-in page for anyone else. */
  serve(path: string, authorized: boolean): { status: number; headers: Record<string, string>; body: Buffer } {
    const match = /^\/files-pri\/[A-Z0-9]+-(F[0-9A-F]+)\//.exec(path);
    const file = match ? this.byId.get(match[1]!) : undefined;
    if (!authorized) return { status: 200, headers: { "content-type": "text/html; charset=utf-8" }, body: Buffer.from("<!DOCTYPE html><title>Slack</title><p>Sign in to your workspace") };
    if (!file || !file.completed) return { status: 404, headers: { "content-type": "text/plain" }, body: Buffer.from("not found") };
    return { status: 200, headers: { "content-type": file.mimetype, "content-length": String(file.bytes.length) }, body: file.bytes };
  }
}
