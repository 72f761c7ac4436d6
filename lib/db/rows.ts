import { sql, type SQL } from "drizzle-orm";
import { getTableConfig, type PgColumn, type PgTable } from "drizzle-orm/pg-core";

import { toJsonValue, type JsonValue } from "../domain/shared/json";
import { statement, type Statement } from "./statement";

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
    names
      .filter((column) => !primaryKey.includes(column) && !keep.includes(column))
      .map((column) => sql`${sql.identifier(column)} = excluded.${sql.identifier(column)}`),
    sql`, `,
  );
  const json = JSON.stringify(toColumnJson(table, row));
  return sql`insert into ${sql.identifier(name)} select * from jsonb_populate_record(null::${sql.identifier(name)}, ${json}::jsonb)
    on conflict (${sql.join(
      primaryKey.map((column) => sql.identifier(column)),
      sql`, `,
    )}) do update set ${updates}`;
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

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;
const insertTexts = new WeakMap<PgTable, string>();
const upsertTexts = new Map<string, string>();

/** `insertRows` as a fixed-text statement: one JSON parameter for any number of rows. */
export function insertRowsStatement(table: PgTable, rows: Record<string, unknown>[]): Statement {
  let text = insertTexts.get(table);
  if (!text) {
    const name = quoted(tableColumns(table).table);
    text = `insert into ${name} select * from jsonb_populate_recordset(null::${name}, $1::jsonb)`;
    insertTexts.set(table, text);
  }
  return statement(text, JSON.stringify(rows.map((row) => toColumnJson(table, row))));
}

/** `upsertRow` as a fixed-text statement. */
export function upsertRowStatement(table: PgTable, row: Record<string, unknown>, keep: string[] = []): Statement {
  const { table: tableName, names, primaryKey } = tableColumns(table);
  const cacheKey = `${tableName}\u0000${keep.join(",")}`;
  let text = upsertTexts.get(cacheKey);
  if (!text) {
    const name = quoted(tableName);
    const updates = names
      .filter((column) => !primaryKey.includes(column) && !keep.includes(column))
      .map((column) => `${quoted(column)} = excluded.${quoted(column)}`);
    text = `insert into ${name} select * from jsonb_populate_record(null::${name}, $1::jsonb) on conflict (${primaryKey.map(quoted).join(", ")}) do update set ${updates.join(", ")}`;
    upsertTexts.set(cacheKey, text);
  }
  return statement(text, JSON.stringify(toColumnJson(table, row)));
}

const combinedTexts = new Map<string, string>();
const textNumbers = new Map<string, number>();
const textNumber = (text: string) => {
  let number = textNumbers.get(text);
  if (number === undefined) textNumbers.set(text, (number = textNumbers.size));
  return number;
};

/**
 * Several writes as one statement (data-modifying CTEs, the last one the main statement): the
 * database parses, plans and answers one statement instead of several.
 */
export function combineWrites(writes: readonly Statement[]): Statement | undefined {
  if (writes.length <= 1) return writes[0];
  // Keyed by small numbers for the texts: the texts themselves are kilobytes, and hashing a freshly
  // joined key on every command would cost more than the lookup saves.
  const cacheKey = writes.map((write) => textNumber(write.text)).join(",");
  let text = combinedTexts.get(cacheKey);
  if (!text) {
    let offset = 0;
    const renumbered = writes.map((write) => {
      const shifted = write.text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
      offset += write.params.length;
      return shifted;
    });
    // A data-modifying statement may not carry a WITH of its own inside a CTE: parts are plain.
    if (renumbered.some((write) => /^\s*with\s/i.test(write))) throw new Error("combineWrites: a part starts with WITH; pass its parts instead");
    const main = renumbered.pop() as string;
    text = `with ${renumbered.map((write, index) => `w${index} as (${write})`).join(", ")} ${main}`;
    combinedTexts.set(cacheKey, text);
  }
  return statement(text, ...writes.flatMap((write) => write.params));
}
