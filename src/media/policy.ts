/**
 * Which files travel between customers and agents: images, PDFs, audio and video up to a size cap.
 * Anything else (archives, executables, HTML) is listed for agents but never carried, whichever way.
 */
export const MAX_MEDIA_BYTES = 5 * 1024 * 1024;

const ALLOWED = [/^image\//, /^audio\//, /^video\//, /^application\/pdf$/];

/** `image/png; charset=x` -> `image/png`, lower case. */
export function bareContentType(contentType: string): string {
  return (contentType.split(";")[0] ?? "").trim().toLowerCase();
}

export function isAllowedMediaType(contentType: string): boolean {
  const bare = bareContentType(contentType);
  // SVG is an image that runs scripts when opened from our origin: never served or uploaded.
  return bare !== "image/svg+xml" && ALLOWED.some((pattern) => pattern.test(bare));
}

/** Why a file is refused, in words for agents; undefined when it may travel. */
export function mediaRefusal(contentType: string, sizeBytes: number | undefined, maxBytes = MAX_MEDIA_BYTES): string | undefined {
  if (!isAllowedMediaType(contentType)) return `${bareContentType(contentType) || "unknown type"} is not a type we carry (images, PDF, audio and video only)`;
  if (sizeBytes !== undefined && sizeBytes > maxBytes) return `${formatBytes(sizeBytes)} is over the ${formatBytes(maxBytes)} limit`;
  return undefined;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, "")} MB`;
}

const EXTENSIONS: Record<string, string> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/gif": "gif",
  "image/webp": "webp",
  "image/heic": "heic",
  "application/pdf": "pdf",
  "audio/mpeg": "mp3",
  "audio/ogg": "ogg",
  "audio/amr": "amr",
  "video/mp4": "mp4",
  "video/3gpp": "3gp",
};

/** A file name safe for a Content-Disposition header and Slack: the given one cleaned, else `prefix-n.ext`. */
export function safeFileName(name: string | undefined, contentType: string, fallback: string): string {
  const cleaned = (name ?? "").replace(/[^\w.\- ]+/g, "_").replace(/^[.\s]+/, "").trim().slice(0, 120);
  if (cleaned !== "") return cleaned;
  const extension = EXTENSIONS[bareContentType(contentType)] ?? bareContentType(contentType).split("/")[1]?.replace(/[^\w]+/g, "") ?? "bin";
  return `${fallback}.${extension || "bin"}`;
}
