import { sql, type SQL } from "drizzle-orm";

import { pgliteOf } from "./adapter";
import { postgresClientOf, rowsOf, type Database } from "./client";

/**
 * A statement whose text is written once, with `$1…$n` placeholders, and only its parameters
 * change: the command path's statements. Building SQL with Drizzle's template on every request cost
 * a measured third of a deposit's own CPU (its chunks are walked, parameters checked one by one);
 * a fixed text also keeps postgres.js's prepared-statement cache to one entry per statement.
 *
 * Parameters are strings, numbers, booleans or null (bigints as decimal text, times as ISO text,
 * JSON as text cast in the statement), which both drivers send the same way.
 */
export type Statement = { readonly text: string; readonly params: readonly Param[] };
export type Param = string | number | boolean | null;

export const statement = (text: string, ...params: Param[]): Statement => ({ text, params });

/** Either kind a transaction session accepts: a fixed-text statement or Drizzle's SQL. */
export type AnyStatement = Statement | SQL;

export const isStatement = (value: AnyStatement): value is Statement =>
  typeof (value as Statement).text === "string" && Array.isArray((value as Statement).params);

const pieces = new Map<string, { strings: string[]; order: number[] }>();

/** The statement as Drizzle SQL, for a Drizzle transaction (PGlite, or a caller's transaction). */
export function toSql(statement: Statement): SQL {
  let parsed = pieces.get(statement.text);
  if (!parsed) {
    const strings: string[] = [];
    const order: number[] = [];
    let last = 0;
    for (const match of statement.text.matchAll(/\$(\d+)/g)) {
      strings.push(statement.text.slice(last, match.index));
      order.push(Number(match[1]) - 1);
      last = (match.index ?? 0) + match[0].length;
    }
    strings.push(statement.text.slice(last));
    parsed = { strings, order };
    pieces.set(statement.text, parsed);
  }
  const chunks: SQL[] = [];
  parsed.strings.forEach((text, index) => {
    chunks.push(sql.raw(text));
    const param = parsed.order[index];
    if (param !== undefined) chunks.push(sql`${statement.params[param] ?? null}`);
  });
  return sql.join(chunks);
}

/** Runs one statement on a database (outside a transaction), straight on its driver. */
export async function runStatement<Row = Record<string, unknown>>(db: Database, statement: Statement): Promise<Row[]> {
  const postgres = postgresClientOf(db);
  if (postgres) {
    return await postgres.client.unsafe<Row[]>(statement.text, statement.params as never[], {
      prepare: postgres.prepare && statement.params.length > 0,
    });
  }
  const client = pgliteOf(db);
  if (client) return (await client.query<Row>(statement.text, [...statement.params])).rows;
  return rowsOf<Row>(await db.execute(toSql(statement)));
}

const prepared = new WeakMap<Database, Map<string, unknown>>();

/**
 * A query built once per database and run as Drizzle's prepared query (`.prepare(name)`, values
 * through `sql.placeholder`), for reads on every request: Drizzle then builds its SQL once, not per
 * call, and postgres.js prepares it per connection.
 */
export function preparedQuery<Query>(db: Database, name: string, build: (db: Database) => Query): Query {
  let byName = prepared.get(db);
  if (!byName) prepared.set(db, (byName = new Map()));
  let query = byName.get(name) as Query | undefined;
  if (query === undefined) byName.set(name, (query = build(db)));
  return query;
}
