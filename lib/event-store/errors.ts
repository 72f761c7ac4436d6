import { sqlState, violatedConstraint } from "../db/errors";

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

/**
 * A deferred caller was not admitted (handle-command.ts, `caller`): the command never ran, so it is
 * neither counted nor logged as one. `cause` is what `admit` threw.
 */
export class CallerRefusedError extends Error {
  constructor(readonly cause: unknown) {
    super("The command's caller was not admitted.");
    this.name = "CallerRefusedError";
  }
}

export { sqlState, violatedConstraint } from "../db/errors";

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

export function isRetryable(error: unknown): boolean {
  if (error instanceof ConcurrencyError || isAppendConflict(error)) return true;
  const state = sqlState(error);
  return state !== undefined && RETRYABLE_SQLSTATES.has(state);
}
