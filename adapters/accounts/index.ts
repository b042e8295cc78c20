/**
 * Account providers (DESIGN.md: adapters/accounts): the demo dataset and the company's HTTP API.
 * `createAccountProviderFromEnv` is the one place that picks between them; only the composition root
 * (src/main.ts) calls it.
 */
import type { Env } from "../../src/config/env.js";
import { ConfigError } from "../../src/errors.js";
import type { AccountProviderWithActions } from "../../src/ports/account-provider.js";
import { DemoAccountProvider } from "./demo-provider.js";
import { AccountApiPathsOverride, HttpAccountProvider, type AccountApiPaths } from "./http-provider.js";

export { DemoAccountProvider, createDemoAccountProvider, type DemoAccountProviderOptions, type RecordedAccountAction } from "./demo-provider.js";
export { DEFAULT_DEMO_DATA_PATH, materialiseDataset, readDatasetFile, type CustomerRecord, type DemoDataset } from "./demo-dataset.js";
export {
  DEFAULT_ACCOUNT_API_PATHS,
  HttpAccountProvider,
  createHttpAccountProvider,
  type AccountApiPathName,
  type AccountApiPaths,
  type HttpAccountProviderOptions,
} from "./http-provider.js";

export type AccountsEnv = Pick<
  Env,
  | "ACCOUNTS_API_URL"
  | "ACCOUNTS_API_TOKEN"
  | "ACCOUNTS_API_AUTH_HEADER"
  | "ACCOUNTS_API_TIMEOUT_MS"
  | "ACCOUNTS_API_PATHS"
  | "ACCOUNTS_DATA"
  | "BUSINESS_TIME_ZONE"
>;

export interface AccountProviderDependencies {
  fetch?: typeof fetch;
  clock?: () => Date;
}

/** ACCOUNTS_API_URL set: the HTTP provider; otherwise the demo dataset (ACCOUNTS_DATA or the shipped one). */
export function createAccountProviderFromEnv(env: AccountsEnv, dependencies: AccountProviderDependencies = {}): AccountProviderWithActions {
  if (env.ACCOUNTS_API_URL !== undefined) {
    const token = env.ACCOUNTS_API_TOKEN;
    const header = env.ACCOUNTS_API_AUTH_HEADER;
    return new HttpAccountProvider({
      baseUrl: env.ACCOUNTS_API_URL,
      paths: parsePathOverrides(env.ACCOUNTS_API_PATHS),
      timeoutMs: env.ACCOUNTS_API_TIMEOUT_MS,
      ...(token !== undefined
        ? { auth: { header, value: header.toLowerCase() === "authorization" && !/\s/.test(token) ? `Bearer ${token}` : token } }
        : {}),
      ...(dependencies.fetch ? { fetch: dependencies.fetch } : {}),
    });
  }
  return new DemoAccountProvider({
    ...(env.ACCOUNTS_DATA !== undefined ? { dataPath: env.ACCOUNTS_DATA } : {}),
    ...(dependencies.clock ? { clock: dependencies.clock } : {}),
    timeZone: env.BUSINESS_TIME_ZONE,
  });
}

function parsePathOverrides(text: string | undefined): Partial<AccountApiPaths> {
  if (text === undefined) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(text) as unknown;
  } catch {
    throw new ConfigError('ACCOUNTS_API_PATHS must be a JSON object such as {"plans":"/v2/customers/{id}/plans"}.');
  }
  const parsed = AccountApiPathsOverride.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `- ${issue.path.join(".") || "(object)"}: ${issue.message}`);
    throw new ConfigError(`ACCOUNTS_API_PATHS is not valid:\n${problems.join("\n")}`);
  }
  return parsed.data;
}
