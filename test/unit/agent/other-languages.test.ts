/**
 * Messages the English model cannot read: the local engine never answers them with an English template.
 * A person asked for is handed over, a language the knowledge base has nothing in is handed over with
 * `unsupported_language`, and Spanish is answered only from a passage that covers the question.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { singleTurn } from "../../../src/agent/evaluate.js";
import { LocalEngine } from "../../../src/agent/local/index.js";
import { detectLanguage } from "../../../src/kb/language.js";
import { loadKnowledgeBase, type KnowledgeBase } from "../../../src/kb/load.js";
import type { Draft } from "../../../src/ports/agent-engine.js";

let kb: KnowledgeBase;
let engine: LocalEngine;

beforeAll(async () => {
  kb = await loadKnowledgeBase("kb");
  engine = new LocalEngine(kb);
});

const ask = (text: string, on = engine) => on.answer(singleTurn(text));

describe("language detection", () => {
  it.each([
    ["me cobraron dos veces la cuota", "es"],
    ["Hola, ¿cómo funciona pagar en 4?", "es"],
    ["Bonjour, je voudrais un remboursement pour ma commande", "fr"],
    ["Ich möchte meine Zahlung verschieben, bitte", "de"],
    ["Olá, quero cancelar minha compra", "pt"],
    ["Vorrei parlare con un operatore", "it"],
    ["when is my next payment due", "en"],
  ])("%s -> %s", (text, lang) => {
    expect(detectLanguage(text)).toBe(lang);
  });
});

describe("local engine on other languages", () => {
  it.each(["hablar con un agente", "quiero hablar con una persona", "necesito un humano", "agente", "Vorrei parlare con un operatore"])(
    "hands a request for a person over: %s",
    async (text) => {
      expect(await ask(text)).toMatchObject({ kind: "escalate", reasonCodes: ["human_requested"] });
    },
  );

  it.each(["Bonjour, je voudrais un remboursement pour ma commande", "Ich möchte meine Zahlung verschieben", "Olá, quero cancelar minha compra"])(
    "hands a language the knowledge base has nothing in over: %s",
    async (text) => {
      const draft = await ask(text);
      expect(draft).toMatchObject({ kind: "escalate", reasonCodes: ["unsupported_language"] });
      expect(draft.category).toBeUndefined();
    },
  );

  it("treats Spanish as unsupported when the knowledge base has no Spanish passages", async () => {
    const englishOnly = new LocalEngine({ ...kb, passages: kb.passages.filter((passage) => passage.lang !== "es") });
    expect(await ask("¿Hay cargos por pago atrasado?", englishOnly)).toMatchObject({ kind: "escalate", reasonCodes: ["unsupported_language"] });
  });

  it("answers Spanish from a passage that covers the question", async () => {
    const draft = await ask("¿Hay cargos por pago atrasado?");
    expect(draft.kind).toBe("answer");
    expect(draft.facts.map((fact) => fact.ref)).toEqual(["es-preguntas-frecuentes#hay-cargos-por-pago-atrasado"]);
  });

  it.each(["¿Cuándo vence mi próximo pago?", "no puedo pagar, perdí mi trabajo", "me cobraron dos veces la cuota"])(
    "asks rather than answer a passage that shares one word: %s",
    async (text) => {
      const draft = await ask(text);
      expect(draft).toMatchObject({ kind: "clarify", confidence: 0 });
      expect(draft.text).toMatch(/^Hola/);
      expect(draft.facts).toEqual([]);
    },
  );

  it("hands over when still unsure after asking once", async () => {
    const first = await ask("¿Cuándo vence mi próximo pago?");
    const second = singleTurn("el martes, no sé");
    second.conversation = { ...second.conversation, context: first.contextPatch ?? {} };
    const draft: Draft = await engine.answer(second);
    expect(draft).toMatchObject({ kind: "escalate", reasonCodes: ["low_confidence"] });
  });
});
