import { sql } from "drizzle-orm";
import { getTableConfig, type PgTable } from "drizzle-orm/pg-core";
import { type Database, rowsOf } from "../db/client";
import { accountSummary, auditLog, sanctionsEntries, statementEntries, transfersView } from "../db/schema";
import { toJsonValue } from "../domain/shared/json";
import { lockProjectionTables } from "./account-inline";
import { type ProjectedRows, replayAllEvents, type ReplayProgress } from "./replay";

const TABLES: { [Name in keyof ProjectedRows]: PgTable } = {
  account_summary: accountSummary,
  statement_entries: statementEntries,
  audit_log: auditLog,
  transfers_view: transfersView,
  sanctions_entries: sanctionsEntries,
};

type TableName = keyof ProjectedRows;
const TABLE_NAMES = Object.keys(TABLES) as TableName[];

export type RebuildReport = { events: number; rows: Record<TableName, number>; elapsedMs: number };

/**
 * Empties the projection tables and replays every event into them, in one transaction. Writers wait
 * on the projection tables' lock for the duration (so no command can slip in between); readers are
 * not blocked and keep seeing the old rows (MVCC) until the commit swaps in the new ones at once.
 * Statement entries and audit rows are written batch by batch as the replay produces them; the
 * per-entity rows (summaries, transfers, sanctions) at the end.
 */
export async function rebuildProjections(
  db: Database,
  options: { onProgress?: (progress: ReplayProgress) => void } = {},
): Promise<RebuildReport> {
  const started = performance.now();
  return db.transaction(async (tx) => {
    await lockProjectionTables(tx);
    for (const name of TABLE_NAMES) await tx.execute(sql.raw(`delete from ${name}`));
    const appended = { statement_entries: 0, audit_log: 0 };
    const { rows, events } = await replayAllEvents(tx, {
      onProgress: options.onProgress,
      async onAppendOnlyRows(batch) {
        for (const name of ["statement_entries", "audit_log"] as const) {
          await bulkInsert(tx, name, TABLES[name], batch[name] as Record<string, unknown>[]);
          appended[name] += batch[name].length;
        }
      },
    });
    for (const name of ["account_summary", "transfers_view", "sanctions_entries"] as const) {
      await bulkInsert(tx, name, TABLES[name], rows[name] as Record<string, unknown>[]);
    }
    const counts = Object.fromEntries(TABLE_NAMES.map((name) => [name, rows[name].length])) as Record<TableName, number>;
    return { events, rows: { ...counts, ...appended }, elapsedMs: performance.now() - started };
  });
}

/** Inserts rows in batches as one JSON parameter each: fast, and the same on PGlite and postgres.js. */
async function bulkInsert(db: Database, target: string, table: PgTable, rows: Record<string, unknown>[]): Promise<void> {
  const columns = getTableConfig(table).columns;
  const definition = columns.map((column) => `"${column.name}" ${column.getSQLType()}`).join(", ");
  const names = columns.map((column) => `"${column.name}"`).join(", ");
  // Once per table, not per row and column: keyOf calls getTableConfig, which rebuilds the whole
  // table config (indexes included) on every call; per value it was most of the rebuild's time.
  const keys = columns.map((column) => keyOf(table, column.name));
  for (let start = 0; start < rows.length; start += 5000) {
    const batch = rows.slice(start, start + 5000).map((row) => {
      const out: Record<string, unknown> = {};
      columns.forEach((column, index) => (out[column.name] = toJsonValue(row[keys[index] as string])));
      return out;
    });
    await db.execute(
      sql`insert into ${sql.raw(target)} (${sql.raw(names)})
          select ${sql.raw(names)} from jsonb_to_recordset(${JSON.stringify(batch)}::jsonb) as x(${sql.raw(definition)})`,
    );
  }
}

const keyCache = new Map<string, string>();
function keyOf(table: PgTable, columnName: string): string {
  const cacheKey = `${getTableConfig(table).name}.${columnName}`;
  let key = keyCache.get(cacheKey);
  if (!key) {
    const entry = Object.entries(table).find(([, column]) => (column as { name?: string })?.name === columnName);
    key = entry?.[0] ?? columnName;
    keyCache.set(cacheKey, key);
  }
  return key;
}

export type Difference = { table: TableName; key: string; kind: "missing" | "unexpected" | "different"; live?: unknown; expected?: unknown };
export type VerifyReport = { events: number; differences: Difference[]; rows: Record<TableName, number>; elapsedMs: number };

/** Replays into memory (the shadow) and lists every row where the live tables differ from it. */
export async function verifyProjections(
  db: Database,
  options: { onProgress?: (progress: ReplayProgress) => void } = {},
): Promise<VerifyReport> {
  const started = performance.now();
  // One repeatable-read snapshot so live rows and events are compared as of the same moment.
  return db.transaction(
    async (tx) => {
      const { rows, events } = await replayAllEvents(tx, options);
      const differences: Difference[] = [];
      for (const name of TABLE_NAMES) {
        const expected = new Map(rows[name].map((row) => [rowKey(name, row), canonical(row)]));
        const live = await tx.select().from(TABLES[name]);
        const seen = new Set<string>();
        for (const row of live as Record<string, unknown>[]) {
          const key = rowKey(name, row);
          seen.add(key);
          const want = expected.get(key);
          const have = canonical(row);
          if (want === undefined) differences.push({ table: name, key, kind: "unexpected", live: JSON.parse(have) });
          else if (want !== have) differences.push({ table: name, key, kind: "different", live: JSON.parse(have), expected: JSON.parse(want) });
        }
        for (const [key, want] of expected) {
          if (!seen.has(key)) differences.push({ table: name, key, kind: "missing", expected: JSON.parse(want) });
        }
      }
      const counts = Object.fromEntries(TABLE_NAMES.map((name) => [name, rows[name].length])) as Record<TableName, number>;
      return { events, differences, rows: counts, elapsedMs: performance.now() - started };
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
}

function rowKey(table: TableName, row: Record<string, unknown>): string {
  if (table === "account_summary") return String(row.accountId);
  if (table === "statement_entries") return `${row.accountId}#${row.streamPosition}`;
  if (table === "transfers_view") return String(row.transferId);
  if (table === "sanctions_entries") return String(row.entryId);
  return String(row.globalPosition);
}

/** Row as sorted-key JSON, bigints and dates as text, so equal rows compare equal across drivers. */
function canonical(row: Record<string, unknown>): string {
  const json = toJsonValue(row) as Record<string, unknown>;
  return JSON.stringify(sortKeys(json));
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
