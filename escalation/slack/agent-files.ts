/**
 * Files an agent attached to a thread reply, made ready for the customer: each is downloaded from
 * Slack's file host with the bot token (needs the `files:read` scope), checked against the media
 * policy, and published (src/media) at a public, signed, expiring URL the customer's channel can fetch.
 * The token goes only to Slack's file host (or the configured API host: proxies, tests), redirects are
 * not followed, and a refused file comes back with the reason in words for the agent.
 */
import type { Attachment } from "../../src/domain/model.js";
import { errorMessage } from "../../src/errors.js";
import { BodyTooLargeError, readCappedBody } from "../../src/http/read-capped-body.js";
import { MAX_MEDIA_BYTES, bareContentType, formatBytes, mediaRefusal, safeFileName } from "../../src/media/policy.js";
import type { MediaPublisher } from "../../src/ports/media.js";
import type { SlackFileRef } from "./tasks.js";

export interface AgentFilesOptions {
  botToken: string;
  /** SLACK_API_URL: its origin is trusted like files.slack.com. */
  apiUrl?: string | undefined;
  publisher: MediaPublisher;
  fetch?: typeof globalThis.fetch;
  maxBytes?: number;
}

export interface PreparedAgentFiles {
  attachments: Attachment[];
  /** `name: reason` for each file that does not go to the customer. */
  refused: string[];
}

class RefusedFile extends Error {}

export async function prepareAgentFiles(files: readonly SlackFileRef[], options: AgentFilesOptions): Promise<PreparedAgentFiles> {
  const prepared: PreparedAgentFiles = { attachments: [], refused: [] };
  for (const [index, file] of files.entries()) {
    const name = safeFileName(file.name, file.mimetype ?? "application/octet-stream", `file-${index + 1}`);
    try {
      const declared = mediaRefusal(file.mimetype ?? "", file.size, options.maxBytes ?? MAX_MEDIA_BYTES);
      if (declared) throw new RefusedFile(declared);
      const downloaded = await downloadSlackFile(file, options);
      prepared.attachments.push(await options.publisher.publish({ ...downloaded, name }));
    } catch (error) {
      if (!(error instanceof RefusedFile)) throw error;
      prepared.refused.push(`${name}: ${error.message}`);
    }
  }
  return prepared;
}

function trustedFileUrl(raw: string, apiUrl: string | undefined): boolean {
  try {
    const url = new URL(raw);
    if (url.username !== "" || url.password !== "") return false;
    if (apiUrl !== undefined && url.origin === new URL(apiUrl).origin) return true;
    return url.protocol === "https:" && url.hostname === "files.slack.com" && (url.port === "" || url.port === "443");
  } catch {
    return false;
  }
}

async function downloadSlackFile(file: SlackFileRef, options: AgentFilesOptions): Promise<{ contentType: string; bytes: Buffer }> {
  const maxBytes = options.maxBytes ?? MAX_MEDIA_BYTES;
  const url = file.urlPrivateDownload;
  if (url === undefined) throw new RefusedFile("Slack sent no download link for it");
  if (!trustedFileUrl(url, options.apiUrl)) throw new RefusedFile("its download link is not on Slack's file host");
  let response: Response;
  try {
    response = await (options.fetch ?? globalThis.fetch)(url, {
      headers: { authorization: `Bearer ${options.botToken}` },
      redirect: "manual",
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new RefusedFile(`it could not be downloaded from Slack (${errorMessage(error)})`);
  }
  if (!response.ok) {
    await response.body?.cancel();
    const hint = response.status >= 300 && response.status < 400 ? "; the Slack app may lack the files:read scope" : "";
    throw new RefusedFile(`Slack answered HTTP ${response.status} to the download${hint}`);
  }
  const served = response.headers.get("content-type");
  // A generic type from the file host says nothing: the file's own (already checked) type stands.
  const contentType = served && bareContentType(served) !== "application/octet-stream" ? served : (file.mimetype ?? "application/octet-stream");
  if (bareContentType(contentType) === "text/html") {
    // Slack's answer to a token without files:read is its sign-in page, with status 200.
    await response.body?.cancel();
    throw new RefusedFile("Slack served a sign-in page instead of the file; the Slack app needs the files:read scope");
  }
  let bytes: Buffer;
  try {
    bytes = await readCappedBody(response, maxBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw new RefusedFile(`it is over the ${formatBytes(maxBytes)} limit`);
    throw new RefusedFile(`it could not be downloaded from Slack (${errorMessage(error)})`);
  }
  // The declared type was checked before; the served one decides what the customer gets.
  const refusal = mediaRefusal(contentType, bytes.length, maxBytes);
  if (refusal) throw new RefusedFile(refusal);
  return { contentType: bareContentType(contentType), bytes };
}
