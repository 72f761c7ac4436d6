import { mkdirSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { btree_gin } from "@electric-sql/pglite/contrib/btree_gin";
import type { ExtractTablesWithRelations } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";

/** Postgres extensions the migrations create (drizzle/): PGlite ships them and loads them here. */
const PGLITE_EXTENSIONS = { btree_gin };
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
  | { kind: "postgres"; url: string; poolMax?: number; prepare?: boolean; applicationName?: string }
  | { kind: "pglite"; dataDir: string | "memory" };

/**
 * Drizzle runs every query through `sql.unsafe(text, params, { prepare: false })` unless it was
 * built with `.prepare(name)`. For an unnamed statement with parameters postgres.js first asks the
 * server for the parameter types (Parse/Describe, wait, then Bind/Execute): two round trips per
 * query, every time. Letting postgres.js prepare them makes that once per statement and connection,
 * then one round trip. The wrapper also covers the connections Drizzle's transactions and our
 * pipelined transactions get (begin, savepoint, reserve).
 */
export function preparingClient<T extends postgres.Sql | postgres.TransactionSql | postgres.ReservedSql>(sql: T): T {
  return new Proxy(sql, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== "function") return value;
      switch (property) {
        case "unsafe":
          return (text: string, params?: unknown[], options?: Record<string, unknown>) =>
            target.unsafe(text, params as never, { ...options, prepare: (params?.length ?? 0) > 0 });
        case "begin":
        case "savepoint":
          return (...args: unknown[]) => {
            const callback = args.pop() as (inner: postgres.TransactionSql) => unknown;
            return (value as (...a: unknown[]) => unknown).call(target, ...args, (inner: postgres.TransactionSql) => callback(preparingClient(inner)));
          };
        case "reserve":
          return async () => preparingClient(await (target as postgres.Sql).reserve());
        default:
          return (value as (...a: unknown[]) => unknown).bind(target);
      }
    },
  });
}

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.kind === "postgres") {
    const poolMax = options.poolMax ?? 10;
    const client = postgres(options.url, {
      // Not in postgres.js's types, but one of its options (a socket factory, see noDelaySocket).
      ...({ socket: noDelaySocket() } as object),
      max: poolMax,
      // Behind a transaction pooler the caller passes false (connect.ts decides from DATABASE_URL).
      prepare: options.prepare ?? true,
      onnotice: () => {},
      ...(options.applicationName ? { connection: { application_name: options.applicationName } } : {}),
    });
    const prepare = options.prepare ?? true;
    const db = drizzlePostgres({ client: prepare ? preparingClient(client) : client, schema }) as unknown as Database;
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
  const db = drizzlePglite({ client, schema }) as unknown as Database;
  return {
    db,
    kind: "pglite",
    target: options.dataDir === "memory" ? "PGlite (in memory)" : `PGlite at ${options.dataDir}`,
    poolMax: 1,
    close: () => client.close(),
  };
}

type SocketOptions = { host: string[]; port: number[]; path?: string | false; connect_timeout?: number };

/**
 * postgres.js's connections with TCP_NODELAY, as libpq and node-postgres open theirs. postgres.js
 * flushes a pipeline in more than one write (a large statement at once, the rest a moment later);
 * with Nagle's algorithm on, that second write waits for the first one's ACK, which the server
 * sends with its first answer: the pipelined statements became a round trip of their own.
 * (postgres.js takes a socket factory but has no option for this.) Hosts are tried in turn, as
 * postgres.js does itself.
 */
function noDelaySocket() {
  let next = 0;
  return (options: SocketOptions) =>
    new Promise<net.Socket>((resolve, reject) => {
      const index = next++ % Math.max(1, options.host.length);
      const socket = options.path
        ? net.connect(options.path)
        : net.connect({ host: options.host[index], port: options.port[index] ?? options.port[0] ?? 5432, noDelay: true });
      const timeout = setTimeout(() => socket.destroy(new Error("connect timed out")), 1000 * (options.connect_timeout ?? 30));
      socket.once("connect", () => {
        clearTimeout(timeout);
        socket.off("error", fail);
        resolve(socket);
      });
      const fail = (error: Error) => {
        clearTimeout(timeout);
        reject(error);
      };
      socket.once("error", fail);
    });
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
