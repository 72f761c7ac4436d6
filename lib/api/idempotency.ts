import { ApiProblem } from "./problem";

/**
 * The API's Idempotency-Key (docs/decisions/0002-idempotency-in-the-command-transaction.md): the
 * command that a request runs records the key, a hash of the request and the response in its own
 * transaction, so:
 * - same key, same request: the stored response is replayed and nothing runs again, even when the
 *   first attempt died after its commit;
 * - same key, same request, still running: the retry waits for the first (on the stream it locks)
 *   and then gets its response;
 * - same key, another request: 422.
 */

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** The request's Idempotency-Key header: required or optional, and printable ASCII of 1-255 characters. */
export function idempotencyKeyOf(request: Request, mode: "required" | "optional"): string | undefined {
  const key = request.headers.get("idempotency-key");
  if (key === null) {
    if (mode === "optional") return undefined;
    throw new ApiProblem(
      "IDEMPOTENCY_KEY_MISSING",
      "Money-moving requests need an Idempotency-Key header (a UUID you make up per operation is ideal).",
    );
  }
  if (!KEY_PATTERN.test(key)) {
    throw new ApiProblem("IDEMPOTENCY_KEY_INVALID", "The Idempotency-Key must be 1 to 255 printable ASCII characters without spaces.");
  }
  return key;
}
