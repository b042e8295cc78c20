/**
 * The composition root: the only module that knows concrete channels, adapters and desks (DESIGN.md).
 * So far it only exposes the account-provider choice for the CLI; the full wiring comes with `serve`.
 */
export { createAccountProviderFromEnv } from "../adapters/accounts/index.js";
