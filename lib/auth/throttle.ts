import { inArray, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { signInThrottle } from "../db/schema";

/**
 * Sign-in throttling, kept in Postgres so every app instance sees the same counts. After
 * `limit` failures inside `windowMinutes`, the key is locked for `lockMinutes`; any attempt while
 * locked is refused without checking the password.
 */
export const THROTTLE_POLICY = {
  email: { limit: 5, windowMinutes: 15, lockMinutes: 15 },
  // An address is shared by many people (an office, a NAT), so it gets more room.
  ip: { limit: 50, windowMinutes: 15, lockMinutes: 15 },
} as const;

export type ThrottleKeys = { email: string; ip: string | null };

const keysOf = ({ email, ip }: ThrottleKeys) => [`email:${email}`, ...(ip ? [`ip:${ip}`] : [])];

/** Seconds until the caller may try again, or 0 when not locked. */
export async function lockedForSeconds(db: Database, keys: ThrottleKeys, now = new Date()): Promise<number> {
  const rows = await db
    .select({ lockedUntil: signInThrottle.lockedUntil })
    .from(signInThrottle)
    .where(inArray(signInThrottle.key, keysOf(keys)));
  let seconds = 0;
  for (const { lockedUntil } of rows) {
    if (lockedUntil && lockedUntil > now) seconds = Math.max(seconds, Math.ceil((lockedUntil.getTime() - now.getTime()) / 1000));
  }
  return seconds;
}

/** Counts a failure against the email and the address, in one statement each (atomic per key). */
export async function recordFailure(db: Database, keys: ThrottleKeys): Promise<void> {
  for (const key of keysOf(keys)) {
    const policy = key.startsWith("ip:") ? THROTTLE_POLICY.ip : THROTTLE_POLICY.email;
    const window = sql`make_interval(mins => ${policy.windowMinutes})`;
    const lock = sql`make_interval(mins => ${policy.lockMinutes})`;
    await db.execute(sql`
      insert into sign_in_throttle as t (key, failures, window_started_at, locked_until)
      values (${key}, 1, now(), null)
      on conflict (key) do update set
        failures = case when t.window_started_at < now() - ${window} then 1 else t.failures + 1 end,
        window_started_at = case when t.window_started_at < now() - ${window} then now() else t.window_started_at end,
        locked_until = case
          when t.window_started_at >= now() - ${window} and t.failures + 1 >= ${policy.limit} then now() + ${lock}
          else t.locked_until end`);
  }
}

/** A successful sign-in clears the email's count (not the address's). */
export async function clearFailures(db: Database, email: string): Promise<void> {
  await db.delete(signInThrottle).where(inArray(signInThrottle.key, [`email:${email}`]));
}
