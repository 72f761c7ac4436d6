import { mkdirSync } from "node:fs";
import path from "node:path";

import { PGlite } from "@electric-sql/pglite";
import { btree_gin } from "@electric-sql/pglite/contrib/btree_gin";
import type { ExtractTablesWithRelations } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";

import { noDelaySocketOption, preparingClient } from "./adapter";
import * as schema from "./schema";

/** Postgres extensions the migrations create (drizzle/): PGlite ships them and loads them here. */
const PGLITE_EXTENSIONS = { btree_gin };

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

/** The postgres.js pool behind a Database that openDatabase made, and whether it prepares statements. */
export type PostgresClient = { readonly client: postgres.Sql; readonly prepare: boolean };
// On the Database object under a registered symbol, not in a module-level map: Next loads this
// module once per bundle (instrumentation, each route), and the handle made by one is used by all.
const POSTGRES_CLIENT = Symbol.for("ledgerline.postgresClient");

/** For lib/db/transaction.ts: undefined for PGlite and for transactions. */
export function postgresClientOf(db: Database): PostgresClient | undefined {
  return (db as { [POSTGRES_CLIENT]?: PostgresClient })[POSTGRES_CLIENT];
}

export type DatabaseOptions =
  { kind: "postgres"; url: string; poolMax?: number; prepare?: boolean; applicationName?: string } | { kind: "pglite"; dataDir: string | "memory" };

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.kind === "postgres") {
    const poolMax = options.poolMax ?? 10;
    const client = postgres(options.url, {
      ...noDelaySocketOption(),
      max: poolMax,
      // Behind a transaction pooler the caller passes false (connect.ts decides from DATABASE_URL).
      prepare: options.prepare ?? true,
      onnotice: () => {},
      ...(options.applicationName ? { connection: { application_name: options.applicationName } } : {}),
    });
    const prepare = options.prepare ?? true;
    const db = drizzlePostgres({ client: prepare ? preparingClient(client) : client, schema });
    Object.defineProperty(db, POSTGRES_CLIENT, { value: { client, prepare } satisfies PostgresClient });
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
    client = await PGlite.create({ extensions: PGLITE_EXTENSIONS });
  } else {
    // PGlite expects its directory to exist; it has no cross-process lock, so one process per dir.
    const dir = path.resolve(options.dataDir);
    mkdirSync(dir, { recursive: true });
    client = await PGlite.create(dir, { extensions: PGLITE_EXTENSIONS });
  }
  const db = drizzlePglite({ client, schema });
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
