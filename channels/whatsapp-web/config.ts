/**
 * A whatsapp-web.js channel's entry in the channels file. No credentials: the session is a linked
 * device, authorised once by scanning a QR code, and kept under `<DATA_DIR>/whatsapp-web/<id>`.
 */
import { z } from "zod";
import { channelSettings, type ChannelEntry } from "../../src/config/channels-file.js";

/** A YAML section left with only comments in it parses as null: treat it as absent. */
const section = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === null ? undefined : value), schema);

export const WhatsAppWebSettings = z
  .object({
    id: z.string(),
    kind: z.literal("whatsapp_web"),
    /** The system Chromium (Debian package `chromium`); puppeteer's own download is not used. */
    executablePath: z.string().min(1).default("/usr/bin/chromium"),
    headless: z.boolean().default(true),
    /** Extra Chromium flags, added to the ones Switchboard always passes. */
    chromiumArgs: z.array(z.string().regex(/^--[a-z0-9-]+(=.*)?$/, "must be a --flag")).default([]),
    /** Messages per second to customers; keep it low: WhatsApp bans numbers that behave like bots. */
    rateLimit: section(
      z
        .object({ perSecond: z.number().positive().max(10).default(1), burst: z.number().int().positive().max(20).optional() })
        .default({ perSecond: 1 }),
    ),
    media: section(
      z
        .object({ maxBytes: z.number().int().positive().max(100 * 1024 * 1024).default(5 * 1024 * 1024) })
        .default({ maxBytes: 5 * 1024 * 1024 }),
    ),
    reconnect: section(
      z
        .object({
          initialDelayMs: z.number().int().positive().max(600_000).default(2_000),
          maxDelayMs: z.number().int().positive().max(3_600_000).default(300_000),
        })
        .default({ initialDelayMs: 2_000, maxDelayMs: 300_000 }),
    ),
    /** Print the login QR code on the terminal as well as serving it to the admin. */
    printQr: z.boolean().default(true),
  })
  .passthrough()
  .refine((settings) => settings.reconnect.initialDelayMs <= settings.reconnect.maxDelayMs, {
    path: ["reconnect"],
    message: "initialDelayMs must not exceed maxDelayMs",
  });
export type WhatsAppWebSettings = z.infer<typeof WhatsAppWebSettings>;

export function loadWhatsAppWebSettings(entry: ChannelEntry): WhatsAppWebSettings {
  return channelSettings(entry, WhatsAppWebSettings);
}
