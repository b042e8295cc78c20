/**
 * Which pages may open web chat sessions and sockets. Browsers always send `Origin` on WebSocket
 * handshakes and on cross-origin POSTs; a request without it is not a browser page, and the Origin check
 * is a defence against other sites' pages, not against scripts (which authenticate by token anyway).
 */
import type { FastifyReply } from "fastify";

export class OriginPolicy {
  private readonly allowed: ReadonlySet<string> | undefined;

  constructor(allowedOrigins: readonly string[], publicUrl: string) {
    if (allowedOrigins.length === 0) {
      this.allowed = undefined;
      return;
    }
    const own = safeOrigin(publicUrl);
    this.allowed = new Set([...allowedOrigins, ...(own ? [own] : [])]);
  }

  /** Every origin is allowed (no list configured). */
  get open(): boolean {
    return this.allowed === undefined;
  }

  allows(origin: string | undefined): boolean {
    if (origin === undefined) return true;
    if (this.allowed === undefined) return true;
    return this.allowed.has(origin);
  }

  /** CORS headers for an allowed browser origin (the token travels in the body: no credentials). */
  applyCors(reply: FastifyReply, origin: string | undefined): void {
    reply.header("Vary", "Origin");
    if (origin === undefined || !this.allows(origin)) return;
    reply.header("Access-Control-Allow-Origin", origin);
    reply.header("Access-Control-Allow-Methods", "POST, OPTIONS");
    reply.header("Access-Control-Allow-Headers", "content-type");
    reply.header("Access-Control-Max-Age", "600");
  }
}

function safeOrigin(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

export function originHeader(headers: Record<string, string | string[] | undefined>): string | undefined {
  const value = headers.origin;
  return typeof value === "string" ? value : undefined;
}
