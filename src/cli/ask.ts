/** `switchboard ask "TEXT" [--kb DIR] [--customer ID] [--json]`: one decision from the brain, no server. */
import { parseArgs } from "node:util";
import { ValidationError } from "../errors.js";
import { singleTurn } from "../agent/evaluate.js";
import type { CliCommand } from "./cli-command.js";

async function requireKnownCustomer(id: string): Promise<void> {
  const { loadEnv } = await import("../config/env.js");
  const { createAccountProviderFromEnv } = await import("../main/brain.js");
  const accounts = createAccountProviderFromEnv(loadEnv(process.env, { scope: "brain" }));
  if (!(await accounts.findCustomer({ id }))) {
    throw new ValidationError(`no customer "${id}" at the ${accounts.name} account provider (switchboard accounts show ID looks customers up)`);
  }
}

export const askCommand: CliCommand = {
  path: ["ask"],
  usage: 'ask "TEXT" [--kb DIR] [--customer ID] [--json] [--engine local|openai]',
  summary: "print the brain's decision for one customer message",
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      options: { kb: { type: "string" }, customer: { type: "string" }, json: { type: "boolean" }, engine: { type: "string" } },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length === 0) throw new ValidationError('ask needs the customer\'s message: switchboard ask "TEXT"');
    const text = positionals.join(" ");
    // A mistyped id would otherwise read as an unverified customer and get the verification flow.
    if (values.customer) await requireKnownCustomer(values.customer);
    const { composeCliBrain } = await import("./cli-brain.js");
    const composed = await composeCliBrain(values.kb, values.engine);
    const { brain, routing } = composed;
    const turn = singleTurn(text, values.customer ? { customerId: values.customer } : {});
    const outcome = await brain.decide(turn).finally(() => composed.close?.());
    const rules = routing.evaluate("before", turn).map((evaluation) => ({ rule: evaluation.rule, code: evaluation.hit.code, detail: evaluation.detail }));
    const result = {
      route: outcome.decision.route,
      category: outcome.decision.category ?? null,
      confidence: outcome.decision.confidence ?? null,
      priority: outcome.decision.priority ?? null,
      reply: outcome.reply ?? null,
      reasonCodes: outcome.decision.reasonCodes,
      guardrails: outcome.decision.guardrails,
      rulesBeforeAnswer: rules,
      verifiedCustomerId: outcome.verifiedCustomerId ?? null,
      engine: outcome.decision.engine ?? null,
      latencyMs: Math.round((outcome.decision.latencyMs ?? 0) * 1000) / 1000,
    };
    if (values.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return 0;
    }
    const lines = [
      `route:      ${result.route}${result.priority ? ` (${result.priority} priority)` : ""}`,
      `category:   ${result.category ?? "-"}${result.confidence !== null ? ` (confidence ${result.confidence.toFixed(2)})` : ""}`,
      `reasons:    ${result.reasonCodes.join(", ") || "-"}`,
      `guardrails: ${result.guardrails.map((verdict) => `${verdict.guardrail}=${verdict.passed ? "pass" : `FAIL (${verdict.code ?? ""})`}`).join(", ") || "-"}`,
      `reply:      ${result.reply ?? "(none: a person takes over)"}`,
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
    return 0;
  },
};
