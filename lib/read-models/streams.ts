import { eq, sql } from "drizzle-orm";

import { rowsOf, type Database } from "../db/client";
import { streams } from "../db/schema";
import { rawFromSqlRow } from "../event-store/read";

// The back office's stream inspector: raw rows as stored. Admin paths only (the DAL checks the role).

/** Stream ids are "<type>-<id>" or a name ("sanctions"): letters, digits and dashes. */
export const STREAM_ID = /^[A-Za-z0-9-]{1,200}$/;
export const STREAM_PAGE_SIZE = 100;

/** One stored event row, exactly as the table holds it (JSON pretty-printed, nothing decoded). */
export type StoredEventRowDto = {
  globalPosition: string;
  transactionId: string;
  streamPosition: string;
  eventId: string;
  eventType: string;
  schemaVersion: number;
  data: string;
  metadata: string;
  recordedAt: string;
};

export type StreamDto = {
  streamId: string;
  streamType: string;
  version: string;
  createdAt: string | null;
  updatedAt: string | null;
  events: StoredEventRowDto[];
  /** First stream position shown, and where the previous and next pages start (if any). */
  from: string;
  previousFrom: string | null;
  nextFrom: string | null;
};

/**
 * A page of a stream's raw rows in stream order, starting at position `from`. Read straight from the
 * events table (no codec, no upcasting), so the inspector shows what is stored.
 */
export async function readStreamPage(db: Database, streamId: string, from = 1n): Promise<StreamDto | undefined> {
  if (!STREAM_ID.test(streamId)) return undefined;
  const start = from < 1n ? 1n : from;
  const [head] = await db.select().from(streams).where(eq(streams.streamId, streamId));
  const result = await db.execute(sql`
    select global_position, transaction_id::text as transaction_id, stream_id, stream_type, stream_position,
           event_id, event_type, schema_version, data, metadata, recorded_at
      from events
     where stream_id = ${streamId} and stream_position >= ${start}
     order by stream_position
     limit ${STREAM_PAGE_SIZE + 1}`);
  const raws = rowsOf<Record<string, unknown>>(result).map(rawFromSqlRow);
  if (!head && raws.length === 0) return undefined;
  const page = raws.slice(0, STREAM_PAGE_SIZE);
  const version = head?.version ?? page.at(-1)?.streamPosition ?? 0n;
  const previous = start > 1n ? (start - BigInt(STREAM_PAGE_SIZE) < 1n ? 1n : start - BigInt(STREAM_PAGE_SIZE)) : null;
  return {
    streamId,
    streamType: head?.streamType ?? page[0]?.streamType ?? "",
    version: version.toString(),
    createdAt: head?.createdAt.toISOString() ?? null,
    updatedAt: head?.updatedAt.toISOString() ?? null,
    events: page.map((raw) => ({
      globalPosition: raw.globalPosition.toString(),
      transactionId: raw.transactionId,
      streamPosition: raw.streamPosition.toString(),
      eventId: raw.eventId,
      eventType: raw.type,
      schemaVersion: raw.schemaVersion,
      data: JSON.stringify(raw.data, null, 2),
      metadata: JSON.stringify(raw.metadata, null, 2),
      recordedAt: raw.recordedAt.toISOString(),
    })),
    from: start.toString(),
    previousFrom: previous?.toString() ?? null,
    nextFrom: raws.length > STREAM_PAGE_SIZE ? (raws[STREAM_PAGE_SIZE]?.streamPosition.toString() ?? null) : null,
  };
}
