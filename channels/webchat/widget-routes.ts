/**
 * The static side of web chat: `GET /webchat.js` (the embeddable widget: one vanilla script, its styles
 * inlined into it at start-up so a host page needs a single tag) and `GET /` (the demo page of a
 * fictional BNPL company, with the widget on it). Both are read once and served from memory.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { FastifyInstance } from "fastify";
import type { WebchatChannelSettings } from "./config.js";

const WIDGET_DIR = new URL("./widget/", import.meta.url);
const CSS_PLACEHOLDER = '"__WEBCHAT_CSS__"';

export interface WidgetAssets {
  script: string;
  scriptEtag: string;
  demoPage: string;
}

export async function loadWidgetAssets(settings: WebchatChannelSettings): Promise<WidgetAssets> {
  const [script, css, demo] = await Promise.all([
    readFile(new URL("webchat.js", WIDGET_DIR), "utf8"),
    readFile(new URL("webchat.css", WIDGET_DIR), "utf8"),
    readFile(new URL("demo.html", WIDGET_DIR), "utf8"),
  ]);
  if (!script.includes(CSS_PLACEHOLDER)) throw new Error("webchat.js lost its CSS placeholder");
  const bundled = script.replace(CSS_PLACEHOLDER, () => JSON.stringify(css));
  return {
    script: bundled,
    scriptEtag: `"${createHash("sha256").update(bundled).digest("base64url").slice(0, 27)}"`,
    demoPage: demo.replaceAll("{{title}}", escapeHtml(settings.title)).replaceAll("{{channelId}}", escapeHtml(settings.id)),
  };
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

export function registerWidgetRoutes(app: FastifyInstance, assets: WidgetAssets): void {
  app.get("/webchat.js", async (request, reply) => {
    reply
      .header("Content-Type", "application/javascript; charset=utf-8")
      // Short freshness plus an ETag: a new release reaches host pages within minutes, cheaply.
      .header("Cache-Control", "public, max-age=300, stale-while-revalidate=3600")
      .header("ETag", assets.scriptEtag)
      // Host pages on other origins (also with cross-origin isolation) may load it.
      .header("Cross-Origin-Resource-Policy", "cross-origin")
      .header("X-Content-Type-Options", "nosniff");
    if (request.headers["if-none-match"] === assets.scriptEtag) return reply.code(304).send();
    return reply.send(assets.script);
  });

  app.get("/", async (_request, reply) => {
    reply
      .header("Content-Type", "text/html; charset=utf-8")
      .header("Cache-Control", "no-cache")
      .header(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self' ws: wss:; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'",
      )
      .header("X-Content-Type-Options", "nosniff")
      .header("Referrer-Policy", "no-referrer");
    return reply.send(assets.demoPage);
  });
}
