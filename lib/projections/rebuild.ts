import { sql } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";

import { rowsOf, type Database } from "../db/client";
import { REBUILT_TABLES } from "../db/roles";
import { toJsonValue } from "../domain/shared/json";
import { BinaryRows, bulkSql, copyShape, quoteIdent, type BulkSql, type CopyShape } from "./bulk";
import { addIndexesAndConstraints, checkColumns, copyAccess, createLike, describeTable, structureOf, type LiveTable } from "./live-tables";
import { rebuiltTables, tableName, type RebuiltTableName } from "./registry";
import { currentSnapshot, ProjectionReplay, readPage, readTail, type ReplayProgress, type Snapshot } from "./replay";

type TableName = RebuiltTableName;
type Rebuilt = { readonly name: TableName; readonly table: PgTable; readonly rows: "entity" | "append" };

/** What a rebuild replaces and verify compares: the registry's rebuilt projections' tables. */
const TABLES: readonly Rebuilt[] = rebuiltTables().map(({ table, rows }) => ({ name: tableName(table) as TableName, table, rows }));
/** The rebuilt tables by name, in the registry's order. */
export const REBUILD_TABLE_NAMES: readonly TableName[] = TABLES.map(({ name }) => name);

// The app's database role must own every table the swap drops and renames (decision 0023): this
// stops the build when a projection is rebuilt but not named in lib/db/roles.ts, or the reverse
// (and a unit test compares the lists themselves).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const REBUILT_TABLES_ARE_THE_APPS: Same<TableName, (typeof REBUILT_TABLES)[number]> = true;
const TABLE_NAMES = REBUILD_TABLE_NAMES;
const ENTITY_TABLES = TABLES.filter(({ rows }) => rows === "entity");
const APPEND_TABLES = TABLES.filter(({ rows }) => rows === "append");
const byName = new Map(TABLES.map((table) => [table.name, table]));
const drizzleTable = (name: TableName) => (byName.get(name) as Rebuilt).table;

/**
 * The order commands write these tables in (audit_log last, in every command), so that taking
 * them one by one for the swap waits behind a command instead of deadlocking with it. An approval's
 * grant writes approvals_view (and its audit row) before the action's tables; the lock's timeout and
 * retry absorb that one exception.
 */
const LOCK_ORDER: readonly TableName[] = [
  "approvals_view",
  "inbound_payments_view",
  "transfers_view",
  "sanctions_entries",
  "account_summary",
  "statement_entries",
  "audit_log",
];
// A table rebuilt but not locked would be swapped under commands writing it.
if (LOCK_ORDER.length !== TABLE_NAMES.length || !TABLE_NAMES.every((name) => LOCK_ORDER.includes(name))) {
  throw new Error(`The rebuild's lock order (${LOCK_ORDER.join(", ")}) must name every rebuilt table (${TABLE_NAMES.join(", ")})`);
}

/** A catch-up round this small is applied under the swap's lock instead of before it. */
const SMALL_TAIL = 200;
const CATCH_UP_ROUNDS = 5;
/**
 * While the swap waits for its lock, new commands and reads queue behind it: so it waits at most
 * LOCK_TIMEOUT at a time (a long reader, or a verify, which holds the tables for its whole run),
 * then lets go, catches up and tries again, for about a minute.
 */
const LOCK_TIMEOUT = "500ms";
const LOCK_ATTEMPTS = 40;
const LOCK_PAUSE_MS = 1_000;
/** Sorts for the index builds in memory (1,000,000 audit rows need about 100 MB per index). */
const INDEX_SORT_MEMORY_KB = 256 * 1024;

export type Phase = { phase: string; ms: number };
export type RebuildReport = {
  events: number;
  rows: Record<TableName, number>;
  elapsedMs: number;
  /** Events committed while the tables were being built, applied before and during the swap. */
  caughtUp: number;
  phases: Phase[];
};

type Options = {
  /**
   * Called after each page of events and at each phase ("replay", "indexes", "catch-up", "swap",
   * "compare"); a returned promise is waited for, so a caller can pace the work (tests use it to
   * write while a rebuild builds).
   */
  onProgress?: (progress: ReplayProgress) => void | Promise<void>;
};

/**
 * Rebuilds the projections from the events into fresh tables and swaps them in.
 *
 * One transaction on one connection, in read committed: it notes a snapshot of the log, builds
 * `<table>_rebuild` from the events committed in it (bulk-loaded by binary COPY into tables
 * without indexes, which are made afterwards), then catches up with what commands committed
 * meanwhile, repeatedly, without blocking them. Only the swap takes the live tables' lock: the last
 * few events are applied, the live tables dropped and the new ones renamed into place with the same
 * index and constraint names, owner and grants, and the transaction commits. Commands wait for that
 * (tens of milliseconds), and none of their effects is lost: whatever committed before the lock is in
 * the new tables, whatever was waiting writes into them after. On any failure nothing has changed.
 */
export async function rebuildProjections(db: Database, options: Options = {}): Promise<RebuildReport> {
  const clock = phaseClock();
  const report = await db.transaction(async (tx) => {
    const bulk = bulkSql(tx);
    // A second rebuild waits here for the first to finish instead of building beside it.
    await bulk.run("select pg_advisory_xact_lock(7317002)");
    if (bulk.driver === "postgres") await raiseSortMemory(bulk);
    const live = await describeAll(bulk);
    const built = Object.fromEntries(TABLE_NAMES.map((name) => [name, `${live[name].schema}.${quoteIdent(`${name}_rebuild`)}`])) as Record<
      TableName,
      string
    >;
    for (const name of TABLE_NAMES) await createLike(bulk, live[name], `${name}_rebuild`);
    let applied = await currentSnapshot(bulk);
    const replay = await build(bulk, built, applied, options, clock, { freeze: true });
    clock.mark("replay and load");
    await options.onProgress?.({ events: replay.events, elapsedMs: clock.elapsed(), phase: "indexes" });

    const renames: string[] = [];
    let standIns = 0;
    for (const name of TABLE_NAMES) {
      const made = await addIndexesAndConstraints(bulk, live[name], built[name], () => `ll_rebuild_${standIns++}`);
      renames.push(...made.renames);
    }
    clock.mark("indexes and constraints");
    await bulk.run(`analyze ${TABLE_NAMES.map((name) => built[name]).join(", ")}`);
    clock.mark("analyze");

    // Catch up without the lock while commands keep writing, until what is left is small.
    await options.onProgress?.({ events: replay.events, elapsedMs: clock.elapsed(), phase: "catch-up" });
    let caughtUp = 0;
    for (let round = 0; round < CATCH_UP_ROUNDS; round++) {
      const now = await currentSnapshot(bulk);
      const count = await applyTail(bulk, built, replay, applied, now);
      caughtUp += count;
      applied = now;
      if (count < SMALL_TAIL) break;
    }
    clock.mark("catch-up");
    await options.onProgress?.({ events: replay.events, elapsedMs: clock.elapsed(), phase: "swap" });

    for (let attempt = 1; ; attempt++) {
      if (await lockLiveTables(tx, live)) break;
      if (attempt >= LOCK_ATTEMPTS)
        throw new Error(`Could not lock the projection tables for the swap in ${LOCK_ATTEMPTS} attempts: nothing was changed`);
      await new Promise((resolve) => setTimeout(resolve, LOCK_PAUSE_MS));
      const now = await currentSnapshot(bulk);
      caughtUp += await applyTail(bulk, built, replay, applied, now);
      applied = now;
    }
    clock.mark("lock");
    // Under the lock every command that wrote projections has committed, and no other can write.
    caughtUp += await applyTail(bulk, built, replay, applied, await currentSnapshot(bulk));
    const current = await describeAll(bulk);
    for (const name of TABLE_NAMES) {
      if (structureOf(current[name]) !== structureOf(live[name])) {
        throw new Error(`${name} changed during the rebuild (a migration?): nothing was swapped, run the rebuild again`);
      }
      await copyAccess(bulk, current[name], built[name]);
    }
    // Dropping the live tables frees their index and constraint names for the built ones.
    await bulk.run(`drop table ${TABLE_NAMES.map((name) => live[name].qualified).join(", ")}`);
    for (const rename of renames) await bulk.run(rename);
    for (const name of TABLE_NAMES) await bulk.run(`alter table ${built[name]} rename to ${quoteIdent(name)}`);
    clock.mark("swap");

    return { events: replay.events, rows: rowCounts(replay), caughtUp };
  });
  clock.mark("commit");
  return { ...report, elapsedMs: clock.elapsed(), phases: clock.phases() };
}

/** Events per read; their statement and audit rows make one COPY each. */
const PAGE_SIZE = 10_000;
/** Events projected between two looks at the socket, so COPY data goes out while Node works on. */
const SLICE = 250;
const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Replays the events committed in `snapshot` into the (index-free) tables `targets`: statement
 * and audit rows page by page, as each page of events is projected, then the per-entity rows.
 *
 * One connection, its statements sent in this order: read page k+1, then load page k's rows while
 * Node projects page k+1 (postgres.js must not send anything behind a COPY before its data is out,
 * so `send` keeps the order). So Postgres reads and loads on one core while Node projects on the
 * other, and at most one page of events and one page of rows are in memory.
 */
async function build(
  bulk: BulkSql,
  targets: Record<TableName, string>,
  snapshot: Snapshot,
  options: Options,
  clock: ReturnType<typeof phaseClock>,
  copy: { freeze: boolean },
): Promise<ProjectionReplay> {
  const appended = appendSinks();
  const replay = new ProjectionReplay(appended.sink);
  // The connection's statements in the order they must be sent. `lane` settles when the next may
  // be sent: at once behind a read (pipelined), behind a COPY only once its data is all out.
  let lane: Promise<unknown> = Promise.resolve();
  const send = <T>(start: () => Promise<{ done: Promise<T> }>): Promise<T> => {
    const started = lane.then(start);
    lane = started.catch(() => {}); // the failure surfaces through `done` below
    return started.then((handle) => handle.done);
  };
  const read = (after: bigint) => send(async () => ({ done: readPage(bulk, snapshot, after, PAGE_SIZE) }));
  let next = read(0n);
  let loading: Promise<unknown> = Promise.resolve();
  for (;;) {
    const page = await next;
    const last = page.at(-1);
    const more = page.length === PAGE_SIZE && last;
    if (more) next = read(last.globalPosition);
    for (let index = 0; index < page.length; index++) {
      replay.apply(page[index] as (typeof page)[number]);
      // Short slices: each COPY waits for Node to answer the server once before its rows flow.
      if (index % SLICE === SLICE - 1) await yieldToIo();
    }
    await loading; // bounds memory to one page of rows in flight
    loading = Promise.all(
      APPEND_TABLES.map(({ name, table }) => {
        const rows = appended.rows.get(table) as BinaryRows;
        const data = rows.take();
        return send(() => bulk.copyIn(targets[name], rows.shape.columns, data, copy));
      }),
    );
    loading.catch(() => {}); // awaited on the next turn or below
    await options.onProgress?.({ events: replay.events, elapsedMs: clock.elapsed(), phase: "replay" });
    if (!more) break;
  }
  await loading;
  for (const { name, table } of ENTITY_TABLES) await copyRows(bulk, targets[name], table, replay.entities(table).values(), copy);
  return replay;
}

/** One binary COPY buffer per append-only table, and the replay's sink into them. */
function appendSinks() {
  const rows = new Map(APPEND_TABLES.map(({ table }) => [table, new BinaryRows(copyShape(table))]));
  const sink = (table: PgTable, row: Record<string, unknown>) => rows.get(table)?.add(row);
  return { rows, sink };
}

function rowCounts(replay: ProjectionReplay): Record<TableName, number> {
  return Object.fromEntries(TABLES.map(({ name, table, rows }) => [name, replay.rowCount(table, rows)])) as Record<TableName, number>;
}

async function copyRows(bulk: BulkSql, target: string, table: PgTable, rows: Iterable<Record<string, unknown>>, copy: { freeze: boolean }) {
  const out = new BinaryRows(copyShape(table));
  const flush = async () => (await bulk.copyIn(target, out.shape.columns, out.take(), copy)).done;
  for (const row of rows) {
    out.add(row);
    if (out.count >= 10_000) await flush();
  }
  if (out.count > 0) await flush();
}

/**
 * Applies the events committed in `upTo` but not in `after` to the built tables: new statement
 * and audit rows, and the entity rows they changed rewritten.
 */
async function applyTail(
  bulk: BulkSql,
  targets: Record<TableName, string>,
  replay: ProjectionReplay,
  after: Snapshot,
  upTo: Snapshot,
): Promise<number> {
  const appended = appendSinks();
  replay.sink = appended.sink;
  const before = replay.events;
  replay.trackChanges(ENTITY_TABLES.map(({ table }) => table));
  for (const event of await readTail(bulk, after, upTo)) replay.apply(event);
  const count = replay.events - before;
  if (count === 0) return 0;
  for (const { name, table } of APPEND_TABLES) {
    const rows = appended.rows.get(table) as BinaryRows;
    if (rows.count > 0) await (await bulk.copyIn(targets[name], rows.shape.columns, rows.take())).done;
  }
  const changed = replay.changed;
  if (!changed) return count;
  for (const { name, table } of ENTITY_TABLES) {
    const keys = changed.get(table);
    if (!keys || keys.size === 0) continue;
    const rows = replay.entities(table) as Map<string, Record<string, unknown>>;
    await bulk.run(`delete from ${targets[name]} where ${quoteIdent(singleKey(copyShape(table)))} = any($1::text[])`, [[...keys]]);
    await copyRows(
      bulk,
      targets[name],
      table,
      [...keys].flatMap((key) => (rows.has(key) ? [rows.get(key) as Record<string, unknown>] : [])),
      {
        freeze: false,
      },
    );
  }
  return count;
}

function singleKey(shape: CopyShape): string {
  const [key, ...rest] = shape.primaryKey;
  if (!key || rest.length > 0) throw new Error(`${shape.table}: a per-entity projection needs a one-column key`);
  return key;
}

/**
 * Takes the live tables for the swap, or gives up after LOCK_TIMEOUT (a long reader) and says so.
 * In a nested transaction (a savepoint) through Drizzle rather than savepoint SQL: postgres.js
 * remembers any failed statement of a transaction and fails the whole transaction with it at the end,
 * even one the caller caught, except inside its own savepoint scope.
 */
async function lockLiveTables(tx: Database, live: Record<TableName, LiveTable>): Promise<boolean> {
  try {
    await tx.transaction(async (savepoint) => {
      const bulk = bulkSql(savepoint);
      await bulk.run(`set local lock_timeout = '${LOCK_TIMEOUT}'`);
      for (const name of LOCK_ORDER) await bulk.run(`lock table ${live[name].qualified} in access exclusive mode`);
      await bulk.run("set local lock_timeout = 0");
    });
    return true;
  } catch (error) {
    const state = (error as { code?: string }).code;
    // 55P03 lock_not_available, 40P01 deadlock_detected: let go, catch up, try again.
    if (state !== "55P03" && state !== "40P01" && !/lock timeout|deadlock/i.test(String(error))) throw error;
    return false;
  }
}

async function describeAll(bulk: BulkSql): Promise<Record<TableName, LiveTable>> {
  const out = {} as Record<TableName, LiveTable>;
  for (const name of TABLE_NAMES) {
    out[name] = await describeTable(bulk, name);
    checkColumns(out[name], copyShape(drizzleTable(name)));
  }
  return out;
}

async function raiseSortMemory(bulk: BulkSql): Promise<void> {
  const [row] = await bulk.rows("select setting::bigint::text from pg_settings where name = 'maintenance_work_mem'");
  if (Number(row?.[0] ?? 0) < INDEX_SORT_MEMORY_KB) await bulk.run(`set local maintenance_work_mem = '${INDEX_SORT_MEMORY_KB}kB'`);
}

function phaseClock() {
  const started = performance.now();
  let last = started;
  const phases: Phase[] = [];
  return {
    elapsed: () => performance.now() - started,
    mark(phase: string) {
      const now = performance.now();
      phases.push({ phase, ms: Math.round(now - last) });
      last = now;
    },
    phases: () => phases,
  };
}

// ---------------------------------------------------------------------------------------------
// Verify

export type Difference = { table: TableName; key: string; kind: "missing" | "unexpected" | "different"; live?: unknown; expected?: unknown };
export type VerifyReport = { events: number; differences: Difference[]; rows: Record<TableName, number>; elapsedMs: number; phases: Phase[] };

/**
 * Replays every event the same way a rebuild does, into temporary tables, and lists every row where
 * the live tables differ from them (compared in Postgres, row by row). One repeatable-read
 * snapshot, so the live rows and the events are compared as of the same moment; the temporary
 * tables go with the transaction.
 */
export async function verifyProjections(db: Database, options: Options = {}): Promise<VerifyReport> {
  const clock = phaseClock();
  const report = await db.transaction(
    async (tx) => {
      const bulk = bulkSql(tx);
      const live = await describeAll(bulk);
      const expected = {} as Record<TableName, string>;
      for (const name of TABLE_NAMES) expected[name] = await createLike(bulk, live[name], `${name}_expected`, { temporary: true });
      const replay = await build(bulk, expected, await currentSnapshot(bulk), options, clock, { freeze: true });
      clock.mark("replay and load");
      await options.onProgress?.({ events: replay.events, elapsedMs: clock.elapsed(), phase: "compare" });
      const differences: Difference[] = [];
      for (const name of TABLE_NAMES) differences.push(...(await compare(bulk, name, live[name].qualified, expected[name])));
      clock.mark("compare");
      return { events: replay.events, differences, rows: rowCounts(replay) };
    },
    { isolationLevel: "repeatable read" },
  );
  clock.mark("commit");
  return { ...report, elapsedMs: clock.elapsed(), phases: clock.phases() };
}

/** Rows of `live` and `expected` that differ, matched by primary key. */
async function compare(bulk: BulkSql, name: TableName, live: string, expected: string): Promise<Difference[]> {
  const shape = copyShape(drizzleTable(name));
  const columns = (alias: string) => shape.columns.map((column) => `${alias}.${quoteIdent(column)}`).join(", ");
  const join = shape.primaryKey.map((key) => `l.${quoteIdent(key)} = e.${quoteIdent(key)}`).join(" and ");
  const order = shape.primaryKey.map((key) => `coalesce(l.${quoteIdent(key)}, e.${quoteIdent(key)})`).join(", ");
  const first = quoteIdent(shape.primaryKey[0] as string);
  const rows = await bulk.rows(
    `select l.${first} is null, e.${first} is null, ${columns("l")}, ${columns("e")}
       from ${live} l full join ${expected} e on ${join}
      where row(${columns("l")}) is distinct from row(${columns("e")})
      order by ${order}`,
  );
  const width = shape.columns.length;
  return rows.map((row) => {
    const onlyExpected = row[0] === true;
    const onlyLive = row[1] === true;
    const liveRow = onlyExpected ? undefined : shape.fromRaw(row, 2);
    const expectedRow = onlyLive ? undefined : shape.fromRaw(row, 2 + width);
    const key = rowKey(shape, (liveRow ?? expectedRow) as Record<string, unknown>);
    if (!liveRow) return { table: name, key, kind: "missing", expected: canonical(expectedRow as Record<string, unknown>) };
    if (!expectedRow) return { table: name, key, kind: "unexpected", live: canonical(liveRow) };
    return { table: name, key, kind: "different", live: canonical(liveRow), expected: canonical(expectedRow) };
  });
}

/** A row's primary key as text: its columns' values joined by "#" (statement rows: account#position). */
function rowKey(shape: CopyShape, row: Record<string, unknown>): string {
  return shape.primaryKey.map((column) => String(row[shape.keys[shape.columns.indexOf(column)] as string])).join("#");
}

/** Row as sorted-key JSON values, bigints and dates as text, so equal rows print alike on both drivers. */
function canonical(row: Record<string, unknown>): unknown {
  return sortKeys(toJsonValue(row));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

export async function projectionRowCounts(db: Database): Promise<Record<TableName, number>> {
  const counts = {} as Record<TableName, number>;
  for (const name of TABLE_NAMES) {
    const result = rowsOf<{ n: string }>(await db.execute(sql.raw(`select count(*)::text as n from ${name}`)));
    counts[name] = Number(result[0]?.n ?? 0);
  }
  return counts;
}
