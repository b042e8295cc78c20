/**
 * A tiny language guess from function words: enough to answer a Spanish message in Spanish and to tag
 * document passages, with no model to ship. Anything it cannot tell is "und" (undetermined).
 */
import { words } from "./text.js";

export type LanguageTag = "en" | "es" | "und";

const ENGLISH = new Set(
  ("the a an and or of to in on for with is are was were be i you my your me we it this that what how when where " +
    "why can do does did have has not no please thanks hi hello want need pay payment my order card account").split(" "),
);
const SPANISH = new Set(
  ("el la los las de del que y en un una es son por para con no se su sus al lo como pero mas mi mis tu te yo " +
    "hola gracias quiero puedo pagar pago pagos cuenta ayuda necesito favor funciona cuando donde porque esta estoy " +
    "tengo hay muy sin sobre tambien nos usted ustedes cual cuanto cuantos cuotas tarjeta pedido dinero buenos buenas " +
    "dias tardes noches ayudar hablar persona reembolso devolucion compra plazo fecha").split(" "),
);

export function detectLanguage(text: string): LanguageTag {
  const tokens = words(text).slice(0, 200);
  if (tokens.length === 0) return "und";
  let english = 0;
  let spanish = 0;
  for (const token of tokens) {
    if (ENGLISH.has(token)) english += 1;
    if (SPANISH.has(token)) spanish += 1;
  }
  if (spanish >= 2 && spanish > english * 1.5) return "es";
  if (spanish >= 1 && english === 0 && tokens.length <= 3) return "es";
  if (english >= 1 && english >= spanish) return "en";
  return "und";
}
