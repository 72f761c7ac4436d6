import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";

import { sql } from "drizzle-orm";

import { openDatabase, type Database } from "../../lib/db/client";
import { snapshots } from "../../lib/db/schema";
import { ACCOUNT_STATE_SCHEMA_VERSION, accountEventCodec } from "../../lib/domain/account/codec";
import { ACCOUNT_STREAM_TYPE, accountDecider, accountStreamId } from "../../lib/domain/account/decider";
import { type AccountEvent } from "../../lib/domain/account/events";
import { type AccountState } from "../../lib/domain/account/state";
import { toJsonValue } from "../../lib/domain/shared/json";
import { appendToStream } from "../../lib/event-store/append";
import { eventMetadata } from "../../lib/event-store/handle-command";
import { loadAggregate, type SnapshotPolicy } from "../../lib/event-store/load";
import { explainLoad, loadInTwoStatements, type Plan } from "../diagnostics";
import { benchMetadata, log, median, round, type Scratch } from "../support";
import { APPEND_BATCH, STREAM_SIZES, WITH_SNAPSHOTS, WITHOUT_SNAPSHOTS } from "./settings";

// ---------------------------------------------------------------------------------------------
// Part 2: aggregate load time

export type LoadRun = {
  events: number;
  withSnapshot: { medianMs: number; runs: number; eventsReplayed: number };
  withoutSnapshot: { medianMs: number; runs: number; eventsReplayed: number };
  /** What-if, not lib code (see loadInTwoStatements): with the snapshot, read by two statements. */
  whatIfTwoStatements: { medianMs: number; runs: number };
};

const sortKeys = (_key: string, value: unknown) =>
  value && typeof value === "object" && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)))
    : value;
const canonical = (state: AccountState) => JSON.stringify(toJsonValue(state), sortKeys);

/** An account stream of `size` events, built fast: batched appends, then one snapshot at the end. */
export async function buildStream(db: Database, size: number): Promise<{ streamId: string; state: AccountState }> {
  const accountId = randomUUID();
  const streamId = accountStreamId(accountId);
  const metadata = eventMetadata(benchMetadata());
  const events: AccountEvent[] = [
    {
      type: "AccountOpened",
      data: { accountId, customerId: "bench-load", currency: "EUR", number: String(10_000_000 + size).slice(-8), nickname: null },
    },
  ];
  for (let i = 1; i < size; i++) {
    events.push({ type: "MoneyDeposited", data: { amount: BigInt(1 + (i % 50)), reference: i % 10 === 0 ? `ref ${i}` : null } });
  }
  for (let from = 0; from < size; from += APPEND_BATCH) {
    const batch = events.slice(from, from + APPEND_BATCH).map((event) => accountEventCodec.encode(event));
    await db.transaction((tx) =>
      appendToStream(tx, { streamId, streamType: ACCOUNT_STREAM_TYPE, expectedVersion: BigInt(from), events: batch, metadata }),
    );
  }
  const state = events.reduce(accountDecider.evolve, accountDecider.initialState());
  await db.insert(snapshots).values({
    streamId,
    streamPosition: BigInt(size),
    stateSchemaVersion: ACCOUNT_STATE_SCHEMA_VERSION,
    state: toJsonValue(state),
  });
  return { streamId, state };
}

/** Median of `runs` timed calls, after one untimed call. */
export async function timeIt<T>(runs: number, run: () => Promise<T>): Promise<{ medianMs: number; runs: number; last: T }> {
  let last = await run();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    last = await run();
    times.push(performance.now() - t0);
  }
  return { medianMs: round(median(times), 3), runs, last };
}

export async function runLoads(scratch: Scratch, plans: Plan[]): Promise<LoadRun[]> {
  const handle = await openDatabase({ kind: "postgres", url: scratch.url, poolMax: 1 });
  const db = handle.db;
  const results: LoadRun[] = [];
  try {
    const built: { size: number; streamId: string; state: AccountState }[] = [];
    for (const size of STREAM_SIZES) {
      const t0 = performance.now();
      built.push({ size, ...(await buildStream(db, size)) });
      log(`  built a stream of ${size.toLocaleString("en")} events in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    await db.execute(sql`vacuum analyze events, snapshots`);

    for (const { size, streamId, state } of built) {
      const load = (snapshot: SnapshotPolicy<AccountState>) => () =>
        loadAggregate(db, { streamId, decider: accountDecider, codec: accountEventCodec, snapshot });
      const withSnapshot = await timeIt(20, load(WITH_SNAPSHOTS));
      const withoutSnapshot = await timeIt(size >= 100_000 ? 3 : 20, load(WITHOUT_SNAPSHOTS));
      const whatIf = await timeIt(20, () => loadInTwoStatements(db, streamId, WITH_SNAPSHOTS));

      // Snapshots are disposable: every path must give the state the stream was folded into (key
      // order aside: a replay builds the state's objects in another order than the fold did).
      const expected = canonical(state);
      for (const [name, loaded] of [
        ["with snapshot", withSnapshot.last],
        ["without snapshot", withoutSnapshot.last],
        ["two statements", whatIf.last],
      ] as const) {
        if (loaded.version !== BigInt(size) || canonical(loaded.state) !== expected) {
          throw new Error(`Stream of ${size} events, ${name}: loaded version ${loaded.version} or its state is wrong`);
        }
      }
      if (withSnapshot.last.eventsReplayed !== 0 || withoutSnapshot.last.eventsReplayed !== size) {
        throw new Error(`Stream of ${size} events: replayed ${withSnapshot.last.eventsReplayed} / ${withoutSnapshot.last.eventsReplayed}`);
      }
      results.push({
        events: size,
        withSnapshot: { medianMs: withSnapshot.medianMs, runs: withSnapshot.runs, eventsReplayed: withSnapshot.last.eventsReplayed },
        withoutSnapshot: { medianMs: withoutSnapshot.medianMs, runs: withoutSnapshot.runs, eventsReplayed: withoutSnapshot.last.eventsReplayed },
        whatIfTwoStatements: { medianMs: whatIf.medianMs, runs: whatIf.runs },
      });
      log(`  loaded ${size.toLocaleString("en")}: ${withSnapshot.medianMs} ms with snapshot, ${withoutSnapshot.medianMs} ms without`);
    }

    const largest = built.at(-1);
    if (largest) {
      const label = `${largest.size.toLocaleString("en")}-event stream with its snapshot`;
      plans.push(...(await explainLoad(scratch, largest.streamId, WITH_SNAPSHOTS, label, ["force_custom_plan", "force_generic_plan"])));
    }
  } finally {
    await handle.close();
  }
  return results;
}
