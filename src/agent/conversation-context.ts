/**
 * `conversation.context` is the brain's working memory, and `Draft.contextPatch` *replaces* it when a
 * turn commits. Each part of the brain owns one key (`identity`, `pendingAction`, ...) and returns a patch
 * for its keys only; the engine merges them onto the current context with `applyContextPatch`, so no
 * part wipes another's state (or the pipeline's own keys).
 */

/** Keys to set; a `null` value removes the key. */
export type ContextPatch = Record<string, unknown>;

export function applyContextPatch(context: Record<string, unknown>, ...patches: ReadonlyArray<ContextPatch | undefined>): Record<string, unknown> {
  const next: Record<string, unknown> = { ...context };
  for (const patch of patches) {
    if (!patch) continue;
    for (const [key, value] of Object.entries(patch)) {
      if (value === null || value === undefined) delete next[key];
      else next[key] = value;
    }
  }
  return next;
}
