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
 * Loads an aggregate from its latest usable snapshot plus the events after it, in two statements.
 * With `lock`, the first also locks the stream row (FOR UPDATE), so writers to one hot stream queue
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
  // 1. The latest usable snapshot, in the same statement that locks the stream row (when asked).
  //    If the lock had to wait, this statement may see an older snapshot: still a true state at its
  //    position, and the next statement reads every event after it.
  const head = options.lock
    ? await db.execute(sql`
        select snap.stream_position, snap.state
          from streams s
          left join lateral (
            select stream_position, state from snapshots
             where stream_id = s.stream_id and state_schema_version = ${snapshot.schemaVersion}
             order by stream_position desc limit 1) snap on true
         where s.stream_id = ${streamId}
           for update of s`)
    : await db.execute(sql`
        select stream_position, state from snapshots
         where stream_id = ${streamId} and state_schema_version = ${snapshot.schemaVersion}
         order by stream_position desc limit 1`);
  const snap = rowsOf<{ stream_position: string | null; state: unknown }>(head)[0];
  const snapshotPosition = snap?.stream_position == null ? 0n : BigInt(snap.stream_position);
  // 2. The tail, with the position as a plain parameter so the planner uses the primary key
  //    (hiding it in a subquery made Postgres scan the table when one stream dominated it).
  const tail = await db.execute(sql`
    select stream_position, event_type, schema_version, data, metadata, global_position,
           transaction_id::text as transaction_id, stream_id, stream_type, event_id, recorded_at
      from events
     where stream_id = ${streamId} and stream_position > ${snapshotPosition}
     order by stream_position`);
  const rows = rowsOf<Record<string, unknown>>(tail);

  let state = snapshotPosition > 0n ? snapshot.decode(parseJson(snap?.state)) : decider.initialState();
  let version = snapshotPosition;
  let eventsReplayed = 0;
  for (const row of rows) {
    const raw = rawFromSqlRow(row);
    state = decider.evolve(state, codec.decode(raw.type, raw.schemaVersion, raw.data));
    version = raw.streamPosition;
    eventsReplayed++;
  }
  return { state, version, snapshotPosition, eventsReplayed };
}
