import { copyBlob, copyFinished, driverClientOf } from "./adapter";
import type { Database } from "./client";

/**
 * The driver under a Drizzle transaction (reached through adapter.ts), for what Drizzle does not
 * do: binary COPY and rows as plain arrays. Both drivers give the same shapes: int8 and
 * timestamptz as text, jsonb parsed.
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
  const driver = driverClientOf(tx);
  if (driver.driver === "postgres") {
    const client = driver.sql;
    const rows = (text: string, params: unknown[] = []): Promise<unknown[][]> =>
      client.unsafe(text, params as never[], { prepare: params.length > 0 }).values();
    return {
      driver: "postgres",
      rows,
      run: async (text, params) => void (await rows(text, params)),
      async copyIn(table, columns, chunks, options) {
        const stream = await client.unsafe(copyStatement(table, columns, "stdin", options)).writable();
        // postgres.js does not settle a COPY refused after its last row: once the data's end is on
        // the wire, a statement goes behind it, which fails if the COPY failed (see copyFinished).
        const ended = copyFinished(stream);
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
  const client = driver.client;
  const rows = async (text: string, params: unknown[] = []) =>
    (await client.query<unknown[]>(text, params, { rowMode: "array", parsers: PGLITE_PARSERS })).rows;
  return {
    driver: "pglite",
    rows,
    run: async (text, params) => void (await client.query(text, params)),
    async copyIn(table, columns, chunks, options) {
      await client.query(copyStatement(table, columns, "'/dev/blob'", options), [], { blob: copyBlob(chunks) });
      return { done: Promise.resolve() };
    },
  };
}

function copyStatement(table: string, columns: readonly string[], source: string, options?: { freeze?: boolean }): string {
  const names = columns.map(quoteIdent).join(", ");
  return `copy ${table} (${names}) from ${source} with (format binary${options?.freeze ? ", freeze" : ""})`;
}

export const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;
