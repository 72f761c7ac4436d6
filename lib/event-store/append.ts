import { randomUUID } from "node:crypto";

import { eq } from "drizzle-orm";

import { rowsOf, type Database } from "../db/client";
import { combineWrites } from "../db/rows";
import { streams } from "../db/schema";
import { statement, toSql, type Statement } from "../db/statement";
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

/** The append as parts of one statement (data-modifying CTEs: see combineWrites), and the rows it writes. */
export type AppendPlan = { readonly parts: readonly Statement[]; readonly events: RawEvent[] };

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
      ? statement(CREATE_STREAM, streamId, streamType, nextVersion.toString(), at)
      : statement(MOVE_STREAM, streamId, nextVersion.toString(), at);
  // One JSON parameter for any number of events keeps the statement text (and its prepared plan)
  // the same for one event and for a batch.
  return { parts: [moveStream, statement(INSERT_EVENTS, streamId, streamType, at, rows)], events };
}

// $1 stream id, $2 stream type, $3 the version after the append, $4 the transaction's time.
const CREATE_STREAM = `insert into streams (stream_id, stream_type, version, created_at, updated_at) values ($1, $2, $3::bigint, $4::timestamptz, $4::timestamptz)`;
// $1 stream id, $2 the version after the append, $3 the transaction's time.
const MOVE_STREAM = `update streams set version = $2::bigint, updated_at = $3::timestamptz where stream_id = $1`;
// $1 stream id, $2 stream type, $3 the transaction's time, $4 the events.
const INSERT_EVENTS = `insert into events (global_position, stream_id, stream_type, stream_position, event_id, event_type, schema_version, data, metadata, recorded_at)
  overriding system value
  select x.global_position, $1::text, $2::text, x.stream_position, x.event_id, x.event_type, x.schema_version, x.data, x.metadata, $3::timestamptz
    from jsonb_to_recordset($4::jsonb)
      as x(global_position bigint, stream_position bigint, event_id uuid, event_type text, schema_version int, data jsonb, metadata jsonb)`;

/** Draws `count` global positions and reads the transaction's id and time, in one statement. */
export function stampStatement(count: number): Statement {
  return statement(STAMP, count);
}
const STAMP = `select now() as now, pg_current_xact_id()::text as xid,
  (select coalesce(string_agg(nextval('events_global_position_seq')::text, ','), '') from generate_series(1, $1::int)) as positions`;

/**
 * The stamp and the stored records of idempotency keys (`keys`: JSON of {scope, key}), in one
 * statement. Sent after the load, so it sees what a writer the lock waited for committed.
 */
export function stampAndKeysStatement(count: number, keys: string): Statement {
  return statement(STAMP_AND_KEYS, count, keys);
}
const STAMP_AND_KEYS = `select now() as now, pg_current_xact_id()::text as xid,
  (select coalesce(string_agg(nextval('events_global_position_seq')::text, ','), '') from generate_series(1, $1::int)) as positions,
  (select coalesce(json_agg(json_build_object('scope', k.scope, 'key', k.key, 'request_hash', k.request_hash, 'result', k.result,
                                              'response_status', k.response_status, 'response_body', k.response_body)), '[]'::json)
     from jsonb_to_recordset($2::jsonb) as wanted(scope text, key text)
     -- One primary-key lookup per key: a lateral with a LIMIT cannot be flattened into a join. As a
     -- join, the planner (not knowing how few keys come) hashed the whole table for each command.
     cross join lateral (select * from idempotency_keys k where k.scope = wanted.scope and k.key = wanted.key limit 1) k) as keys`;

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
  const stamp = readStamp(rowsOf<Record<string, unknown>>(await tx.execute(toSql(stampStatement(request.events.length))))[0]);
  const plan = planAppend({
    ...request,
    events: request.events.map((event) => ({ ...event, metadata: request.metadata })),
    stamp: request.recordedAt ? { ...stamp, recordedAt: request.recordedAt } : stamp,
  });
  // A savepoint, so that a lost race leaves the caller's transaction usable for reading the version.
  try {
    await tx.transaction((inner) => inner.execute(toSql(combineWrites(plan.parts) as Statement)));
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
