import { PgTransaction } from "drizzle-orm/pg-core";
import { PostgresJsSession, PostgresJsTransaction } from "drizzle-orm/postgres-js";
import type postgres from "postgres";
import type { Database } from "../db/client";

/**
 * A command's transaction with BEGIN pipelined: it goes out together with the first statement
 * instead of being awaited on its own (as `db.transaction` does), one round trip less per command.
 * COMMIT is still awaited after the last write: postgres.js does not keep a queued statement
 * behind one that is still being described, so a pipelined COMMIT could overtake the writes.
 *
 * On PGlite (in-process, no round trips) or when `db` is already a transaction, it is plain
 * `db.transaction`.
 */
export async function pipelinedTransaction<T>(db: Database, work: (tx: Database) => Promise<T>): Promise<T> {
  const session = (db as unknown as { _: { session: unknown } })._?.session;
  if (db instanceof PgTransaction || !(session instanceof PostgresJsSession)) return db.transaction(work);
  // What Drizzle's own transaction() builds, on a reserved connection instead of sql.begin().
  const internals = session as unknown as { client: postgres.Sql; dialect: never; schema: never; options: never };
  const reserved = await internals.client.reserve();
  // The types say a transaction session holds a TransactionSql; a reserved connection serves the
  // same calls Drizzle makes on it (unsafe, values), but not savepoint: no nested transactions here.
  const txSession = new PostgresJsSession(reserved as unknown as postgres.Sql, internals.dialect, internals.schema, internals.options);
  const tx = new PostgresJsTransaction(
    internals.dialect,
    txSession as unknown as ConstructorParameters<typeof PostgresJsTransaction>[1],
    internals.schema,
  ) as unknown as Database;
  const begun = reserved.unsafe("begin").then(() => undefined);
  begun.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled
  try {
    const result = await work(tx);
    // If BEGIN failed, the statements after it ran outside a transaction: that must not pass.
    await begun;
    await reserved.unsafe("commit");
    return result;
  } catch (error) {
    await reserved.unsafe("rollback").catch(() => {});
    throw error;
  } finally {
    reserved.release();
  }
}
