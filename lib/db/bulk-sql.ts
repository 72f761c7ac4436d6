import type { PGlite, Transaction as PgliteTransaction } from "@electric-sql/pglite";
import type postgres from "postgres";
import type { Database } from "./client";

/**
 * Part of the driver adapter (with transaction.ts, statement.ts and client.ts): the one place that
 * reaches under Drizzle, so its casts are here and its contract test fails loudly on an upgrade.
 *
 * The driver under a Drizzle transaction, for what Drizzle does not do: binary COPY and rows as
 * plain arrays. Both drivers give the same shapes: int8 and timestamptz as text, jsonb parsed.
 */
export type BulkSql = {
  readonly driver: "postgres" | "pglite";
  rows(text: string, params?: unknown[]): Promise<unknown[][]>;
  run(text: string, params?: unknown[]): Promise<void>;
  /**
   * `COPY table (columns) FROM … (FORMAT binary)` with the data in `chunks`; `table` is quoted SQL.
   * Resolves once the data is on its way (the connection may take the next statement then; on
   * postgres.js nothing may be sent behind a COPY before that), with `done` settling when the COPY
   * has finished or failed.
   */
  copyIn(table: string, columns: readonly string[], chunks: readonly Buffer[], options?: { freeze?: boolean }): Promise<{ done: Promise<void> }>;
};

// PGlite would parse int8 to a JS number (precision lost past 2^53); postgres.js gives text.
const identity = (value: string) => value;
const PGLITE_PARSERS = { 20: identity, 1114: identity, 1184: identity };

export function bulkSql(tx: Database): BulkSql {
  // By shape, not instanceof: Next loads Drizzle once per bundle, and the transaction may have been
  // made by another bundle's copy of its classes.
  const session = (tx as unknown as { _?: { session?: { client?: unknown } } })._?.session;
  const driverClient = session?.client as { unsafe?: unknown; query?: unknown } | undefined;
  if (driverClient && typeof driverClient.unsafe === "function") {
    const client = driverClient as unknown as postgres.Sql;
    const rows = (text: string, params: unknown[] = []) =>
      client.unsafe(text, params as never[], { prepare: params.length > 0 }).values() as unknown as Promise<unknown[][]>;
    return {
      driver: "postgres",
      rows,
      run: async (text, params) => void (await rows(text, params)),
      async copyIn(table, columns, chunks, options) {
        const stream = await client.unsafe(copyStatement(table, columns, "stdin", options)).writable();
        const internals = stream as unknown as {
          _final: (callback: (error?: Error | null) => void) => void;
          _destroy: (error: Error | null, callback: (error?: Error | null) => void) => void;
        };
        // Two workarounds for postgres.js 3.4.9. It never settles a COPY that the server refuses
        // after its last row (it only reports errors that arrive while rows are still being
        // written): so once the end of the data is on the wire (the stream's final step), a
        // statement goes behind it, which succeeds after the COPY did and fails if it failed. And
        // its stream, destroyed after finishing, sends a CopyFail even then, which would abort the
        // next COPY if that one were already running: a destroy without an error sends nothing.
        const ended = new Promise<void>((resolve) => {
          const final = internals._final;
          internals._final = function (this: unknown, callback) {
            final.call(this, callback);
            resolve();
          };
        });
        const destroy = internals._destroy;
        internals._destroy = function (this: unknown, error, callback) {
          if (error) destroy.call(this, error, callback);
          else callback(null);
        };
        const failed = new Promise<never>((_, reject) => stream.once("error", reject));
        failed.catch(() => {}); // raced below
        for (const chunk of chunks) stream.write(chunk);
        stream.end();
        await Promise.race([ended, failed]);
        const after = client.unsafe("select 1").then(
          () => undefined,
          (error: unknown) => {
            throw new Error(`COPY into ${table} failed; the transaction is rolled back`, { cause: error });
          },
        );
        const done = Promise.race([failed, after]);
        done.catch(() => {}); // the caller awaits it
        return { done };
      },
    };
  }
  if (driverClient && typeof driverClient.query === "function") {
    const client = driverClient as unknown as PGlite | PgliteTransaction;
    const rows = async (text: string, params: unknown[] = []) =>
      (await client.query<unknown[]>(text, params, { rowMode: "array", parsers: PGLITE_PARSERS })).rows;
    return {
      driver: "pglite",
      rows,
      run: async (text, params) => void (await client.query(text, params)),
      async copyIn(table, columns, chunks, options) {
        await client.query(copyStatement(table, columns, "'/dev/blob'", options), [], { blob: new Blob(chunks as unknown as BlobPart[]) });
        return { done: Promise.resolve() };
      },
    };
  }
  throw new Error("Bulk writes need a postgres.js or PGlite Drizzle database");
}

function copyStatement(table: string, columns: readonly string[], source: string, options?: { freeze?: boolean }): string {
  const names = columns.map(quoteIdent).join(", ");
  return `copy ${table} (${names}) from ${source} with (format binary${options?.freeze ? ", freeze" : ""})`;
}

export const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;
