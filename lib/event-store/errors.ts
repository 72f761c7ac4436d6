/** The stream moved on since it was read: `actual` is its version now. */
export class ConcurrencyError extends Error {
  readonly code = "CONCURRENCY_CONFLICT" as const;
  readonly streamId: string;
  readonly expected: bigint;
  readonly actual: bigint;
  constructor(streamId: string, expected: bigint, actual: bigint) {
    super(`Stream ${streamId} is at version ${actual}, expected ${expected}`);
    this.name = "ConcurrencyError";
    this.streamId = streamId;
    this.expected = expected;
    this.actual = actual;
  }
}

/** The idempotency key was already used for a different request. */
export class IdempotencyKeyReusedError extends Error {
  readonly code = "IDEMPOTENCY_KEY_REUSED" as const;
  constructor(readonly key: string) {
    super("This idempotency key was already used for a different request.");
    this.name = "IdempotencyKeyReusedError";
  }
}

/** SQLSTATEs that mean "try the whole transaction again". */
const RETRYABLE_SQLSTATES = new Set(["40001", "40P01"]);

export function sqlState(error: unknown): string | undefined {
  let current: unknown = error;
  // Drizzle wraps driver errors; the SQLSTATE sits on the cause.
  for (let depth = 0; depth < 4 && current && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export function isRetryable(error: unknown): boolean {
  if (error instanceof ConcurrencyError) return true;
  const state = sqlState(error);
  return state !== undefined && RETRYABLE_SQLSTATES.has(state);
}

/** The constraint a unique violation names, from either driver (postgres.js or PGlite), through Drizzle's wrapping. */
export function violatedConstraint(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === "object"; depth++) {
    const { constraint_name: name, constraint } = current as { constraint_name?: unknown; constraint?: unknown };
    if (typeof name === "string") return name;
    if (typeof constraint === "string") return constraint;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
