import { mkdirSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import type { ExtractTablesWithRelations } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema";

export type Schema = typeof schema;
/** Either driver's Drizzle database; a transaction is one too, so functions take this type. */
export type Database = PgDatabase<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;

export type DatabaseHandle = {
  readonly db: Database;
  readonly kind: "pglite" | "postgres";
  /** Human-readable target for logs, without credentials. */
  readonly target: string;
  /** Most connections this handle opens (1 for PGlite). */
  readonly poolMax: number;
  /** Postgres only: the application_name its connections carry, so pg_stat_activity can count them. */
  readonly applicationName?: string;
  close: () => Promise<void>;
};

export type DatabaseOptions =
  | { kind: "postgres"; url: string; poolMax?: number; prepare?: boolean; applicationName?: string }
  | { kind: "pglite"; dataDir: string | "memory" };

/** Transaction poolers cannot keep prepared statements across transactions. */
export function urlLooksPooled(url: string): boolean {
  return /pgbouncer=true|pooler|:6543\b/i.test(url);
}

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.kind === "postgres") {
    const poolMax = options.poolMax ?? 10;
    const client = postgres(options.url, {
      max: poolMax,
      prepare: options.prepare ?? !urlLooksPooled(options.url),
      onnotice: () => {},
      ...(options.applicationName ? { connection: { application_name: options.applicationName } } : {}),
    });
    const db = drizzlePostgres({ client, schema }) as unknown as Database;
    return {
      db,
      kind: "postgres",
      target: redactUrl(options.url),
      poolMax,
      applicationName: options.applicationName,
      close: () => client.end({ timeout: 5 }),
    };
  }
  let client: PGlite;
  if (options.dataDir === "memory") {
    client = await PGlite.create();
  } else {
    // PGlite expects its directory to exist; it has no cross-process lock, so one process per dir.
    const dir = path.resolve(options.dataDir);
    mkdirSync(dir, { recursive: true });
    client = await PGlite.create(dir);
  }
  const db = drizzlePglite({ client, schema }) as unknown as Database;
  return {
    db,
    kind: "pglite",
    target: options.dataDir === "memory" ? "PGlite (in memory)" : `PGlite at ${options.dataDir}`,
    poolMax: 1,
    close: () => client.close(),
  };
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "postgres://…";
  }
}

/** Rows of a raw `db.execute` result: postgres.js returns an array, PGlite an object with `rows`. */
export function rowsOf<Row>(result: unknown): Row[] {
  if (Array.isArray(result)) return result as Row[];
  return ((result as { rows?: Row[] }).rows ?? []) as Row[];
}
