import { and, asc, eq, gt, lte, sql } from "drizzle-orm";

import { rowsOf, type Database } from "../db/client";
import { events } from "../db/schema";
import type { EventCodec } from "../domain/shared/codec";
import type { EventMetadata, RawEvent, StoredEvent } from "./types";

/** Events of one stream after `after` (exclusive), up to `upTo` (inclusive) when given, in order. */
export async function readStream(
  db: Database,
  streamId: string,
  options: { after?: bigint; upTo?: bigint; limit?: number } = {},
): Promise<RawEvent[]> {
  const conditions = [eq(events.streamId, streamId), gt(events.streamPosition, options.after ?? 0n)];
  if (options.upTo !== undefined) conditions.push(lte(events.streamPosition, options.upTo));
  const query = db
    .select()
    .from(events)
    .where(and(...conditions))
    .orderBy(asc(events.streamPosition));
  const rows = options.limit ? await query.limit(options.limit) : await query;
  return rows.map(toRawEvent);
}

export function decodeEvent<Event extends { type: string; data: unknown }>(codec: EventCodec<Event>, raw: RawEvent): StoredEvent<Event> {
  const event = codec.decode(raw.type, raw.schemaVersion, raw.data);
  return { ...raw, type: event.type, data: event.data, event };
}

/** Where a global reader has got to: the last (transaction id, global position) it processed. */
export type GlobalCheckpoint = { readonly transactionId: string; readonly globalPosition: bigint };

export const START_OF_LOG: GlobalCheckpoint = { transactionId: "0", globalPosition: 0n };

/**
 * Reads every stream's events after `checkpoint` in commit-safe order. Global positions are taken
 * when a row is inserted, not when its transaction commits, so a reader ordering by position alone
 * could pass a position whose transaction commits later and skip it forever. Reading only
 * transactions older than the oldest one still running (pg_snapshot_xmin) and ordering by
 * (transaction_id, global_position) makes the order final: nothing can appear behind the checkpoint.
 */
export async function readAll(
  db: Database,
  checkpoint: GlobalCheckpoint = START_OF_LOG,
  limit = 1000,
): Promise<{ events: RawEvent[]; checkpoint: GlobalCheckpoint }> {
  const result = await db.execute(sql`
    select global_position, transaction_id::text as transaction_id, stream_id, stream_type, stream_position,
           event_id, event_type, schema_version, data, metadata, recorded_at
    from events
    where transaction_id < pg_snapshot_xmin(pg_current_snapshot())
      and (transaction_id, global_position) > (${checkpoint.transactionId}::xid8, ${checkpoint.globalPosition})
    order by transaction_id, global_position
    limit ${limit}`);
  const rows = rowsOf<Record<string, unknown>>(result).map(rawFromSqlRow);
  const last = rows.at(-1);
  return {
    events: rows,
    checkpoint: last ? { transactionId: last.transactionId, globalPosition: last.globalPosition } : checkpoint,
  };
}

/** Drivers disagree on raw types (postgres.js: strings; PGlite: bigint, objects); normalise here. */
export function rawFromSqlRow(row: Record<string, unknown>): RawEvent {
  return {
    globalPosition: BigInt(row.global_position as string),
    transactionId: String(row.transaction_id),
    streamId: String(row.stream_id),
    streamType: String(row.stream_type),
    streamPosition: BigInt(row.stream_position as string),
    eventId: String(row.event_id),
    type: String(row.event_type),
    schemaVersion: Number(row.schema_version),
    data: parseJson(row.data) as RawEvent["data"],
    metadata: parseJson(row.metadata) as RawEvent["metadata"],
    recordedAt: toDate(row.recorded_at),
  };
}

/** A timestamptz from either driver: a Date, or text like "2026-11-23 18:47:29.12+00". */
export function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  const text = String(value)
    .replace(" ", "T")
    .replace(/([+-]\d\d)$/, "$1:00");
  return new Date(text);
}

export function parseJson(value: unknown): unknown {
  return typeof value === "string" ? JSON.parse(value) : value;
}

export function toRawEvent(row: typeof events.$inferSelect): RawEvent {
  return {
    globalPosition: row.globalPosition,
    transactionId: String(row.transactionId),
    streamId: row.streamId,
    streamType: row.streamType,
    streamPosition: row.streamPosition,
    eventId: row.eventId,
    type: row.eventType,
    schemaVersion: row.schemaVersion,
    data: row.data as RawEvent["data"],
    metadata: row.metadata as EventMetadata,
    recordedAt: row.recordedAt,
  };
}
