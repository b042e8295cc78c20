/**
 * `GET /media/:token`: an agent's file, for the customer's channel to fetch (Twilio downloads outbound
 * media itself). Only signed, unexpired tokens open a file: a forged token is a 404, an expired one a
 * 410. Files are sent as attachments with their stored type and `nosniff`, so a browser never renders
 * them as a page of ours.
 */
import type { FastifyInstance } from "fastify";
import type { MediaFileStore } from "./file-store.js";
import { checkMediaToken } from "./signed-token.js";

export interface MediaRoutesOptions {
  files: MediaFileStore;
  /** The signing key (read lazily: src/media/index.ts). */
  secret: () => string;
  now: () => Date;
}

export const MEDIA_PATH = "/media";

export function mediaRoutes(options: MediaRoutesOptions): (app: FastifyInstance) => Promise<void> {
  return async (app) => {
    app.get<{ Params: { token: string } }>(`${MEDIA_PATH}/:token`, async (request, reply) => {
      const now = options.now();
      const check = checkMediaToken(options.secret(), request.params.token.slice(0, 300), now);
      reply.header("cache-control", "private, no-store").header("x-content-type-options", "nosniff");
      if (check.kind === "forged") return reply.code(404).send({ error: "not_found" });
      if (check.kind === "expired") return reply.code(410).send({ error: "expired" });
      const file = await options.files.get(check.id);
      if (!file) return reply.code(404).send({ error: "not_found" });
      if (file.expiresAt.getTime() <= now.getTime()) return reply.code(410).send({ error: "expired" });
      const name = (file.name ?? "file").replace(/["\\\r\n]/g, "_");
      return reply
        .header("content-type", file.contentType)
        .header("content-length", String(file.bytes.length))
        .header("content-disposition", `attachment; filename="${name}"`)
        .header("content-security-policy", "default-src 'none'; sandbox")
        .send(file.bytes);
    });
  };
}
