import { and, eq, lt, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { apiIdempotency } from "../db/schema";
import { ApiProblem } from "./problem";
import { log } from "../log";

/**
 * Response-level idempotency for the API (DESIGN §6). A request with an Idempotency-Key claims the
 * key for its user; when it ends, its response (status and body) is stored with the key. Then:
 * - same key, same request, finished: the stored response is replayed and nothing runs again;
 * - same key, same request, still running: 409 (the client should retry later);
 * - same key, another request: 422.
 * The command layer keeps its own idempotency record (by command id, in the command's transaction),
 * so even a request that dies between its commit and storing its response has its effect once.
 */

/** A claim older than this is taken to belong to a request that died. */
const LEASE_SECONDS = 60;
/** Keys are kept at least 24 hours (DESIGN §6); older ones are purged now and then. */
export const KEEP_HOURS = 48;
const PURGE_EVERY_MS = 10 * 60_000;

export type StoredResponse = { status: number; body: string };
export type Claim = { kind: "claimed" } | { kind: "replay"; response: StoredResponse };

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** The request's Idempotency-Key header: required or optional, and printable ASCII of 1-255 characters. */
export function idempotencyKeyOf(request: Request, mode: "required" | "optional"): string | undefined {
  const key = request.headers.get("idempotency-key");
  if (key === null) {
    if (mode === "optional") return undefined;
    throw new ApiProblem("IDEMPOTENCY_KEY_MISSING", "Money-moving requests need an Idempotency-Key header (a UUID you make up per operation is ideal).");
  }
  if (!KEY_PATTERN.test(key)) {
    throw new ApiProblem("IDEMPOTENCY_KEY_INVALID", "The Idempotency-Key must be 1 to 255 printable ASCII characters without spaces.");
  }
  return key;
}

export async function claimKey(db: Database, userId: string, key: string, requestHash: string): Promise<Claim> {
  await purgeNowAndThen(db);
  for (let attempt = 0; attempt < 3; attempt++) {
    const inserted = await db
      .insert(apiIdempotency)
      .values({ userId, key, requestHash, state: "running", lockedUntil: sql`now() + make_interval(secs => ${LEASE_SECONDS})` })
      .onConflictDoNothing()
      .returning({ key: apiIdempotency.key });
    if (inserted.length > 0) return { kind: "claimed" };

    const row = (await db.select().from(apiIdempotency).where(and(eq(apiIdempotency.userId, userId), eq(apiIdempotency.key, key))))[0];
    if (!row) continue; // released in between: try to claim it again
    if (row.requestHash !== requestHash) {
      throw new ApiProblem("IDEMPOTENCY_KEY_REUSED", "This Idempotency-Key was already used with a different request; use a new key for a new operation.");
    }
    if (row.state === "done" && row.responseStatus !== null && row.responseBody !== null) {
      return { kind: "replay", response: { status: row.responseStatus, body: row.responseBody } };
    }
    // Still running, unless its lease ran out (the process died): then this request takes over.
    const taken = await db
      .update(apiIdempotency)
      .set({ lockedUntil: sql`now() + make_interval(secs => ${LEASE_SECONDS})` })
      .where(and(eq(apiIdempotency.userId, userId), eq(apiIdempotency.key, key), eq(apiIdempotency.state, "running"), lt(apiIdempotency.lockedUntil, sql`now()`)))
      .returning({ key: apiIdempotency.key });
    if (taken.length > 0) return { kind: "claimed" };
    throw new ApiProblem("IDEMPOTENCY_KEY_IN_USE", "A request with this Idempotency-Key is still being processed; retry in a moment.", {
      headers: { "retry-after": "1" },
    });
  }
  throw new ApiProblem("IDEMPOTENCY_KEY_IN_USE", "A request with this Idempotency-Key is still being processed; retry in a moment.", {
    headers: { "retry-after": "1" },
  });
}

export async function completeKey(db: Database, userId: string, key: string, response: StoredResponse): Promise<void> {
  await db
    .update(apiIdempotency)
    .set({ state: "done", responseStatus: response.status, responseBody: response.body, completedAt: sql`now()` })
    .where(and(eq(apiIdempotency.userId, userId), eq(apiIdempotency.key, key)));
}

/** The request failed unexpectedly: free the key so a retry runs (the command layer's record still prevents a double effect). */
export async function releaseKey(db: Database, userId: string, key: string): Promise<void> {
  await db
    .delete(apiIdempotency)
    .where(and(eq(apiIdempotency.userId, userId), eq(apiIdempotency.key, key), eq(apiIdempotency.state, "running")));
}

export async function purgeOldKeys(db: Database, hours = KEEP_HOURS): Promise<void> {
  await db.delete(apiIdempotency).where(lt(apiIdempotency.createdAt, sql`now() - make_interval(hours => ${hours})`));
}

const purge = ((globalThis as { __ledgerlineIdempotencyPurge?: { last: number } }).__ledgerlineIdempotencyPurge ??= { last: 0 });

async function purgeNowAndThen(db: Database): Promise<void> {
  if (Date.now() - purge.last < PURGE_EVERY_MS) return;
  purge.last = Date.now();
  await purgeOldKeys(db).catch((error: unknown) => log().warn({ err: error }, "purging old idempotency keys failed"));
}
