import net from "node:net";
import type { Writable } from "node:stream";

import type { PGlite, Transaction as PgliteTransaction } from "@electric-sql/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import type postgres from "postgres";

import type { Database } from "./client";

/**
 * The database adapter: the one file that reaches past the public types of Drizzle, postgres.js and
 * PGlite, and the only one allowed a cast through `unknown` (eslint.config.mjs). Everything else in
 * lib/db calls the small typed functions below. What it relies on, and why:
 *
 *   Drizzle 0.45
 *   - `db._.session.client` is the driver connection a database or transaction runs on (postgres.js
 *     `Sql`/`TransactionSql`, PGlite or its `Transaction`): binary COPY and rows as arrays
 *     (bulk-sql.ts), which Drizzle does not do.
 *   - `db.$client` is the client given to `drizzle()`; our driver-neutral `Database` type does not
 *     declare it: PGlite's LISTEN (notify.ts), fixed-text statements (statement.ts), its migrator.
 *   - A transaction has `rollback()`, a database does not: commands join a caller's transaction.
 *   - Its postgres.js driver runs every query through `client.unsafe(text, params, { prepare })`
 *     and its transactions through `begin`/`savepoint` (preparingClient wraps exactly those), and
 *     `drizzle()` installs its type parsers by writing into `client.options.parsers`/`serializers`.
 *     A reserved connection has no `options`, so drizzleOnReserved lends it the pool's: that is how
 *     the pipelined transaction of transaction.ts (decision 0006) offers Drizzle's builders on its
 *     own connection.
 *
 *   postgres.js 3.4
 *   - A `socket` option (a factory returning a connected net.Socket), not in its types: TCP_NODELAY.
 *   - The COPY stream of `unsafe(…).writable()` never settles a COPY that the server refuses after
 *     its last row, and sends a CopyFail when destroyed even after it finished (copyFinished).
 *
 *   PGlite 0.5
 *   - `query(text, [], { blob })` feeds `COPY … FROM '/dev/blob'`; its Blob parts are typed as
 *     ArrayBuffer-backed views, which a Buffer is, though its type does not say so.
 *
 * tests/integration/db-adapter-contract.test.ts exercises each of these on PGlite and on Postgres:
 * after a Drizzle, postgres.js or PGlite upgrade, it fails there, naming this file.
 */

/** Thrown when an upgraded library no longer has what this adapter relies on. */
export class AdapterBroken extends Error {
  constructor(what: string) {
    super(`lib/db/adapter.ts: ${what} (did a Drizzle, postgres.js or PGlite upgrade change it?)`);
    this.name = "AdapterBroken";
  }
}

/** A connection of a postgres.js pool, a transaction on one or a reserved one. */
export type PostgresSql = postgres.Sql | postgres.TransactionSql | postgres.ReservedSql;

/** The driver under a Drizzle database or transaction, as Drizzle's session holds it. */
export type DriverClient =
  { readonly driver: "postgres"; readonly sql: PostgresSql } | { readonly driver: "pglite"; readonly client: PGlite | PgliteTransaction };

// By shape, not instanceof: Next loads Drizzle and the drivers once per bundle, and a database may
// have been made by another bundle's copy of their classes.
const isPostgresSql = (value: unknown): value is PostgresSql => typeof (value as { unsafe?: unknown } | null)?.unsafe === "function";
const isPgliteClient = (value: unknown): value is PGlite | PgliteTransaction => typeof (value as { query?: unknown } | null)?.query === "function";

/** The connection `db` (a database or a transaction) sends its queries on. */
export function driverClientOf(db: Database): DriverClient {
  const client = (db as unknown as { _?: { session?: { client?: unknown } } })._?.session?.client;
  if (isPostgresSql(client)) return { driver: "postgres", sql: client };
  if (isPgliteClient(client)) return { driver: "pglite", client };
  throw new AdapterBroken("Drizzle's session (`db._.session.client`) holds neither a postgres.js nor a PGlite client");
}

/** The PGlite instance under a PGlite Drizzle database; undefined under postgres.js. */
export function pgliteOf(db: Database): PGlite | undefined {
  const client = (db as unknown as { $client?: unknown }).$client;
  // A database is built on PGlite itself, never on one of its transactions.
  return isPgliteClient(client) && !isPostgresSql(client) ? (client as PGlite) : undefined;
}

/** True for a Drizzle transaction (of either driver), false for a database. */
export function isDrizzleTransaction(db: Database): boolean {
  return typeof (db as { rollback?: unknown }).rollback === "function";
}

/** A Drizzle database (without the relational schema) on a reserved connection of `pool`. */
export function drizzleOnReserved(reserved: postgres.ReservedSql, pool: postgres.Sql): Database {
  if (!pool.options?.parsers) throw new AdapterBroken("postgres.js no longer exposes `options.parsers`, where drizzle() installs its type parsers");
  // The reserved connection shares the pool's options; drizzle() writes its parsers there.
  return drizzlePostgres({ client: Object.assign(reserved, { options: pool.options }) }) as unknown as Database;
}

/**
 * Drizzle runs every query through `sql.unsafe(text, params, { prepare: false })` unless it was
 * built with `.prepare(name)`. For an unnamed statement with parameters postgres.js first asks the
 * server for the parameter types (Parse/Describe, wait, then Bind/Execute): two round trips per
 * query, every time. Letting postgres.js prepare them makes that once per statement and connection,
 * then one round trip. The wrapper also covers the connections Drizzle's transactions and our
 * pipelined transactions get (begin, savepoint, reserve).
 */
export function preparingClient<T extends PostgresSql>(sql: T): T {
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
            return (value as (...a: unknown[]) => unknown).call(target, ...args, (inner: postgres.TransactionSql) =>
              callback(preparingClient(inner)),
            );
          };
        case "reserve":
          return async () => preparingClient(await (target as postgres.Sql).reserve());
        default:
          return (value as (...a: unknown[]) => unknown).bind(target);
      }
    },
  });
}

type SocketOptions = { host: string[]; port: number[]; path?: string | false; connect_timeout?: number };

/**
 * postgres.js options for connections with TCP_NODELAY, as libpq and node-postgres open theirs.
 * postgres.js flushes a pipeline in more than one write (a large statement at once, the rest a
 * moment later); with Nagle's algorithm on, that second write waits for the first one's ACK, which
 * the server sends with its first answer: the pipelined statements became a round trip of their
 * own. postgres.js takes a socket factory but has no option for this, nor a type for the factory.
 * Hosts are tried in turn, as postgres.js does itself. `onSocket` is for the contract test.
 */
export function noDelaySocketOption(onSocket?: (socket: net.Socket) => void): postgres.Options<Record<string, postgres.PostgresType>> {
  let next = 0;
  const socket = (options: SocketOptions) =>
    new Promise<net.Socket>((resolve, reject) => {
      const index = next++ % Math.max(1, options.host.length);
      const opened = options.path
        ? net.connect(options.path)
        : net.connect({ host: options.host[index], port: options.port[index] ?? options.port[0] ?? 5432, noDelay: true });
      const timeout = setTimeout(() => opened.destroy(new Error("connect timed out")), 1000 * (options.connect_timeout ?? 30));
      opened.once("connect", () => {
        clearTimeout(timeout);
        opened.off("error", fail);
        onSocket?.(opened);
        resolve(opened);
      });
      const fail = (error: Error) => {
        clearTimeout(timeout);
        reject(error);
      };
      opened.once("error", fail);
    });
  return { socket } as unknown as postgres.Options<Record<string, postgres.PostgresType>>;
}

/**
 * Two workarounds for postgres.js's COPY stream (3.4.9). It never settles a COPY that the server
 * refuses after its last row (it only reports errors that arrive while rows are still being
 * written), so the caller needs to know when the end of the data is on the wire (the stream's final
 * step) to send a statement behind it, which succeeds after the COPY did and fails if it failed:
 * the promise returned resolves then. And the stream, destroyed after finishing, sends a CopyFail
 * even then, which would abort the next COPY if that one were already running: a destroy without an
 * error now sends nothing. Call before writing.
 */
export function copyFinished(stream: Writable): Promise<void> {
  const final = stream._final;
  const destroy = stream._destroy;
  if (typeof final !== "function" || typeof destroy !== "function")
    throw new AdapterBroken("postgres.js's COPY stream has no _final/_destroy to hook");
  const ended = new Promise<void>((resolve) => {
    stream._final = function (this: Writable, callback) {
      final.call(this, callback);
      resolve();
    };
  });
  stream._destroy = function (this: Writable, error, callback) {
    if (error) destroy.call(this, error, callback);
    else callback(null);
  };
  return ended;
}

/** The data of a PGlite `COPY … FROM '/dev/blob'`: Node's Buffers are ArrayBuffer-backed views. */
export const copyBlob = (chunks: readonly Buffer[]): Blob => new Blob(chunks as unknown as BlobPart[]);
