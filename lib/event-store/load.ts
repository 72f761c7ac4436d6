import { sql } from "drizzle-orm";
import { type Database, rowsOf } from "../db/client";
import type { Decider } from "../domain/shared/decider";
import type { EventCodec } from "./codec";
import { parseJson, rawFromSqlRow } from "./read";

export type SnapshotPolicy<State> = {
  /** The shape version of State; a snapshot with any other version is ignored, never trusted. */
  readonly schemaVersion: number;
  readonly decode: (json: unknown) => State;
  /** Write one each time the stream crosses a multiple of this many events. */
  readonly every: number;
};

export type LoadedAggregate<State> = {
  readonly state: State;
  readonly version: bigint;
  /** Where the snapshot used stood (0 when none was), and how many events were replayed after it. */
  readonly snapshotPosition: bigint;
  readonly eventsReplayed: number;
};

/**
 * Loads an aggregate from its latest usable snapshot plus the events after it, in one round trip.
 * With `lock`, the stream row is locked first (FOR UPDATE), so writers to one hot stream queue
 * instead of failing on each other's versions.
 */
export async function loadAggregate<Command, Event extends { type: string; data: unknown }, State>(
  db: Database,
  options: {
    streamId: string;
    decider: Decider<Command, Event, State>;
    codec: EventCodec<Event>;
    snapshot: SnapshotPolicy<State>;
    lock?: boolean;
  },
): Promise<LoadedAggregate<State>> {
  const { streamId, decider, codec, snapshot } = options;
  if (options.lock) {
    // Its own statement: in READ COMMITTED a statement that waited for a row lock still reads other
    // tables as of its start, so the events must be read by the next statement, after the wait.
    await db.execute(sql`select 1 from streams where stream_id = ${streamId} for update`);
  }
  const result = await db.execute(sql`
    with snap as materialized (
      select stream_position, state from snapshots
      where stream_id = ${streamId} and state_schema_version = ${snapshot.schemaVersion}
      order by stream_position desc limit 1
    )
    select 0 as kind, stream_position, null::text as event_type, null::int as schema_version, state as data,
           null::jsonb as metadata, null::bigint as global_position, null::text as transaction_id,
           null::text as stream_id, null::text as stream_type, null::uuid as event_id, null::timestamptz as recorded_at
      from snap
    union all
    select 1, stream_position, event_type, schema_version, data, metadata, global_position,
           transaction_id::text, stream_id, stream_type, event_id, recorded_at
      from events
      where stream_id = ${streamId} and stream_position > coalesce((select stream_position from snap), 0)
    order by kind, stream_position`);
  const rows = rowsOf<Record<string, unknown>>(result);

  let state = decider.initialState();
  let version = 0n;
  let snapshotPosition = 0n;
  let eventsReplayed = 0;
  for (const row of rows) {
    if (Number(row.kind) === 0) {
      state = snapshot.decode(parseJson(row.data));
      snapshotPosition = version = BigInt(row.stream_position as string);
      continue;
    }
    const raw = rawFromSqlRow(row);
    state = decider.evolve(state, codec.decode(raw.type, raw.schemaVersion, raw.data));
    version = raw.streamPosition;
    eventsReplayed++;
  }
  return { state, version, snapshotPosition, eventsReplayed };
}
