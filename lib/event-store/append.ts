import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { events, streams } from "../db/schema";
import { ConcurrencyError, sqlState } from "./errors";
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

  if (expectedVersion === 0n) {
    const created = await tx
      .insert(streams)
      .values({ streamId, streamType, version: nextVersion })
      .onConflictDoNothing()
      .returning({ version: streams.version });
    if (created.length === 0) throw new ConcurrencyError(streamId, expectedVersion, await currentVersion(tx, streamId));
  } else {
    const moved = await tx
      .update(streams)
      .set({ version: nextVersion, updatedAt: sql`now()` })
      .where(and(eq(streams.streamId, streamId), eq(streams.version, expectedVersion)))
      .returning({ version: streams.version });
    if (moved.length === 0) throw new ConcurrencyError(streamId, expectedVersion, await currentVersion(tx, streamId));
  }

  try {
    const rows = await tx
      .insert(events)
      .values(
        request.events.map((event, index) => ({
          streamId,
          streamType,
          streamPosition: expectedVersion + BigInt(index + 1),
          eventId: randomUUID(),
          eventType: event.type,
          schemaVersion: event.schemaVersion,
          data: event.data,
          metadata,
          ...(request.recordedAt ? { recordedAt: request.recordedAt } : {}),
        })),
      )
      .returning();
    return rows.map(toRawEvent);
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
