import { sql } from "drizzle-orm";

import { rowsOf, type Database } from "../db/client";
import { rebuiltTables, tableName } from "../projections/registry";

export type ProjectionStatusDto = {
  table: string;
  description: string;
  rows: string;
  /** The last global position the read model has applied; null when it keeps none. */
  lastPosition: string | null;
};

export type ReadModelsStatusDto = { eventCount: string; lastEventPosition: string; projections: ProjectionStatusDto[] };

/**
 * Row counts and the last position each rebuilt read model applied, beside the events table's own:
 * the tables a rebuild replaces, in the registry's order.
 */
export async function readModelsStatus(db: Database): Promise<ReadModelsStatusDto> {
  const one = async (query: string) => rowsOf<{ n: string | null; p: string | null }>(await db.execute(sql.raw(query)))[0];
  const eventsRow = await one("select count(*)::text as n, max(global_position)::text as p from events");
  const projections: ProjectionStatusDto[] = [];
  // Table and column names come from the registry, never from input.
  for (const { table, description, positionColumn } of rebuiltTables()) {
    const name = tableName(table);
    const row = await one(`select count(*)::text as n, ${positionColumn ? `max(${positionColumn})::text` : "null::text"} as p from ${name}`);
    projections.push({ table: name, description, rows: row?.n ?? "0", lastPosition: positionColumn ? (row?.p ?? "0") : null });
  }
  return { eventCount: eventsRow?.n ?? "0", lastEventPosition: eventsRow?.p ?? "0", projections };
}
