import { inArray, sql } from "drizzle-orm";

import { addressKey } from "../client-address";
import { rowsOf, type Database } from "../db/client";
import { signInThrottle } from "../db/schema";

/**
 * Sign-in throttling, kept in Postgres so every app instance sees the same counts. An attempt is
 * reserved before its password is hashed, in one statement (`reserveAttempt`): the statement counts
 * it against the email and the address under their rows' locks, so of any number of concurrent
 * guesses at most `limit` per key are let through to the hash. The `limit`-th attempt in a window
 * locks the key for `lockMinutes`; attempts while locked are refused without hashing (and counted).
 * A successful sign-in clears the email's count and gives the address its attempt back.
 */
export const THROTTLE_POLICY = {
  email: { limit: 5, windowMinutes: 15, lockMinutes: 15 },
  // An address is shared by many people (an office, a NAT), so it gets more room.
  ip: { limit: 50, windowMinutes: 15, lockMinutes: 15 },
} as const;

export type ThrottleKeys = { email: string; ip: string | null };

const keysOf = ({ email, ip }: ThrottleKeys) => [`email:${email}`, ...(ip ? [`ip:${addressKey(ip)}`] : [])];

export type Reservation =
  | { allowed: true }
  /** `firstRefusal`: this is the first refused attempt of the key's current lock (the one worth an event). */
  | { allowed: false; retryAfterSeconds: number; firstRefusal: boolean; refusedSoFar: number; lockedKeys: string[] };

/**
 * Counts this attempt against the email and the address in one statement and says whether it may
 * go on to the password check. Concurrent callers queue on the rows' locks (email rows are always
 * locked before address rows, so two reservations never wait for each other in a cycle).
 */
export async function reserveAttempt(db: Database, keys: ThrottleKeys): Promise<Reservation> {
  const { email: e, ip: i } = THROTTLE_POLICY;
  const isIp = sql`t.key like 'ip:%'`;
  const window = sql`make_interval(mins => case when ${isIp} then ${i.windowMinutes}::int else ${e.windowMinutes}::int end)`;
  const lock = sql`make_interval(mins => case when ${isIp} then ${i.lockMinutes}::int else ${e.lockMinutes}::int end)`;
  const limit = sql`(case when ${isIp} then ${i.limit}::int else ${e.limit}::int end)`;
  const locked = sql`(t.locked_until is not null and t.locked_until > now())`;
  const fresh = sql`(t.window_started_at <= now() - ${window} and not ${locked})`;
  const values = keysOf(keys).map((key) => sql`(${key}, 1, now(), null)`);
  const result = await db.execute(sql`
    insert into sign_in_throttle as t (key, failures, window_started_at, locked_until)
    values ${sql.join(values, sql`, `)}
    on conflict (key) do update set
      failures = case when ${fresh} then 1 else t.failures + 1 end,
      window_started_at = case when ${fresh} then now() else t.window_started_at end,
      locked_until = case
        when ${locked} then t.locked_until
        when not ${fresh} and t.failures + 1 >= ${limit} then now() + ${lock}
        else null end
    returning key, failures, ${limit} as "limit",
      greatest(0, ceil(extract(epoch from (t.locked_until - now()))))::int as wait`);
  const rows = rowsOf<{ key: string; failures: number; limit: number; wait: number | null }>(result);
  let refused: Extract<Reservation, { allowed: false }> | undefined;
  for (const row of rows) {
    const over = Number(row.failures) - Number(row.limit);
    if (over <= 0) continue;
    refused = {
      allowed: false,
      retryAfterSeconds: Math.max(refused?.retryAfterSeconds ?? 0, Number(row.wait ?? 0), 1),
      firstRefusal: (refused?.firstRefusal ?? false) || over === 1,
      refusedSoFar: Math.max(refused?.refusedSoFar ?? 0, over),
      lockedKeys: [...(refused?.lockedKeys ?? []), row.key],
    };
  }
  return refused ?? { allowed: true };
}

/**
 * A successful sign-in clears the email's count, and gives the address back the attempt it
 * reserved (so an office signing in all day does not lock itself out).
 */
export async function releaseOnSuccess(db: Database, keys: ThrottleKeys): Promise<void> {
  await db.delete(signInThrottle).where(inArray(signInThrottle.key, [`email:${keys.email}`]));
  if (keys.ip) {
    await db.execute(sql`
      update sign_in_throttle set failures = greatest(failures - 1, 0)
      where key = ${`ip:${addressKey(keys.ip)}`} and (locked_until is null or locked_until <= now())`);
  }
}

/** An attempt that never reached the password check (the server was busy) is given back. */
export async function giveBack(db: Database, keys: ThrottleKeys): Promise<void> {
  await db.execute(sql`
    update sign_in_throttle set failures = greatest(failures - 1, 0)
    where key in (${sql.join(
      keysOf(keys).map((key) => sql`${key}`),
      sql`, `,
    )}) and (locked_until is null or locked_until <= now())`);
}
