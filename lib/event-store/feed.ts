import { sql } from "drizzle-orm";

import { rowsOf, type Database } from "../db/client";
import { customerStreams } from "./public-event";
import { rawFromSqlRow, START_OF_LOG, type GlobalCheckpoint } from "./read";
import type { RawEvent } from "./types";

/**
 * The event feed's cursor: the global reader's checkpoint (transaction id, global position), as an
 * opaque string. It is stable: the same cursor always continues after the same event, however much
 * is written meanwhile, because the feed only shows transactions older than every running one
 * (nothing can appear behind a cursor it gave out).
 */
export const encodeFeedCursor = (checkpoint: GlobalCheckpoint): string =>
  Buffer.from(`${checkpoint.transactionId}:${checkpoint.globalPosition}`, "utf8").toString("base64url");

export function decodeFeedCursor(cursor: string): GlobalCheckpoint | undefined {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(cursor)) return undefined;
  const match = /^([0-9]{1,20}):([0-9]{1,19})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!match) return undefined;
  return { transactionId: match[1]!, globalPosition: BigInt(match[2]!) };
}

/**
 * One page of the feed after `after`, in global order: every event for an admin, the events of a
 * customer's own accounts and sent transfers otherwise. `next` is where the following page starts
 * (equal to `after` when nothing new has committed).
 */
export async function readFeed(
  db: Database,
  options: { after?: GlobalCheckpoint; limit: number; customerId?: string },
): Promise<{ events: RawEvent[]; next: GlobalCheckpoint }> {
  const after = options.after ?? START_OF_LOG;
  const scope = options.customerId === undefined ? sql`` : sql`and stream_id in ${customerStreams(options.customerId)}`;
  const rows = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      select global_position, transaction_id::text as transaction_id, stream_id, stream_type, stream_position,
             event_id, event_type, schema_version, data, metadata, recorded_at
      from events
      where transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        and (transaction_id, global_position) > (${after.transactionId}::xid8, ${after.globalPosition})
        ${scope}
      order by transaction_id, global_position
      limit ${options.limit}`),
  ).map(rawFromSqlRow);
  const last = rows.at(-1);
  return { events: rows, next: last ? { transactionId: last.transactionId, globalPosition: last.globalPosition } : after };
}
