import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { type Database, rowsOf } from "../db/client";
import { events, streams } from "../db/schema";
import { ConcurrencyError, sqlState } from "./errors";
import { rawFromSqlRow, toRawEvent } from "./read";
import type { EventMetadata, NewEvent, RawEvent } from "./types";

export type AppendRequest = {
  readonly streamId: string;
  readonly streamType: string;
  /** The version the caller decided on: 0 for a stream that must not exist yet. */
  readonly expectedVersion: bigint;
  readonly events: readonly NewEvent[];
  readonly metadata: EventMetadata;
  /** Only for importing history (the demo seed); normally the database's clock stamps events. */
  readonly recordedAt?: Date;
};

/**
 * Appends events to one stream if it is still at `expectedVersion`, else throws ConcurrencyError
 * with both versions. Run it inside the command's transaction.
 */
export async function appendToStream(tx: Database, request: AppendRequest): Promise<RawEvent[]> {
  const { streamId, streamType, expectedVersion, metadata } = request;
  const count = BigInt(request.events.length);
  if (count === 0n) return [];
  const nextVersion = expectedVersion + count;

  const rows = request.events.map((event, index) => ({
    streamPosition: expectedVersion + BigInt(index + 1),
    eventId: randomUUID(),
    event,
  }));

  if (expectedVersion > 0n) {
    // One statement: move the stream's version only if it is still the expected one, and insert
    // the events only if it moved. Nothing inserted means someone else moved it first.
    const values = sql.join(
      rows.map(
        (row) =>
          sql`(${row.streamPosition}::bigint, ${row.eventId}::uuid, ${row.event.type}, ${row.event.schemaVersion}::int, ${JSON.stringify(row.event.data)}::jsonb)`,
      ),
      sql`, `,
    );
    const result = await tx.execute(sql`
      with moved as (
        update streams set version = ${nextVersion}, updated_at = now()
         where stream_id = ${streamId} and version = ${expectedVersion}
        returning stream_id
      )
      insert into events (stream_id, stream_type, stream_position, event_id, event_type, schema_version, data, metadata, recorded_at)
      select moved.stream_id, ${streamType}, v.position, v.event_id, v.event_type, v.schema_version, v.data,
             ${JSON.stringify(metadata)}::jsonb, coalesce(${request.recordedAt?.toISOString() ?? null}::timestamptz, now())
        from moved, (values ${values}) as v(position, event_id, event_type, schema_version, data)
      returning global_position, transaction_id::text as transaction_id, stream_id, stream_type, stream_position,
                event_id, event_type, schema_version, data, metadata, recorded_at`);
    const inserted = rowsOf<Record<string, unknown>>(result).map(rawFromSqlRow);
    if (inserted.length === 0) throw new ConcurrencyError(streamId, expectedVersion, await currentVersion(tx, streamId));
    return inserted.sort((a, b) => (a.streamPosition < b.streamPosition ? -1 : 1));
  }

  const created = await tx
    .insert(streams)
    .values({ streamId, streamType, version: nextVersion })
    .onConflictDoNothing()
    .returning({ version: streams.version });
  if (created.length === 0) throw new ConcurrencyError(streamId, expectedVersion, await currentVersion(tx, streamId));

  try {
    const inserted = await tx
      .insert(events)
      .values(
        rows.map((row) => ({
          streamId,
          streamType,
          streamPosition: row.streamPosition,
          eventId: row.eventId,
          eventType: row.event.type,
          schemaVersion: row.event.schemaVersion,
          data: row.event.data,
          metadata,
          ...(request.recordedAt ? { recordedAt: request.recordedAt } : {}),
        })),
      )
      .returning();
    return inserted.map(toRawEvent);
  } catch (error) {
    // Two writers that both skipped the streams row (it cannot happen through this function, but
    // a hand-written insert could) still meet the (stream_id, stream_position) primary key.
    if (sqlState(error) === "23505") {
      throw new ConcurrencyError(streamId, expectedVersion, await currentVersion(tx, streamId));
    }
    throw error;
  }
}

export async function currentVersion(db: Database, streamId: string): Promise<bigint> {
  const rows = await db.select({ version: streams.version }).from(streams).where(eq(streams.streamId, streamId));
  return rows[0]?.version ?? 0n;
}
