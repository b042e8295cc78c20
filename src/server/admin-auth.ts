/** `Authorization: Bearer <ADMIN_TOKEN>` for admin routes, compared in constant time. */
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

export function bearerMatches(header: string | undefined, token: string): boolean {
  if (!header?.startsWith("Bearer ")) return false;
  return timingSafeEqual(digest(header.slice("Bearer ".length).trim()), digest(token));
}

/** A Fastify preHandler that answers 401 unless the request carries the admin token. */
export function requireAdmin(token: string) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!bearerMatches(request.headers.authorization, token)) {
      await reply.status(401).header("www-authenticate", "Bearer").send({ error: "auth.invalid", message: "send Authorization: Bearer <ADMIN_TOKEN>" });
    }
  };
}
