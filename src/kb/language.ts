/**
 * A tiny language guess from function words: enough to answer a Spanish message in Spanish, to tag
 * document passages, and to notice a language the knowledge base has nothing in (French, Portuguese,
 * German, Italian), with no model to ship. Anything it cannot tell is "und" (undetermined).
 */
import { words } from "./text.js";

export type LanguageTag = "en" | "es" | "fr" | "pt" | "de" | "it" | "und";
type Detectable = Exclude<LanguageTag, "und">;

const set = (list: string) => new Set(list.split(" "));

/** Words that say which language a text is in but not what it is about. */
const FUNCTION_WORDS: Record<Detectable, Set<string>> = {
  en: set("the a an and or of to in on for with is are was were be i you my your me we it this that what how when where why can do does did have has not no please thanks hi hello want need"),
  es: set(
    "el la los las de del que y en un una es son por para con no se su sus al lo como pero mas mi mis tu te yo me hola gracias quiero puedo necesito favor cuando donde porque esta estoy " +
      "tengo hay muy sin sobre tambien nos usted ustedes cual cuanto cuantos buenos buenas dias tardes noches fue han ha dos veces",
  ),
  fr: set("le la les de des du et est un une je vous nous mon ma mes pour pas que qui avec sur dans ce cette bonjour merci voudrais veux peux suis ai au aux ne il elle"),
  pt: set("o a os as de do da dos das e em um uma que para com nao meu minha voce obrigado obrigada ola quero posso estou tenho nos isso esse essa foi ao pelo pela"),
  de: set("der die das und ist ich sie nicht mit zu ein eine mein meine bitte danke hallo mochte kann wie was warum wo auf fur von den dem ist bin habe haben wir"),
  it: set("il lo la gli le di del della e un una che per con non mio mia vorrei voglio posso ciao grazie sono ho hai come perche nel sul"),
};

/** Topic words of this field, per language: they tip a short message ("reembolso por favor"). */
const TOPIC_WORDS: Partial<Record<Detectable, Set<string>>> = {
  en: set("pay payment order card account refund fee late"),
  es: set("pagar pago pagos cuenta ayuda funciona cuotas cuota tarjeta pedido dinero ayudar hablar persona reembolso devolucion compra plazo fecha cobraron cargo"),
  fr: set("paiement commande remboursement carte compte aide parler"),
  pt: set("pagamento pedido cartao conta ajuda compra cancelar falar pessoa reembolso"),
  de: set("zahlung bestellung karte konto hilfe sprechen erstattung gebuhr"),
  it: set("pagamento ordine carta conto aiuto parlare operatore rimborso"),
};

const DETECTABLE: readonly Detectable[] = ["es", "fr", "pt", "de", "it"];

function hitsOf(tokens: readonly string[], lang: Detectable): number {
  const topic = TOPIC_WORDS[lang];
  return tokens.filter((token) => FUNCTION_WORDS[lang].has(token) || topic?.has(token)).length;
}

export function detectLanguage(text: string): LanguageTag {
  const tokens = words(text).slice(0, 200);
  if (tokens.length === 0) return "und";
  const english = hitsOf(tokens, "en");
  // Ties go to Spanish, the one other language the shipped knowledge base answers in.
  const ranked = DETECTABLE.map((lang) => ({ lang, hits: hitsOf(tokens, lang) })).sort((a, b) => b.hits - a.hits || Number(b.lang === "es") - Number(a.lang === "es"));
  const best = ranked[0]!;
  const clearWinner = best.lang === "es" || best.hits > (ranked[1]?.hits ?? 0);
  if (clearWinner && best.hits >= 2 && best.hits > english * 1.5) return best.lang;
  if (clearWinner && best.hits >= 1 && english === 0 && tokens.length <= 3) return best.lang;
  if (english >= 1 && english >= best.hits) return "en";
  return "und";
}

/** Whether `word` (folded, as `words()` yields it) only holds a sentence together in `lang`. */
export function isFunctionWord(lang: LanguageTag, word: string): boolean {
  return lang !== "und" && FUNCTION_WORDS[lang].has(word);
}
