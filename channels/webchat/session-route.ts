/**
 * `POST /webchat/sessions`: issues the signed session token a widget authenticates its socket with.
 * An existing token resumes its visitor (and so its conversation); a customer token from the company's
 * site, once verified, ties the session to that customer on every device. Nothing is stored here: a
 * conversation exists once the visitor writes.
 */
import { createHmac } from "node:crypto";
import type { FastifyInstance, FastifyReply } from "fastify";
import { z } from "zod";
import type { ChannelContext } from "../../src/ports/channel-adapter.js";
import { MAX_TEXT_CHARS, type CustomerTokenVerifier, type WebchatChannelSettings } from "./config.js";
import type { OriginPolicy } from "./origin-policy.js";
import { originHeader } from "./origin-policy.js";
import { newVisitorId, signSessionToken, verifySessionToken, type WebchatSession } from "./session-token.js";

const SessionRequest = z.strictObject({
  sessionToken: z.string().min(1).max(2_048).optional(),
  customerToken: z.string().min(1).max(8_192).optional(),
});

export interface SessionRouteDeps {
  settings: WebchatChannelSettings;
  sessionSecret: string;
  context: ChannelContext;
  origins: OriginPolicy;
  verifyCustomerToken: CustomerTokenVerifier | undefined;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * A verified customer gets the same visitor id everywhere (phone, laptop), so the same conversation;
 * derived with the server secret, so it cannot be guessed from the customer id.
 */
export function customerVisitorId(customerId: string, channelId: string, secret: string): string {
  const digest = createHmac("sha256", secret).update(`webchat-customer:${channelId}:${customerId}`).digest("base64url");
  return `wc_${digest.slice(0, 22)}`;
}

function problem(reply: FastifyReply, status: number, error: string, message: string) {
  return reply.code(status).send({ error, message });
}

export function registerSessionRoute(app: FastifyInstance, deps: SessionRouteDeps): void {
  const { settings, context, origins } = deps;

  app.options("/webchat/sessions", async (request, reply) => {
    const origin = originHeader(request.headers);
    if (!origins.allows(origin)) return problem(reply, 403, "origin_not_allowed", "this page may not open chat sessions");
    origins.applyCors(reply, origin);
    return reply.code(204).send();
  });

  app.post("/webchat/sessions", { bodyLimit: 16 * 1024 }, async (request, reply) => {
    const origin = originHeader(request.headers);
    origins.applyCors(reply, origin);
    if (!origins.allows(origin)) return problem(reply, 403, "origin_not_allowed", "this page may not open chat sessions");

    const budget = await context.rateLimiter.take(`webchat:${settings.id}:sessions:${request.ip}`, settings.rateLimit.sessions);
    if (!budget.allowed) {
      reply.header("Retry-After", String(Math.max(1, Math.ceil(budget.retryAfterMs / 1000))));
      return problem(reply, 429, "rate_limited", "too many new chat sessions from this address; try again shortly");
    }

    const parsed = SessionRequest.safeParse(request.body ?? {});
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`).join("; ");
      return problem(reply, 400, "invalid_request", `expected {"sessionToken"?, "customerToken"?} (${problems})`);
    }
    const now = context.now();

    let customerId: string | undefined;
    if (parsed.data.customerToken !== undefined) {
      if (!deps.verifyCustomerToken) {
        return problem(reply, 400, "customer_tokens_disabled", "this server does not verify customer tokens (set CUSTOMER_TOKEN_SECRET)");
      }
      customerId = (await deps.verifyCustomerToken(parsed.data.customerToken, now)) ?? undefined;
      if (customerId === undefined) return problem(reply, 401, "customer_token_invalid", "the customer token is invalid or expired");
    }

    let visitorId: string;
    let resumed = false;
    if (customerId !== undefined) {
      visitorId = customerVisitorId(customerId, settings.id, deps.sessionSecret);
      resumed = true;
    } else {
      const previous = resumableSession(parsed.data.sessionToken, deps, now);
      // A session that belonged to a signed-in customer is not carried into an anonymous one (a shared
      // computer after sign-out must not show that customer's conversation).
      if (previous && previous.customerId === undefined) {
        visitorId = previous.visitorId;
        resumed = true;
      } else {
        visitorId = newVisitorId();
      }
    }

    const session: WebchatSession = {
      visitorId,
      channelId: settings.id,
      ...(customerId !== undefined ? { customerId } : {}),
      issuedAt: now,
      expiresAt: new Date(now.getTime() + settings.session.ttlMinutes * 60_000),
    };
    reply.header("Cache-Control", "no-store");
    return reply.code(200).send({
      sessionToken: signSessionToken(session, deps.sessionSecret),
      expiresAt: session.expiresAt.toISOString(),
      resumed,
      verified: customerId !== undefined,
      widget: {
        channelId: settings.id,
        title: settings.title,
        greeting: settings.greeting,
        humanButtonLabel: settings.humanButtonLabel,
        humanRequestText: settings.humanRequestText,
        assistantName: settings.assistantName,
        maxTextChars: MAX_TEXT_CHARS,
      },
    });
  });
}

/** The session an earlier token names, if it is authentic, for this channel, and not expired too long ago. */
function resumableSession(token: string | undefined, deps: SessionRouteDeps, now: Date): WebchatSession | undefined {
  if (token === undefined) return undefined;
  const verified = verifySessionToken(token, deps.sessionSecret, deps.settings.id, now);
  if (verified.ok) return verified.session;
  if (verified.problem !== "expired" || !verified.session) return undefined;
  const expiredFor = now.getTime() - verified.session.expiresAt.getTime();
  return expiredFor <= deps.settings.session.resumeWithinDays * DAY_MS ? verified.session : undefined;
}
