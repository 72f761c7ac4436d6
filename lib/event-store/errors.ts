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

/**
 * Constraints whose violation by an append means "another writer appended to this stream first"
 * (see planAppend): the events' (stream_id, stream_position) key, and the streams key for a new one.
 */
const APPEND_CONFLICT_CONSTRAINTS = new Set(["events_stream_id_stream_position_pk", "streams_pkey"]);

/** True when a write failed because another writer appended to the same stream first. */
export function isAppendConflict(error: unknown): boolean {
  return sqlState(error) === "23505" && APPEND_CONFLICT_CONSTRAINTS.has(violatedConstraint(error) ?? "");
}

/** The error and the causes under it: Drizzle wraps driver errors, and the driver's fields sit on the cause. */
function* errorChain(error: unknown): Generator<Record<string, unknown>> {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === "object"; depth++) {
    yield current as Record<string, unknown>;
    current = (current as { cause?: unknown }).cause;
  }
}

export function sqlState(error: unknown): string | undefined {
  for (const { code } of errorChain(error)) if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
  return undefined;
}

export function isRetryable(error: unknown): boolean {
  if (error instanceof ConcurrencyError || isAppendConflict(error)) return true;
  const state = sqlState(error);
  return state !== undefined && RETRYABLE_SQLSTATES.has(state);
}

/** The constraint a unique violation names, from either driver (postgres.js or PGlite), through Drizzle's wrapping. */
export function violatedConstraint(error: unknown): string | undefined {
  for (const { constraint_name: name, constraint } of errorChain(error)) {
    if (typeof name === "string") return name;
    if (typeof constraint === "string") return constraint;
  }
  return undefined;
}
