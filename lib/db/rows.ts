import { sql, type SQL } from "drizzle-orm";
import { getTableConfig, type PgColumn, type PgTable } from "drizzle-orm/pg-core";
import { type JsonValue, toJsonValue } from "../domain/shared/json";

type Columns = { table: string; names: string[]; keys: string[]; primaryKey: string[]; columns: PgColumn[] };
const cache = new WeakMap<PgTable, Columns>();

/** A table's SQL name, its column names, and the matching property names of Drizzle's row objects. */
export function tableColumns(table: PgTable): Columns {
  let columns = cache.get(table);
  if (!columns) {
    const config = getTableConfig(table);
    const byName = new Map(Object.entries(table).map(([key, column]) => [(column as { name?: string })?.name, key]));
    columns = {
      table: config.name,
      columns: config.columns,
      names: config.columns.map((column) => column.name),
      keys: config.columns.map((column) => byName.get(column.name) ?? column.name),
      primaryKey: [
        ...config.columns.filter((column) => column.primary).map((column) => column.name),
        ...config.primaryKeys.flatMap((key) => key.columns.map((column) => column.name)),
      ],
    };
    cache.set(table, columns);
  }
  return columns;
}

/** A Drizzle row as JSON keyed by column name, the shape jsonb_populate_record(set) reads. */
export function toColumnJson(table: PgTable, row: Record<string, unknown>): Record<string, JsonValue> {
  const { names, keys } = tableColumns(table);
  const out: Record<string, JsonValue> = {};
  names.forEach((name, index) => (out[name] = toJsonValue(row[keys[index] as string])));
  return out;
}

/** `insert into t select * from jsonb_populate_recordset(null::t, $rows)`: many rows, one parameter, either driver. */
export function insertRows(table: PgTable, rows: Record<string, unknown>[], target?: string): SQL {
  const name = target ?? tableColumns(table).table;
  const json = JSON.stringify(rows.map((row) => toColumnJson(table, row)));
  return sql`insert into ${sql.identifier(name)} select * from jsonb_populate_recordset(null::${sql.identifier(tableColumns(table).table)}, ${json}::jsonb)`;
}

/** Insert one row, or overwrite the other columns (but those in `keep`) of the row with the same key. */
export function upsertRow(table: PgTable, row: Record<string, unknown>, keep: string[] = []): SQL {
  const { table: name, names, primaryKey } = tableColumns(table);
  const updates = sql.join(
    names.filter((column) => !primaryKey.includes(column) && !keep.includes(column)).map((column) => sql`${sql.identifier(column)} = excluded.${sql.identifier(column)}`),
    sql`, `,
  );
  const json = JSON.stringify(toColumnJson(table, row));
  return sql`insert into ${sql.identifier(name)} select * from jsonb_populate_record(null::${sql.identifier(name)}, ${json}::jsonb)
    on conflict (${sql.join(primaryKey.map((column) => sql.identifier(column)), sql`, `)}) do update set ${updates}`;
}

/**
 * A row read with a raw statement (`select * from t`) as Drizzle's row object, each value through
 * its column's own driver mapping: the drivers disagree on raw types (postgres.js gives bigints and
 * timestamps as text here, PGlite gives bigint and Date), the columns know what they hold.
 */
export function rowFromDriver<Table extends PgTable>(table: Table, raw: Record<string, unknown>): Table["$inferSelect"] {
  const { names, keys, columns } = tableColumns(table);
  const out: Record<string, unknown> = {};
  names.forEach((name, index) => {
    const value = raw[name];
    const column = columns[index];
    out[keys[index] as string] = value === null || value === undefined || !column ? (value ?? null) : column.mapFromDriverValue(value);
  });
  return out as Table["$inferSelect"];
}
