import { sql } from "drizzle-orm";
import { type Database, rowsOf } from "../db/client";
import type { Decider } from "../domain/shared/decider";
import type { EventCodec } from "./codec";
import { parseJson } from "./read";

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
 * Loads an aggregate from its latest usable snapshot plus the events after it, in one statement
 * (two when a lock had to wait). With `lock`, it takes the stream row FOR UPDATE, so writers to one
 * hot stream queue instead of failing on each other's versions.
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
  // The stream row, its latest usable snapshot and the events after it, as one JSON array. The
  // tail's bounds are the stream id parameter and the snapshot's position from the lateral join,
  // which the planner turns into a range scan of the primary key (the stream id must stay a plain
  // parameter: as a join column the planner guessed badly when one stream dominated the table).
  const result = await db.execute(sql`
    select s.version::text as version, snap.stream_position::text as snapshot_position, snap.state as snapshot_state, tail.events
      from streams s
      left join lateral (
        select stream_position, state from snapshots
         where stream_id = ${streamId} and state_schema_version = ${snapshot.schemaVersion}
         order by stream_position desc limit 1) snap on true
      left join lateral (
        select json_agg(json_build_array(e.stream_position::text, e.event_type, e.schema_version, e.data) order by e.stream_position) as events
          from events e
         where e.stream_id = ${streamId} and e.stream_position > coalesce(snap.stream_position, 0)) tail on true
     where s.stream_id = ${streamId}
     ${options.lock ? sql`for update of s` : sql``}`);
  const head = rowsOf<{ version: string; snapshot_position: string | null; snapshot_state: unknown; events: unknown }>(result)[0];
  if (!head) return { state: decider.initialState(), version: 0n, snapshotPosition: 0n, eventsReplayed: 0 };

  const snapshotPosition = head.snapshot_position == null ? 0n : BigInt(head.snapshot_position);
  let state = snapshotPosition > 0n ? snapshot.decode(parseJson(head.snapshot_state)) : decider.initialState();
  let version = snapshotPosition;
  let eventsReplayed = 0;
  const apply = (type: string, schemaVersion: number, data: unknown, position: bigint) => {
    state = decider.evolve(state, codec.decode(type, schemaVersion, data));
    version = position;
    eventsReplayed++;
  };
  for (const [position, type, schemaVersion, data] of (parseJson(head.events) ?? []) as [string, string, number, unknown][]) {
    apply(type, Number(schemaVersion), parseJson(data), BigInt(position));
  }
  // A lock that had to wait returns the stream row as the writer we waited for left it, but the
  // rest of the statement saw the data from before that commit: read the events it missed.
  const streamVersion = BigInt(head.version);
  if (version < streamVersion) {
    const missed = await db.execute(sql`
      select e.stream_position::text as stream_position, e.event_type, e.schema_version, e.data
        from events e
       where e.stream_id = ${streamId} and e.stream_position > ${version}
       order by e.stream_position`); // the column, not the text alias ("10" sorts before "9")
    for (const row of rowsOf<{ stream_position: string; event_type: string; schema_version: number; data: unknown }>(missed)) {
      apply(row.event_type, Number(row.schema_version), parseJson(row.data), BigInt(row.stream_position));
    }
  }
  return { state, version, snapshotPosition, eventsReplayed };
}
