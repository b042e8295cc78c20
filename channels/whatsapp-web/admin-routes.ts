/**
 * What the admin needs to link and watch a WhatsApp Web number, behind `ADMIN_TOKEN`
 * (`Authorization: Bearer <token>`): the login QR code as a PNG, the session status, and the media
 * customers sent. Literal paths per channel, so an unknown channel id is the server's 404.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import QRCode from "qrcode";
import { bearerMatches } from "../../src/server/admin-auth.js";
import type { MediaStore } from "./media-store.js";
import type { SessionStatus } from "./session.js";

export interface AdminRouteOptions {
  channelId: string;
  adminToken: string | undefined;
  status: () => SessionStatus;
  pendingQr: () => string | undefined;
  media: MediaStore;
}

export function adminPaths(channelId: string): { qr: string; status: string; media: string } {
  const base = `/admin/channels/${channelId}`;
  return { qr: `${base}/qr.png`, status: `${base}/status`, media: `${base}/media` };
}

/** Returns true when the request may proceed; otherwise the reply has been sent. */
function authorize(request: FastifyRequest, reply: FastifyReply, adminToken: string | undefined): boolean {
  if (adminToken === undefined) {
    void reply.code(503).send({ error: "admin.disabled", message: "Set ADMIN_TOKEN to use the admin routes." });
    return false;
  }
  if (!bearerMatches(request.headers.authorization, adminToken)) {
    void reply.code(401).header("www-authenticate", 'Bearer realm="switchboard-admin"').send({ error: "auth.invalid", message: "A valid admin bearer token is required." });
    return false;
  }
  return true;
}

export function registerAdminRoutes(app: FastifyInstance, options: AdminRouteOptions): void {
  const paths = adminPaths(options.channelId);
  const noStore = (reply: FastifyReply) => reply.header("cache-control", "no-store");

  app.get(paths.qr, async (request, reply) => {
    if (!authorize(request, reply, options.adminToken)) return reply;
    const qr = options.pendingQr();
    if (qr === undefined) {
      const { state } = options.status();
      return noStore(reply).code(404).send({ error: "qr.none", message: `No login QR code is waiting to be scanned; the session is ${state.replaceAll("_", " ")}.`, state });
    }
    const png = await QRCode.toBuffer(qr, { type: "png", width: 384, margin: 2, errorCorrectionLevel: "L" });
    return noStore(reply).type("image/png").send(png);
  });

  app.get(paths.status, async (request, reply) => {
    if (!authorize(request, reply, options.adminToken)) return reply;
    const status = options.status();
    return noStore(reply).send({ ...status, qrPending: options.pendingQr() !== undefined });
  });

  app.get<{ Params: { name: string } }>(`${paths.media}/:name`, async (request, reply) => {
    if (!authorize(request, reply, options.adminToken)) return reply;
    const file = await options.media.load(request.params.name);
    if (file === null) return reply.code(404).send({ error: "not_found", message: "no such media" });
    return reply.type(file.contentType).header("x-content-type-options", "nosniff").header("content-disposition", "inline").send(file.bytes);
  });
}
