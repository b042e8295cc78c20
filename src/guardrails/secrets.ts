/**
 * No secret in a reply: a full card number (Luhn-valid), a CVV/PIN/password given with its value, an API
 * key, bearer token, JWT, session or customer token, a social security number. It reuses the masking
 * rules of src/privacy/mask.ts, so "what we never show" and "what we mask in logs" stay one list.
 */
import type { ReplyGuard } from "../ports/agent-engine.js";
import { maskCardNumbers, maskSecrets } from "../privacy/mask.js";
import { canonicalText } from "./text.js";
import { fail, pass } from "./verdict.js";

export const NO_SECRETS = "no_secrets";

/** "your PIN is required" is no secret: keyword values that are plain short words are left out of the check. */
const KEYWORD_VALUE = /\b(password|passwd|pwd|pin|cvv|cvc|secret|api[_-]?key|token)\b(\s*(?:is|[:=])\s*)(\S+)/gi;

export function containsSecret(text: string): string | undefined {
  const canonical = canonicalText(text);
  if (maskCardNumbers(canonical) !== canonical) return "a full card number";
  const withoutPlainWords = canonical.replace(KEYWORD_VALUE, (match, _keyword: string, _separator: string, value: string) =>
    /^[a-z]{1,12}[.,!?;:]?$/i.test(value) ? "" : match,
  );
  if (maskSecrets(withoutPlainWords) !== withoutPlainWords) return "a secret (key, token, password, CVV or SSN)";
  return undefined;
}

export function createSecretsGuard(): ReplyGuard {
  return {
    name: NO_SECRETS,
    check(draft) {
      if (!draft.text) return pass(NO_SECRETS, "no text");
      const found = containsSecret(draft.text);
      return found ? fail(NO_SECRETS, "secret_in_reply", `the reply contains ${found}`) : pass(NO_SECRETS, "no card number or secret");
    },
  };
}
