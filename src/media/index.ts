/**
 * Media between customers and agents, assembled for the composition root: agents' files are kept under
 * `DATA_DIR/media` and published at `PUBLIC_URL/media/<signed token>` for 24 hours (the signing key is
 * generated once under DATA_DIR); customers' attachments are fetched only through their channel adapter.
 */
import { join } from "node:path";
import type { Attachment } from "../domain/model.js";
import { persistentSecret } from "../config/persistent-secret.js";
import { NotImplementedError } from "../errors.js";
import type { ChannelAdapter } from "../ports/channel-adapter.js";
import type { CustomerMediaSource, DeskMedia, MediaFile, MediaPublisher } from "../ports/media.js";
import type { FastifyInstance } from "fastify";
import { MediaFileStore } from "./file-store.js";
import { MEDIA_PATH, mediaRoutes } from "./media-routes.js";
import { signMediaToken } from "./signed-token.js";

export { MAX_MEDIA_BYTES, formatBytes, isAllowedMediaType, mediaRefusal, safeFileName, bareContentType } from "./policy.js";
export { checkMediaToken, signMediaToken } from "./signed-token.js";

export const MEDIA_TTL_MS = 24 * 3_600_000;

export interface MediaServiceOptions {
  dataDir: string;
  publicUrl: string;
  now: () => Date;
  /** Defaults to the key kept under DATA_DIR/secrets/media-secret. */
  secret?: string;
  ttlMs?: number;
}

export interface MediaService {
  publisher: MediaPublisher;
  route: (app: FastifyInstance) => Promise<void>;
}

export function createMediaService(options: MediaServiceOptions): MediaService {
  // Made (or read) on first use: a process that never handles media writes no key.
  let key = options.secret;
  const secret = () => (key ??= persistentSecret(options.dataDir, "media-secret"));
  const files = new MediaFileStore(join(options.dataDir, "media"), options.now);
  const ttlMs = options.ttlMs ?? MEDIA_TTL_MS;
  const publisher: MediaPublisher = {
    async publish(file: MediaFile): Promise<Attachment> {
      const expiresAt = new Date(options.now().getTime() + ttlMs);
      const id = await files.put(file, expiresAt);
      const url = `${options.publicUrl}${MEDIA_PATH}/${signMediaToken(secret(), id, expiresAt)}`;
      return { url, contentType: file.contentType, sizeBytes: file.bytes.length, ...(file.name ? { name: file.name } : {}) };
    },
  };
  return { publisher, route: mediaRoutes({ files, secret, now: options.now }) };
}

/** Customer media through the conversation's own channel: a channel that cannot fetch it refuses. */
export function channelMediaSource(channels: ReadonlyMap<string, ChannelAdapter>): CustomerMediaSource {
  return {
    async fetch(channelId, attachment) {
      const channel = channels.get(channelId);
      if (!channel?.fetchAttachment) throw new NotImplementedError(`fetching attachments on channel ${channelId}`);
      return channel.fetchAttachment(attachment);
    },
  };
}

export function deskMedia(service: MediaService, channels: ReadonlyMap<string, ChannelAdapter>): DeskMedia {
  return { source: channelMediaSource(channels), publisher: service.publisher };
}
