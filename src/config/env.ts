/**
 * The environment, validated with zod at start (DESIGN.md: external contract). A wrong or missing value
 * stops start-up with a message that names the variable and says what to set.
 */
import { z } from "zod";
import { ConfigError } from "../errors.js";

const port = z.coerce.number().int().min(1).max(65_535);
const url = (protocols: string[]) =>
  z
    .string()
    .url()
    .refine((value) => protocols.some((protocol) => value.startsWith(`${protocol}://`)), {
      message: `must start with ${protocols.map((protocol) => `${protocol}://`).join(" or ")}`,
    });
const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === "" ? undefined : value.trim()));

export const EnvSchema = z.object({
  PORT: port.default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  PUBLIC_URL: url(["http", "https"]).optional(),
  DATABASE_URL: url(["postgres", "postgresql"]).optional(),
  /** Connections per process in the PostgreSQL pool (ignored on embedded PGlite). */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  REDIS_URL: url(["redis", "rediss"]).default("redis://127.0.0.1:6379"),
  /** Prefix of every queue and Redis key, so several deployments can share one Redis. */
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]{1,80}$/, "letters, digits, '_', '.' or '-' only (no ':')").default("switchboard"),
  AI_ENGINE: z.enum(["local", "openai"]).default("local"),
  OPENAI_API_KEY: optionalText,
  OPENAI_BASE_URL: url(["http", "https"]).optional(),
  OPENAI_MODEL: z.string().min(1).default("gpt-4o-mini"),
  /** The OpenAI engine (AI_ENGINE=openai): sampling, limits, prices, budget, fallbacks. */
  OPENAI_TEMPERATURE: z.coerce.number().min(0).max(2).default(0.2),
  OPENAI_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(20_000),
  OPENAI_MAX_TOKENS: z.coerce.number().int().min(16).max(32_000).default(800),
  /** Our retries per model request (the SDK's own are off). */
  OPENAI_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  OPENAI_MAX_TOOL_ROUNDS: z.coerce.number().int().min(1).max(10).default(4),
  /** Tokens of conversation history the model sees verbatim; older turns are summarised. */
  OPENAI_HISTORY_TOKENS: z.coerce.number().int().min(100).max(100_000).default(1_500),
  OPENAI_SUMMARY: z.enum(["extractive", "model"]).default("extractive"),
  /** US dollars per 1,000 prompt / completion tokens (defaults: gpt-4o-mini list prices). */
  OPENAI_PRICE_INPUT_PER_1K: z.coerce.number().min(0).default(0.00015),
  OPENAI_PRICE_OUTPUT_PER_1K: z.coerce.number().min(0).default(0.0006),
  /** Unset: no cap. Once a UTC day's spend reaches it, the embedded engine answers until midnight UTC. */
  OPENAI_DAILY_BUDGET_USD: z.coerce.number().positive().optional(),
  /** Consecutive failed requests that open the circuit breaker, and how long it stays open. */
  OPENAI_BREAKER_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  OPENAI_BREAKER_COOLDOWN_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  /** When the model cannot answer: the embedded engine answers (`local`) or a person takes over (`escalate`). */
  OPENAI_FALLBACK: z.enum(["local", "escalate"]).default("local"),
  /** The support-agent instructions template; unset: the shipped src/agent/openai/prompts/support-agent.v1.md. */
  OPENAI_PROMPT_FILE: optionalText,
  SLACK_BOT_TOKEN: optionalText,
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_APP_TOKEN: optionalText,
  SLACK_ESCALATION_CHANNEL: optionalText,
  SLACK_API_URL: url(["http", "https"]).optional(),
  TWILIO_ACCOUNT_SID: optionalText,
  TWILIO_AUTH_TOKEN: optionalText,
  TWILIO_API_URL: url(["http", "https"]).optional(),
  ADMIN_TOKEN: optionalText,
  KB_DIR: z.string().min(1).default("kb"),
  SWITCHBOARD_CONFIG: optionalText,
  /** Where embedded state lives: PGlite, the private Redis, whatsapp-web.js sessions, secrets. */
  DATA_DIR: z.string().min(1).default(".data"),
  /** Signs web chat session tokens; generated and kept under DATA_DIR when unset. */
  WEBCHAT_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /**
   * Which proxies may set X-Forwarded-For (client addresses feed per-IP rate limits): unset or `false`
   * trusts none, `true` every hop, a number that many hops, or a comma list of addresses/CIDRs.
   */
  TRUST_PROXY: z
    .string()
    .trim()
    .optional()
    .transform((value, context) => {
      if (value === undefined || value === "" || value === "false") return false;
      if (value === "true") return true;
      if (/^\d+$/.test(value)) return Number(value);
      const list = value.split(",").map((item) => item.trim()).filter(Boolean);
      if (list.every((item) => /^[0-9a-fA-F.:]+(\/\d{1,3})?$|^(loopback|linklocal|uniquelocal)$/.test(item))) return list;
      context.addIssue({ code: "custom", message: "must be true, false, a hop count, or a comma list of IP addresses/CIDRs" });
      return z.NEVER;
    }),
  /** A worker-only process serves /metrics, /healthz and /readyz on this port (web processes use PORT). */
  METRICS_PORT: port.optional(),
  /** The company's account API (adapters/accounts); unset: the demo dataset. */
  ACCOUNTS_API_URL: url(["http", "https"]).optional(),
  ACCOUNTS_API_TOKEN: optionalText,
  /** The header that carries ACCOUNTS_API_TOKEN; `Authorization` sends it as `Bearer <token>`. */
  ACCOUNTS_API_AUTH_HEADER: z.string().regex(/^[A-Za-z0-9-]+$/, "must be a header name").default("Authorization"),
  ACCOUNTS_API_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  /** JSON object overriding path templates, e.g. {"plans":"/v2/customers/{id}/plans"}. */
  ACCOUNTS_API_PATHS: optionalText,
  /** A demo dataset file (JSON, relative dates allowed); default adapters/accounts/demo-accounts.json. */
  ACCOUNTS_DATA: optionalText,
  /** Verifies the signed customer tokens the company's site gives the web chat (HMAC-SHA256). */
  CUSTOMER_TOKEN_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  /** The zone in which "today" and "tomorrow" are meant (due dates, guardrails); an IANA name. */
  BUSINESS_TIME_ZONE: z
    .string()
    .refine((zone) => {
      try {
        new Intl.DateTimeFormat("en-US", { timeZone: zone });
        return true;
      } catch {
        return false;
      }
    }, "must be an IANA time zone such as America/New_York")
    .default("UTC"),
});

export type Env = z.infer<typeof EnvSchema>;

/**
 * Settings that only make sense together, per part of the system. Socket Mode (SLACK_APP_TOKEN) needs no
 * signing secret: events arrive over the app's own WebSocket, not signed HTTP requests.
 */
export const REQUIRED_TOGETHER: ReadonlyArray<{ part: "brain" | "desk"; when: keyof Env; equals?: string; unless?: keyof Env; need: Array<keyof Env> }> = [
  { part: "brain", when: "AI_ENGINE", equals: "openai", need: ["OPENAI_API_KEY"] },
  { part: "desk", when: "SLACK_BOT_TOKEN", need: ["SLACK_ESCALATION_CHANNEL"] },
  { part: "desk", when: "SLACK_BOT_TOKEN", unless: "SLACK_APP_TOKEN", need: ["SLACK_SIGNING_SECRET"] },
];

/** Channel and desk settings: a brain-only run (`ask`, `eval`) neither reads nor checks them. */
const CHANNEL_AND_DESK_SETTING = /^(?:SLACK|TWILIO)_/;

export interface LoadEnvOptions {
  /** "brain": only what the brain uses is validated; channel and desk settings are left out. */
  scope?: "all" | "brain";
}

/** Parse and check the environment; throws ConfigError listing every problem at once. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env, options: LoadEnvOptions = {}): Env {
  const brainOnly = options.scope === "brain";
  const blanksRemoved = Object.fromEntries(
    Object.entries(source).filter(
      ([key, value]) => key in EnvSchema.shape && value !== undefined && value !== "" && !(brainOnly && CHANNEL_AND_DESK_SETTING.test(key)),
    ),
  );
  const parsed = EnvSchema.safeParse(blanksRemoved);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = issue.path.join(".");
      const got = source[name];
      return `- ${name}: ${issue.message}${got === undefined ? "" : ` (got "${redactValue(name, got)}")`}`;
    });
    throw new ConfigError(`Invalid configuration:\n${problems.join("\n")}\nSet these environment variables and start again.`);
  }
  const env = parsed.data;
  const missing: string[] = [];
  for (const rule of REQUIRED_TOGETHER) {
    if (brainOnly && rule.part !== "brain") continue;
    const value = env[rule.when];
    const active = (rule.equals === undefined ? value !== undefined : value === rule.equals) && (rule.unless === undefined || env[rule.unless] === undefined);
    if (!active) continue;
    for (const name of rule.need) {
      if (env[name] === undefined) {
        missing.push(`- ${name} is required when ${rule.when}${rule.equals ? `=${rule.equals}` : " is set"}`);
      }
    }
  }
  if (missing.length > 0) {
    throw new ConfigError(`Invalid configuration:\n${missing.join("\n")}\nSet these environment variables and start again.`);
  }
  return env;
}

function redactValue(name: string, value: string): string {
  if (/TOKEN|SECRET|KEY|PASSWORD/.test(name)) return "***";
  // URLs can carry credentials (postgres://user:password@host): never echo them.
  return value.replace(/\/\/[^/@\s]*@/, "//***@").slice(0, 80);
}

/** The public base URL without a trailing slash. */
export function publicUrlOf(env: Env): string {
  const base = env.PUBLIC_URL ?? `http://localhost:${env.PORT}`;
  return base.replace(/\/+$/, "");
}
