import { sql } from "drizzle-orm";

import { rowsOf, type Database } from "../db/client";

/** Keys of customers' and integrators' requests are kept at least this long (docs/api.md says 24 hours). */
export const KEEP_HOURS = 48;

/**
 * Scopes whose keys are never purged: a transfer's legs run under `transfer:<id>:<leg>`, and that
 * record is what makes a repeated credit (which leaves no hold to recognise) happen once.
 */
export const PERMANENT_SCOPES = ["transfer"] as const;

/** Forgets request keys older than `hours`; returns how many went. Run by the background loop and the cron route. */
export async function purgeIdempotencyKeys(db: Database, hours = KEEP_HOURS): Promise<number> {
  const result = await db.execute(sql`
    with gone as (
      delete from idempotency_keys
       where created_at < now() - make_interval(hours => ${hours})
         and scope <> all (${`{${PERMANENT_SCOPES.join(",")}}`}::text[])
      returning 1)
    select count(*)::int as count from gone`);
  return Number(rowsOf<{ count: number }>(result)[0]?.count ?? 0);
}
