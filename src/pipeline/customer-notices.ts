/** The fixed sentences the core itself says to customers (the brain and agents write everything else). */
import type { HumanAvailability } from "../ports/desk.js";

export const NOTICES = {
  /** What happens, when the brain gave no note of its own; the availability adds when. */
  handoffLead: "I'm passing this to a member of our team.",
  handoffWhenUnknown: "A person will reply here as soon as they can.",
  alreadyWaiting: "You're in the queue for a person, and they will see everything you write here.",
  handedBack: "You're back with the Switchboard assistant. Ask me anything, or tap \"Talk to a human\" at any time.",
  csatQuestion: "Thanks for contacting us. How did we do? Reply with a number from 1 (poor) to 5 (great).",
  csatThanks: "Thank you for the feedback!",
} as const;

/** The handoff sentences for customers who write in Spanish (the one other language the brain answers in). */
export const SPANISH_NOTICES = {
  handoffLead: "Le paso con una persona de nuestro equipo.",
  handoffWhenUnknown: "Una persona le responderá aquí lo antes posible.",
} as const;

/** The handoff notices in the customer's language: Spanish for "es", English otherwise. */
export function handoffNotices(language: string | undefined): { handoffLead: string; handoffWhenUnknown: string } {
  return language === "es" ? SPANISH_NOTICES : NOTICES;
}

/** Without business hours configured, a person is promised without a time. */
export const ALWAYS_AVAILABLE: HumanAvailability = {
  handoffNotice: ({ language }) => handoffNotices(language).handoffWhenUnknown,
};
