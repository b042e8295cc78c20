/**
 * The built-in inbox: an admin HTTP API over conversations and the agent actions (claim, reply,
 * resolve, hand back), so a team without Slack, scripts and tests can work escalations. Registered only
 * when ADMIN_TOKEN is set.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { ConversationState } from "../domain/model.js";
import { NotFoundError, ValidationError } from "../errors.js";
import type { ConversationStore } from "../ports/conversation-store.js";
import type { AgentRef, HandoffActions } from "../ports/desk.js";
import { requireAdmin } from "./admin-auth.js";

const ListQuery = z.object({
  state: ConversationState.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
const IdParams = z.object({ id: z.string().uuid("conversation ids are UUIDs") });
const AgentBody = z.object({
  agentId: z.string().min(1).max(100).regex(/^[\w.@-]+$/, "letters, digits and . _ @ - only"),
  agentName: z.string().min(1).max(100),
});
const ReplyBody = AgentBody.extend({ text: z.string().trim().min(1).max(4_000) });

function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw new ValidationError(parsed.error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`).join("; "));
  return parsed.data;
}

const agentOf = (body: z.infer<typeof AgentBody>): AgentRef => ({ id: `admin:${body.agentId}`, displayName: body.agentName });

export function adminInboxRoutes(deps: { store: ConversationStore; handoff: HandoffActions; adminToken: string }) {
  return async (app: FastifyInstance): Promise<void> => {
    await app.register(async (admin) => {
      admin.addHook("preHandler", requireAdmin(deps.adminToken));

      admin.get("/admin/conversations", async (request) => {
        const query = parse(ListQuery, request.query);
        const conversations = await deps.store.listConversations({ ...(query.state ? { states: [query.state] } : {}), limit: query.limit });
        return { conversations };
      });

      admin.get("/admin/conversations/:id", async (request) => {
        const { id } = parse(IdParams, request.params);
        const conversation = await deps.store.getConversation(id);
        if (!conversation) throw new NotFoundError(`conversation ${id}`);
        const [messages, events] = await Promise.all([deps.store.listMessages(id), deps.store.listEvents(id)]);
        return { conversation, messages, events };
      });

      admin.post("/admin/conversations/:id/claim", async (request) => {
        const { id } = parse(IdParams, request.params);
        return deps.handoff.claim(id, agentOf(parse(AgentBody, request.body)));
      });

      admin.post("/admin/conversations/:id/reply", async (request, reply) => {
        const { id } = parse(IdParams, request.params);
        const body = parse(ReplyBody, request.body);
        const message = await deps.handoff.replyAsAgent(id, agentOf(body), body.text);
        return reply.status(202).send({ message });
      });

      admin.post("/admin/conversations/:id/resolve", async (request) => {
        const { id } = parse(IdParams, request.params);
        return { conversation: await deps.handoff.resolve(id, agentOf(parse(AgentBody, request.body))) };
      });

      admin.post("/admin/conversations/:id/hand-back", async (request) => {
        const { id } = parse(IdParams, request.params);
        return { conversation: await deps.handoff.handBack(id, agentOf(parse(AgentBody, request.body))) };
      });
    });
  };
}
