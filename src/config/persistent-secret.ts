/**
 * Secrets the embedded defaults need but a first-time user should not have to invent (the web chat
 * session signing key): generated once, kept under the data directory with owner-only permissions, and
 * reused on every start so sessions survive a restart. Production sets them in the environment instead.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export function persistentSecret(dataDir: string, name: string): string {
  const directory = join(dataDir, "secrets");
  const file = join(directory, name);
  if (existsSync(file)) {
    const stored = readFileSync(file, "utf8").trim();
    if (stored.length >= 32) return stored;
  }
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}
