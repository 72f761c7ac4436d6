import { sql } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import { type Database, rowsOf } from "../db/client";
import { REBUILT_TABLES } from "../db/roles";
import { accountSummary, approvalsView, auditLog, inboundPaymentsView, sanctionsEntries, statementEntries, transfersView } from "../db/schema";
import { toJsonValue } from "../domain/shared/json";
import { BinaryRows, type BulkSql, bulkSql, copyShape, type CopyShape, quoteIdent } from "./bulk";
import { addIndexesAndConstraints, checkColumns, copyAccess, createLike, describeTable, type LiveTable, structureOf } from "./live-tables";
import { currentSnapshot, type ProjectedRows, ProjectionReplay, readPage, readTail, type ReplayProgress, type Snapshot } from "./replay";

const TABLES: { [Name in keyof ProjectedRows]: PgTable } = {
  account_summary: accountSummary,
  statement_entries: statementEntries,
  audit_log: auditLog,
  transfers_view: transfersView,
  sanctions_entries: sanctionsEntries,
  inbound_payments_view: inboundPaymentsView,
  approvals_view: approvalsView,
};

type TableName = keyof ProjectedRows;
const TABLE_NAMES = Object.keys(TABLES) as TableName[];

// The app's database role must own every table the swap drops and renames (decision 0023): this
// stops the build when a projection is added here but not to lib/db/roles.ts, or the reverse.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const REBUILT_TABLES_ARE_THE_APPS: Same<TableName, (typeof REBUILT_TABLES)[number]> = true;
const ENTITY_TABLES = ["account_summary", "transfers_view", "sanctions_entries", "inbound_payments_view", "approvals_view"] as const;
type EntityTable = (typeof ENTITY_TABLES)[number];

/**
 * The order commands write these tables in (audit_log last, in every command), so that taking
 * them one by one for the swap waits behind a command instead of deadlocking with it. An approval's
 * grant writes approvals_view (and its audit row) before the action's tables; the lock's timeout and
 * retry absorb that one exception.
 */
const LOCK_ORDER: TableName[] = ["approvals_view", "inbound_payments_view", "transfers_view", "sanctions_entries", "account_summary", "statement_entries", "audit_log"];

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
    const built = Object.fromEntries(TABLE_NAMES.map((name) => [name, `${live[name].schema}.${quoteIdent(`${name}_rebuild`)}`])) as Record<TableName, string>;
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
      if (attempt >= LOCK_ATTEMPTS) throw new Error(`Could not lock the projection tables for the swap in ${LOCK_ATTEMPTS} attempts: nothing was changed`);
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

    const rows = {
      account_summary: replay.summaries.size,
      statement_entries: replay.statementRows,
      audit_log: replay.auditRows,
      transfers_view: replay.transfers.size,
      sanctions_entries: replay.sanctions.size,
      inbound_payments_view: replay.inboundPayments.size,
      approvals_view: replay.approvals.size,
    };
    return { events: replay.events, rows, caughtUp };
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
  const statement = new BinaryRows(copyShape(statementEntries));
  const audit = new BinaryRows(copyShape(auditLog));
  const replay = new ProjectionReplay({ statement: (row) => statement.add(row), audit: (row) => audit.add(row) });
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
    const statementData = statement.take();
    const auditData = audit.take();
    const statementLoad = send(() => bulk.copyIn(targets.statement_entries, statement.shape.columns, statementData, copy));
    const auditLoad = send(() => bulk.copyIn(targets.audit_log, audit.shape.columns, auditData, copy));
    loading = Promise.all([statementLoad, auditLoad]);
    loading.catch(() => {}); // awaited on the next turn or below
    await options.onProgress?.({ events: replay.events, elapsedMs: clock.elapsed(), phase: "replay" });
    if (!more) break;
  }
  await loading;
  for (const name of ENTITY_TABLES) await copyRows(bulk, targets[name], TABLES[name], entityRows(replay, name), copy);
  return replay;
}

function entityRows(replay: ProjectionReplay, name: EntityTable): Iterable<Record<string, unknown>> {
  if (name === "account_summary") return replay.summaries.values();
  if (name === "transfers_view") return replay.transfers.values();
  if (name === "inbound_payments_view") return replay.inboundPayments.values();
  if (name === "approvals_view") return replay.approvals.values();
  return replay.sanctions.values();
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
async function applyTail(bulk: BulkSql, targets: Record<TableName, string>, replay: ProjectionReplay, after: Snapshot, upTo: Snapshot): Promise<number> {
  const statement = new BinaryRows(copyShape(statementEntries));
  const audit = new BinaryRows(copyShape(auditLog));
  replay.sink = { statement: (row) => statement.add(row), audit: (row) => audit.add(row) };
  const before = replay.events;
  replay.trackChanges();
  for (const event of await readTail(bulk, after, upTo)) replay.apply(event);
  const count = replay.events - before;
  if (count === 0) return 0;
  if (statement.count > 0) await (await bulk.copyIn(targets.statement_entries, statement.shape.columns, statement.take())).done;
  if (audit.count > 0) await (await bulk.copyIn(targets.audit_log, audit.shape.columns, audit.take())).done;
  const changed = replay.changed;
  if (!changed) return count;
  const rewrite = async (name: EntityTable, keys: Set<string>, rows: Map<string, Record<string, unknown>>) => {
    if (keys.size === 0) return;
    const shape = copyShape(TABLES[name]);
    await bulk.run(`delete from ${targets[name]} where ${quoteIdent(singleKey(shape))} = any($1::text[])`, [[...keys]]);
    await copyRows(bulk, targets[name], TABLES[name], [...keys].flatMap((key) => (rows.has(key) ? [rows.get(key) as Record<string, unknown>] : [])), {
      freeze: false,
    });
  };
  await rewrite("account_summary", changed.summaries, replay.summaries);
  await rewrite("transfers_view", changed.transfers, replay.transfers);
  await rewrite("sanctions_entries", changed.sanctions, replay.sanctions);
  await rewrite("inbound_payments_view", changed.inboundPayments, replay.inboundPayments);
  await rewrite("approvals_view", changed.approvals, replay.approvals);
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
    checkColumns(out[name], copyShape(TABLES[name]));
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
      const rows = {
        account_summary: replay.summaries.size,
        statement_entries: replay.statementRows,
        audit_log: replay.auditRows,
        transfers_view: replay.transfers.size,
        sanctions_entries: replay.sanctions.size,
        inbound_payments_view: replay.inboundPayments.size,
        approvals_view: replay.approvals.size,
      };
      return { events: replay.events, differences, rows };
    },
    { isolationLevel: "repeatable read" },
  );
  clock.mark("commit");
  return { ...report, elapsedMs: clock.elapsed(), phases: clock.phases() };
}

/** Rows of `live` and `expected` that differ, matched by primary key. */
async function compare(bulk: BulkSql, name: TableName, live: string, expected: string): Promise<Difference[]> {
  const shape = copyShape(TABLES[name]);
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
    const key = rowKey(name, (liveRow ?? expectedRow) as Record<string, unknown>);
    if (!liveRow) return { table: name, key, kind: "missing", expected: canonical(expectedRow as Record<string, unknown>) };
    if (!expectedRow) return { table: name, key, kind: "unexpected", live: canonical(liveRow) };
    return { table: name, key, kind: "different", live: canonical(liveRow), expected: canonical(expectedRow) };
  });
}

function rowKey(table: TableName, row: Record<string, unknown>): string {
  if (table === "account_summary") return String(row.accountId);
  if (table === "statement_entries") return `${row.accountId}#${row.streamPosition}`;
  if (table === "transfers_view") return String(row.transferId);
  if (table === "sanctions_entries") return String(row.entryId);
  if (table === "inbound_payments_view") return String(row.paymentId);
  if (table === "approvals_view") return String(row.approvalId);
  return String(row.globalPosition);
}

/** Row as sorted-key JSON values, bigints and dates as text, so equal rows print alike on both drivers. */
function canonical(row: Record<string, unknown>): unknown {
  return sortKeys(toJsonValue(row));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]));
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
