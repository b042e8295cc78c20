/**
 * What a message is before what it asks: small talk (greetings, thanks, acknowledgements such as "ok
 * cool" or a thumbs-up, goodbyes), nothing readable (empty, symbols, binary), or an attempt to instruct
 * the assistant. Each gets a fixed, polite reply in the customer's language where we have one; small
 * talk is never a question, so it is never escalated nor counted as an answer that failed.
 */
import { foldText, words } from "../../kb/text.js";
import type { LanguageTag } from "../../kb/language.js";

export type Cue = "greeting" | "thanks" | "acknowledgement" | "goodbye" | "unreadable" | "instructions";

const GREETING = /^(hi+|hello+|hey+|hiya|howdy|yo|greetings|good (morning|afternoon|evening|day)|hola|buen[oa]s( dias| tardes| noches)?|ola)( there| team| all| everyone| folks)?$/u;
const THANKS =
  /^((ok|okay|ok ok|great|perfect|cool|awesome|nice|got it|understood|that helps|that helped|brilliant|fine)\s*)*(thanks?|thank you|thank u|thanks a lot|many thanks|thx|ty|cheers|much appreciated|appreciate it|gracias|muchas gracias)(\s+(so|very) much)?(\s+(for|4)\s+(the|your|all the|all your)\s+help)?(\s+(again|a lot))?$/u;
const ACKNOWLEDGEMENT =
  /^((ok+|okay|okey|k|kk|cool|great|perfect|awesome|nice|good|lovely|brilliant|excellent|fine|alright|all right|got it|gotcha|understood|noted|will do|sounds good|makes sense|no worries|no problem|np|all good|fair enough|de acuerdo|vale|perfecto|genial|entendido|d'accord|parfait|super|merci)\s*)+$/u;
const GOODBYE =
  /^((ok|okay|cool|great|thanks|thank you|no)\s*)*(bye+|bye bye|goodbye|good bye|see you|see ya|later|have a (good|nice|great) (day|one|evening|weekend)|adios|hasta luego|au revoir|that'?s (all|it|everything)( i (needed|wanted))?( for (now|today))?|nothing else|all done|i'?m (done|good|all set)|no that'?s (it|all))(\s+(thanks|thank you|cheers|bye|for now))*$/u;
/** Only emoji, of approval or thanks ("👍", "🙏🙂"): an acknowledgement, not an unreadable message. */
const APPROVING_EMOJI = /^(?=[\s\S]*\p{Extended_Pictographic})(?:[\s.!]|\p{Emoji_Modifier}|\uFE0F|\u200D|[👍👌🙏🙂😊😀😃😄😁☺🤝👏✅✔💯❤♥💙💚💜🧡💛🥰😍🤗🎉🙌])+$/u;
const INSTRUCTIONS =
  /\b(ignore|disregard|forget|override)\b[^.!?]{0,30}\b(instructions|rules|prompt|guidelines|previous|above|system)\b|\b(system prompt|developer mode|jailbreak|you are now|act as (an?|the)\b|pretend (to be|you are)|new instructions|reveal (your|the) (prompt|instructions|rules))\b/iu;

function simplified(text: string): string {
  return foldText(text)
    .replace(/[^\p{L}\p{N}' ]+/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** Instructions hidden at the end of a long message count too: the first and the last 500 characters are read. */
const SCAN_CHARS = 500;

/** The cue of a message, if it is one of the kinds above. */
export function cueOf(text: string): Cue | null {
  const head = text.slice(0, SCAN_CHARS);
  if (APPROVING_EMOJI.test(head.trim())) return "acknowledgement";
  if (words(head).length === 0) return "unreadable";
  if (INSTRUCTIONS.test(foldText(head)) || (text.length > SCAN_CHARS && INSTRUCTIONS.test(foldText(text.slice(-SCAN_CHARS))))) return "instructions";
  if (text.length > 120) return null;
  const plain = simplified(head);
  if (GREETING.test(plain)) return "greeting";
  if (THANKS.test(plain)) return "thanks";
  if (GOODBYE.test(plain)) return "goodbye";
  if (ACKNOWLEDGEMENT.test(plain)) return "acknowledgement";
  return null;
}

const REPLIES: Record<"en" | "es", Record<Cue, string>> = {
  en: {
    greeting: "Hi! I'm the virtual assistant. How can I help you today?",
    thanks: "You're welcome! Is there anything else I can help you with?",
    acknowledgement: "Great! Let me know if there's anything else I can help you with.",
    goodbye: "Thanks for getting in touch. Have a good day!",
    unreadable:
      "Sorry, I couldn't read that message. Could you tell me in a few words what you need help with? You can also ask for a person at any time.",
    instructions:
      "I can only help with questions about your account, payments and our services, and I follow the same rules for everyone. What can I help you with?",
  },
  es: {
    greeting: "¡Hola! Soy el asistente virtual. ¿En qué le puedo ayudar hoy?",
    thanks: "¡De nada! ¿Hay algo más en lo que le pueda ayudar?",
    acknowledgement: "¡Perfecto! Si necesita algo más, aquí estoy.",
    goodbye: "Gracias por escribirnos. ¡Que tenga un buen día!",
    unreadable:
      "Disculpe, no pude leer ese mensaje. ¿Me puede decir en pocas palabras en qué le puedo ayudar? También puede pedir hablar con una persona.",
    instructions: "Solo puedo ayudarle con preguntas sobre su cuenta, sus pagos y nuestros servicios. ¿En qué le puedo ayudar?",
  },
};

export function cueReply(cue: Cue, lang: LanguageTag): string {
  return REPLIES[lang === "es" ? "es" : "en"][cue];
}

export const SPANISH = {
  greetingPrefix: "Hola. ",
  clarify:
    "Hola, gracias por escribirnos. ¿Me puede contar un poco más sobre su consulta? Si prefiere hablar con una persona, escriba \"agente\".",
  passageIntro: "Hola, con gusto le ayudo.",
} as const;
