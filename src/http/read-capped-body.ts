/**
 * Read an HTTP response body with a size cap: refuse by Content-Length first, then count while reading,
 * so a lying or absent length is still capped. Used for provider media and the account API.
 */

/** Raised when the body is over the cap; callers turn it into their own error kind. */
export class BodyTooLargeError extends Error {
  constructor(readonly maxBytes: number, readonly declaredBytes?: number) {
    super(declaredBytes === undefined ? `body over the ${maxBytes}-byte cap` : `body of ${declaredBytes} bytes is over the ${maxBytes}-byte cap`);
    this.name = "BodyTooLargeError";
  }
}

export async function readCappedBody(response: Response, maxBytes: number): Promise<Buffer> {
  const declared = Number(response.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new BodyTooLargeError(maxBytes, declared);
  }
  if (response.body === null) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLargeError(maxBytes);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}
