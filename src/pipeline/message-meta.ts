/** Keys the core writes into `Message.meta`. */

/** An AI answer given while an escalation waits outside business hours (the send worker lets it out). */
export const WHILE_WAITING = "whileWaiting";
