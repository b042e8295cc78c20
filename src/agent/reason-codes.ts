/**
 * Reason codes that engines put on drafts and that routing rules read back from the conversation's
 * history (`Message.decision.reasonCodes`): shared words so a rule works with every engine.
 */
export const DRAFT_REASON = {
  /** The reply asks the customer which of a few things they mean. */
  clarification: "clarification",
  /** The reply asks the customer to verify who they are before account facts are given. */
  verificationRequired: "verification_required",
  /** The engine is not sure enough of what the customer means. */
  lowConfidence: "low_confidence",
  /** A greeting, thanks or goodbye answered as such. */
  smallTalk: "small_talk",
  /** The message was empty, unreadable or only symbols. */
  unreadable: "unreadable_message",
  /** A decision tree step (ask, explain, account facts). */
  decisionTree: "decision_tree",
  /** An account change restated, confirmed, done or cancelled. */
  accountAction: "account_action",
  /** The customer asked for a person in words the engine recognised itself (routing rules use the same code). */
  humanRequested: "human_requested",
  /** The customer wrote in a language the knowledge base has nothing in. */
  unsupportedLanguage: "unsupported_language",
} as const;
