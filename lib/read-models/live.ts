import { sql } from "drizzle-orm";

import { rowsOf, type Database } from "../db/client";

// What changed for one customer, read from the gap-free global order of the events table (the
// same order as the event store's global reader: only transactions older than every one still
// running, by (transaction id, global position)), so nothing committed late is ever passed over.

/** A position in the global order: the last (transaction id, global position) a reader has seen. */
export type LivePosition = { readonly transactionId: string; readonly globalPosition: bigint };

export const LOG_START: LivePosition = { transactionId: "0", globalPosition: 0n };

/** What a live stream tells the browser: which of the customer's streams moved, never their data. */
export type LiveChange = {
  readonly position: LivePosition;
  readonly kind: "account" | "transfer";
  readonly id: string;
  readonly eventType: string;
};

/** "<transaction id>:<global position>", the SSE event id a browser sends back as Last-Event-ID. */
export function encodeLivePosition(position: LivePosition): string {
  return `${position.transactionId}:${position.globalPosition}`;
}

/** A Last-Event-ID we issued, or undefined for anything else (bounded, digits only). */
export function decodeLivePosition(value: string | null | undefined): LivePosition | undefined {
  const match = /^(\d{1,20}):(\d{1,19})$/.exec(value ?? "");
  if (!match) return undefined;
  const globalPosition = BigInt(match[2] as string);
  if (globalPosition > 9_223_372_036_854_775_807n || BigInt(match[1] as string) > 18_446_744_073_709_551_615n) return undefined;
  return { transactionId: match[1] as string, globalPosition };
}

/** The newest position in the final part of the order: a new stream starts here. */
export async function livePositionNow(db: Database): Promise<LivePosition> {
  const result = await db.execute(sql`
    select transaction_id::text as transaction_id, global_position
    from events
    where transaction_id < pg_snapshot_xmin(pg_current_snapshot())
    order by transaction_id desc, global_position desc
    limit 1`);
  const row = rowsOf<{ transaction_id: string; global_position: string | bigint }>(result)[0];
  return row ? { transactionId: String(row.transaction_id), globalPosition: BigInt(row.global_position) } : LOG_START;
}

/**
 * The next `limit` events of the global order after `after`, reduced to the ones on `ownerId`'s
 * account streams and on transfers to or from them. `position` is where the batch ended (also
 * past other people's events, which are skipped, not sent), and `more` whether the batch was full.
 */
export async function readLiveChanges(
  db: Database,
  ownerId: string,
  after: LivePosition,
  limit = 500,
): Promise<{ changes: LiveChange[]; position: LivePosition; more: boolean }> {
  const result = await db.execute(sql`
    with batch as (
      select transaction_id, global_position, stream_id, stream_type, event_type
      from events
      where transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        and (transaction_id, global_position) > (${after.transactionId}::xid8, ${after.globalPosition})
      order by transaction_id, global_position
      limit ${limit}
    )
    select b.transaction_id::text as transaction_id, b.global_position, b.stream_type, b.event_type,
           coalesce(a.account_id, t.transfer_id) as owned_id
    from batch b
    left join account_summary a
      on b.stream_type = 'account' and a.account_id = substr(b.stream_id, 9) and a.customer_id = ${ownerId}
    left join transfers_view t
      on b.stream_type = 'transfer' and t.transfer_id = substr(b.stream_id, 10)
        and (t.from_customer_id = ${ownerId} or t.to_customer_id = ${ownerId})
    order by b.transaction_id, b.global_position`);
  const rows = rowsOf<{ transaction_id: string; global_position: string | bigint; stream_type: string; event_type: string; owned_id: string | null }>(
    result,
  );
  const changes: LiveChange[] = [];
  let position = after;
  for (const row of rows) {
    position = { transactionId: String(row.transaction_id), globalPosition: BigInt(row.global_position) };
    if (row.owned_id === null) continue;
    changes.push({ position, kind: row.stream_type === "transfer" ? "transfer" : "account", id: row.owned_id, eventType: row.event_type });
  }
  return { changes, position, more: rows.length === limit };
}
