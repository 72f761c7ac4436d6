import type { Database } from "../db/client";
import { runStatement, statement, type AnyStatement, type Statement } from "../db/statement";
import type { EventCodec } from "../domain/shared/codec";
import type { Decider } from "../domain/shared/decider";
import { parseJson, toDate } from "./read";

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
  /** When the stream was created (the time of its first event); undefined for a new stream. */
  readonly createdAt?: Date;
};

/** Something that runs a statement: a Database, or a transaction session (lib/db/transaction.ts). */
export type Queryable = Database | { query: <Row = Record<string, unknown>>(statement: AnyStatement) => Promise<Row[]> };

export function queryWith(db: Queryable): <Row = Record<string, unknown>>(statement: Statement) => Promise<Row[]> {
  if ("query" in db && typeof db.query === "function" && !("select" in db)) return db.query.bind(db) as never;
  const database = db as Database;
  return <Row>(statement: Statement) => runStatement<Row>(database, statement);
}

// The stream row, its latest usable snapshot and the newest events after it, in one statement.
// The tail is read newest first with a LIMIT, which the planner always serves with a short
// backward scan of the primary key; an unbounded "after the snapshot" range let it misjudge a
// long stream and read far more of it (30x slower at 100,000 events).
// $1 stream id, $2 the state schema version, $3 the most tail events to read.
const LOAD = `
    select s.version::text as version, s.created_at, snap.stream_position::text as snapshot_position, snap.state as snapshot_state, tail.events
      from streams s
      left join lateral (
        select stream_position, state from snapshots
         where stream_id = $1 and state_schema_version = $2::int
           -- A snapshot that disagrees with its stream is ignored: one beyond the stream's version,
           -- or one whose state was changed after it was written (checksum set on insert only).
           and stream_position <= s.version and state_checksum = md5(state::text)
         order by stream_position desc limit 1) snap on true
      left join lateral (
        select json_agg(json_build_array(e.stream_position::text, e.event_type, e.schema_version, e.data)) as events
          from (select stream_position, event_type, schema_version, data from events
                 where stream_id = $1 and stream_position > coalesce(snap.stream_position, 0)
                 order by stream_position desc limit $3::int) e) tail on true
     where s.stream_id = $1`;
// Writers queue for a stream on an advisory lock first, then take its row (which no longer waits).
// Postgres may give a transaction its id while it waits on a row another writer holds, so among
// several row waiters a later writer of the stream could hold an older transaction id than an
// earlier one; the global order (transaction id, then position) would then disagree with the
// stream's. Waiting on an advisory lock takes no transaction id, so ids follow the stream's order.
// The lock is an uncorrelated subquery in the load's filter: Postgres runs it once, as a one-time
// filter before the row is read and locked (so no statement of its own, and new streams take it
// too). A load that waited there reads the tail as before the wait, like one that waited on the
// row: the version check below reads the rest. Two-key form with a class of its own: never the
// same lock as a single-bigint advisory key.
export const STREAM_LOCK_CLASS = 1_280_070_484;
const LOAD_LOCKED = `${LOAD}
       and (select true from (select pg_advisory_xact_lock(${STREAM_LOCK_CLASS}, hashtext($1))) stream_lock)
     for update of s`;
// $1 stream id, $2 after this position, $3 (the second form) before this one.
const RANGE = `select e.stream_position::text as stream_position, e.event_type, e.schema_version, e.data from events e where e.stream_id = $1 and e.stream_position > $2::bigint`;
const RANGE_AFTER = `${RANGE} order by e.stream_position`;
const RANGE_BETWEEN = `${RANGE} and e.stream_position < $3::bigint order by e.stream_position`;

/**
 * Loads an aggregate from its latest usable snapshot plus the events after it, in one statement
 * (two when a lock had to wait). With `lock`, it takes the stream row FOR UPDATE, so writers to one
 * hot stream queue instead of failing on each other's versions.
 */
export async function loadAggregate<Command, Event extends { type: string; data: unknown }, State>(
  db: Queryable,
  options: {
    streamId: string;
    decider: Decider<Command, Event, State>;
    codec: EventCodec<Event>;
    snapshot: SnapshotPolicy<State>;
    lock?: boolean;
  },
): Promise<LoadedAggregate<State>> {
  const { streamId, decider, codec, snapshot } = options;
  // Sent before the first await, so a caller can pipeline its own statements behind this one.
  const query = queryWith(db);
  const window = Math.max(1, snapshot.every) * 2;
  const result = await query(statement(options.lock ? LOAD_LOCKED : LOAD, streamId, snapshot.schemaVersion, window));
  const head = (result as { version: string; created_at: unknown; snapshot_position: string | null; snapshot_state: unknown; events: unknown }[])[0];
  if (!head) return { state: decider.initialState(), version: 0n, snapshotPosition: 0n, eventsReplayed: 0 };

  const snapshotPosition = head.snapshot_position == null ? 0n : BigInt(head.snapshot_position);
  let state = snapshotPosition > 0n ? snapshot.decode(parseJson(head.snapshot_state)) : decider.initialState();
  let version = snapshotPosition;
  let eventsReplayed = 0;
  const apply = (type: string, schemaVersion: number, data: unknown, position: bigint) => {
    // The store holds what the codec wrote: no validation on the way back in, upcasting still applies.
    state = decider.evolve(state, codec.decodeTrusted(type, schemaVersion, data));
    version = position;
    eventsReplayed++;
  };
  const readRange = async (after: bigint, before?: bigint) => {
    // Ordered by the column, not the text alias ("10" sorts before "9").
    const rows = await query(
      before === undefined
        ? statement(RANGE_AFTER, streamId, after.toString())
        : statement(RANGE_BETWEEN, streamId, after.toString(), before.toString()),
    );
    for (const row of rows as { stream_position: string; event_type: string; schema_version: number; data: unknown }[]) {
      apply(row.event_type, Number(row.schema_version), parseJson(row.data), BigInt(row.stream_position));
    }
  };

  const newest = ((parseJson(head.events) ?? []) as [string, string, number, unknown][]).reverse();
  // More events after the snapshot than the window holds (no snapshot yet, or one of an older
  // state schema): read the ones before the window first.
  const oldestInWindow = newest[0] ? BigInt(newest[0][0]) : undefined;
  if (oldestInWindow !== undefined && oldestInWindow > snapshotPosition + 1n) await readRange(snapshotPosition, oldestInWindow);
  for (const [position, type, schemaVersion, data] of newest) apply(type, Number(schemaVersion), parseJson(data), BigInt(position));
  // A lock that had to wait returns the stream row as the writer we waited for left it, but the
  // rest of the statement saw the data from before that commit: read the events it missed.
  if (version < BigInt(head.version)) await readRange(version);
  return { state, version, snapshotPosition, eventsReplayed, createdAt: toDate(head.created_at) };
}
