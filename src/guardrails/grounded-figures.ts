/**
 * Every money amount, money-like percentage and calendar date in a reply must appear in this turn's facts
 * (account records, knowledge-base passages, policy). Figures the customer wrote ground nothing: the
 * customer saying "you promised me $50 on the 12th" does not make "$50" or "the 12th" true.
 */
import type { ReplyGuard } from "../ports/agent-engine.js";
import { extractFigures, groundingKeys } from "./figures.js";
import { canonicalText, shorten } from "./text.js";
import { fail, pass, trustedFacts } from "./verdict.js";

export const GROUNDED_FIGURES = "grounded_figures";

export function createGroundedFiguresGuard(options: { timeZone?: string } = {}): ReplyGuard {
  return {
    name: GROUNDED_FIGURES,
    check(draft, turn) {
      if (!draft.text) return pass(GROUNDED_FIGURES, "no text");
      const context = { now: turn.now, ...(options.timeZone ? { timeZone: options.timeZone } : {}) };
      const figures = extractFigures(draft.text, context);
      if (figures.length === 0) return pass(GROUNDED_FIGURES, "no amounts or dates");
      const keys = groundingKeys(trustedFacts(draft, turn).map((fact) => fact.text), context);
      const ungrounded = figures.filter((figure) => !figure.keys.some((key) => keys.has(key)));
      if (ungrounded.length === 0) return pass(GROUNDED_FIGURES, `${figures.length} figure(s), all in this turn's facts`);
      const customerText = canonicalText(turn.message.text).toLowerCase();
      const listed = ungrounded.slice(0, 5).map((figure) => {
        const fromCustomer = customerText.includes(figure.text.toLowerCase()) ? " (written by the customer)" : "";
        return `${shorten(figure.text, 40)}${fromCustomer}`;
      });
      return fail(GROUNDED_FIGURES, "ungrounded_figure", `not in this turn's facts: ${listed.join(", ")}${ungrounded.length > 5 ? ` and ${ungrounded.length - 5} more` : ""}`);
    },
  };
}
