import { sql } from "drizzle-orm";

import { rowsOf, type Database } from "../db/client";

export type SubscriptionLag = {
  readonly name: string;
  /** Committed events after the checkpoint. */
  readonly lagEvents: number;
  /** Age of the oldest event it has not processed; 0 when caught up. */
  readonly lagSeconds: number;
  readonly eventsProcessed: string;
  readonly updatedAt: Date;
  readonly lastError: string | null;
};

/** Every subscriber's lag, read from the database (any instance sees the same). */
export async function subscriptionLags(db: Database): Promise<SubscriptionLag[]> {
  const rows = rowsOf<{
    name: string;
    lag: number | string;
    oldest: number | string | null;
    processed: string | bigint;
    updated_at: unknown;
    last_error: string | null;
  }>(
    await db.execute(sql`
      select s.name, s.events_processed::text as processed, s.updated_at, s.last_error,
        (select count(*)::int from events e
          where (e.transaction_id, e.global_position) > (s.checkpoint_transaction_id, s.checkpoint_position)
            and e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())) as lag,
        (select extract(epoch from now() - min(e.recorded_at))::float8 from events e
          where (e.transaction_id, e.global_position) > (s.checkpoint_transaction_id, s.checkpoint_position)
            and e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())) as oldest
      from subscriptions s order by s.name`),
  );
  return rows.map((row) => ({
    name: row.name,
    lagEvents: Number(row.lag),
    lagSeconds: Math.max(0, Number(row.oldest ?? 0)),
    eventsProcessed: String(row.processed),
    updatedAt: row.updated_at instanceof Date ? row.updated_at : new Date(String(row.updated_at)),
    lastError: row.last_error,
  }));
}
