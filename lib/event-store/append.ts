import { randomUUID } from "node:crypto";
import { eq, type SQL, sql } from "drizzle-orm";
import { type Database, rowsOf } from "../db/client";
import { streams } from "../db/schema";
import type { JsonValue } from "../domain/shared/json";
import { ConcurrencyError, isAppendConflict } from "./errors";
import { toDate } from "./read";
import type { EventMetadata, NewEvent, RawEvent } from "./types";

/** An event to append, with the metadata of the command that produced it. */
export type PendingEvent = NewEvent & { readonly metadata: EventMetadata };

/**
 * Where the new events go and what the store stamps on them, fixed before the write: global
 * positions drawn from the events' sequence, the transaction's id and time. Knowing them up front
 * lets the append, the projections and the idempotency record (with the answer the client gets)
 * go to the database together, in one flight with COMMIT.
 */
export type AppendStamp = {
  readonly globalPositions: readonly bigint[];
  readonly transactionId: string;
  readonly recordedAt: Date;
};

export type AppendPlan = { readonly statement: SQL; readonly events: RawEvent[] };

/**
 * The statement that appends `events` to a stream at `expectedVersion` (0: a stream that must not
 * exist yet), and the rows it writes. There is no version check that could quietly write nothing:
 * a writer that lost a race meets the (stream_id, stream_position) primary key of the events the
 * winner wrote (or the streams key, for a new stream), so the statement fails and takes the whole
 * transaction with it. `isAppendConflict` tells that failure apart.
 */
export function planAppend(request: {
  readonly streamId: string;
  readonly streamType: string;
  readonly expectedVersion: bigint;
  readonly events: readonly PendingEvent[];
  readonly stamp: AppendStamp;
}): AppendPlan {
  const { streamId, streamType, expectedVersion, stamp } = request;
  if (request.events.length > stamp.globalPositions.length) throw new Error("planAppend: fewer global positions than events");
  const nextVersion = expectedVersion + BigInt(request.events.length);
  const events: RawEvent[] = request.events.map((event, index) => ({
    globalPosition: stamp.globalPositions[index] as bigint,
    transactionId: stamp.transactionId,
    streamId,
    streamType,
    streamPosition: expectedVersion + BigInt(index + 1),
    eventId: randomUUID(),
    type: event.type,
    schemaVersion: event.schemaVersion,
    data: event.data,
    metadata: event.metadata,
    recordedAt: stamp.recordedAt,
  }));
  const rows = JSON.stringify(
    events.map((event) => ({
      global_position: event.globalPosition.toString(),
      stream_position: event.streamPosition.toString(),
      event_id: event.eventId,
      event_type: event.type,
      schema_version: event.schemaVersion,
      data: event.data,
      metadata: event.metadata,
    })),
  );
  const at = stamp.recordedAt.toISOString();
  const moveStream =
    expectedVersion === 0n
      ? sql`insert into streams (stream_id, stream_type, version, created_at, updated_at) values (${streamId}, ${streamType}, ${nextVersion}, ${at}::timestamptz, ${at}::timestamptz)`
      : sql`update streams set version = ${nextVersion}, updated_at = ${at}::timestamptz where stream_id = ${streamId}`;
  // One JSON parameter for any number of events keeps the statement text (and its prepared plan)
  // the same for one event and for a batch.
  const statement = sql`
    with moved as (${moveStream})
    insert into events (global_position, stream_id, stream_type, stream_position, event_id, event_type, schema_version, data, metadata, recorded_at)
    overriding system value
    select x.global_position, ${streamId}::text, ${streamType}::text, x.stream_position, x.event_id, x.event_type, x.schema_version, x.data, x.metadata, ${at}::timestamptz
      from jsonb_to_recordset(${rows}::jsonb)
        as x(global_position bigint, stream_position bigint, event_id uuid, event_type text, schema_version int, data jsonb, metadata jsonb)`;
  return { statement, events };
}

/** Draws `count` global positions and reads the transaction's id and time, in one statement. */
export function stampStatement(count: number): SQL {
  return sql`select now() as now, pg_current_xact_id()::text as xid,
    (select coalesce(string_agg(nextval('events_global_position_seq')::text, ','), '') from generate_series(1, ${count}::int)) as positions`;
}

export function readStamp(row: Record<string, unknown> | undefined): AppendStamp {
  if (!row) throw new Error("the stamp statement returned no row");
  const positions = String(row.positions ?? "");
  return {
    globalPositions: positions === "" ? [] : positions.split(",").map((position) => BigInt(position)),
    transactionId: String(row.xid),
    recordedAt: toDate(row.now),
  };
}

export type AppendRequest = {
  readonly streamId: string;
  readonly streamType: string;
  /** The version the caller decided on: 0 for a stream that must not exist yet. */
  readonly expectedVersion: bigint;
  readonly events: readonly NewEvent[];
  readonly metadata: EventMetadata;
  /** Only for importing history (the demo seed); normally the transaction's time stamps events. */
  readonly recordedAt?: Date;
};

/**
 * Appends events to one stream if it is still at `expectedVersion`, else throws ConcurrencyError
 * with both versions. Runs in the caller's transaction, statement by statement (commands go
 * through handleCommand, which sends the append with the rest of its writes).
 */
export async function appendToStream(tx: Database, request: AppendRequest): Promise<RawEvent[]> {
  if (request.events.length === 0) return [];
  const stamp = readStamp(rowsOf<Record<string, unknown>>(await tx.execute(stampStatement(request.events.length)))[0]);
  const plan = planAppend({
    ...request,
    events: request.events.map((event) => ({ ...event, metadata: request.metadata })),
    stamp: request.recordedAt ? { ...stamp, recordedAt: request.recordedAt } : stamp,
  });
  // A savepoint, so that a lost race leaves the caller's transaction usable for reading the version.
  try {
    await tx.transaction((inner) => inner.execute(plan.statement));
  } catch (error) {
    if (isAppendConflict(error)) throw new ConcurrencyError(request.streamId, request.expectedVersion, await currentVersion(tx, request.streamId));
    throw error;
  }
  return plan.events;
}

export async function currentVersion(db: Database, streamId: string): Promise<bigint> {
  const rows = await db.select({ version: streams.version }).from(streams).where(eq(streams.streamId, streamId));
  return rows[0]?.version ?? 0n;
}

/** The JSON form of a stored event kept with an idempotency key (and read back by a replay). */
export function rawToJson(raw: RawEvent): JsonValue {
  return {
    global_position: raw.globalPosition.toString(),
    transaction_id: raw.transactionId,
    stream_id: raw.streamId,
    stream_type: raw.streamType,
    stream_position: raw.streamPosition.toString(),
    event_id: raw.eventId,
    event_type: raw.type,
    schema_version: raw.schemaVersion,
    data: raw.data,
    metadata: raw.metadata,
    recorded_at: raw.recordedAt.toISOString(),
  };
}
