/** The model adapter: the core's `ChatModel` over the official `openai` SDK, and the shared spend ledger. */
export { OpenAIChatModel, classifyProviderError, createOpenAIChatModel, retryAfterMsFrom, type OpenAIChatModelOptions } from "./openai-chat-model.js";
export { RedisSpendLedger, type RedisSpendLedgerOptions } from "./redis-spend-ledger.js";
