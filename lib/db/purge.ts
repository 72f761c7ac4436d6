import { lt, sql, type SQL } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";

import type { Database } from "./client";
import { webauthnChallenges } from "./schema";

/**
 * Deletes up to `limit` rows of `table` matching `where`, picked by row address so any key shape
 * works, and returns how many went. Bounded, so one purge is a short transaction whatever the backlog.
 */
export async function purgeRows(db: Database, table: PgTable, where: SQL | undefined, limit: number): Promise<number> {
  const doomed = db
    .select({ row: sql`ctid` })
    .from(table)
    .where(where)
    .limit(limit);
  const gone = await db
    .delete(table)
    .where(sql`ctid = any(array(${doomed}))`)
    .returning({ row: sql`1` });
  return gone.length;
}

/** WebAuthn challenges a minute past their expiry (they can never be used): the passkey ceremonies' and the retention's purge. */
export const deadWebauthnChallenges = (now: Date) => lt(webauthnChallenges.expiresAt, new Date(now.getTime() - 60_000));
