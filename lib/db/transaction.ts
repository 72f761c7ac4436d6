import { PgDialect } from "drizzle-orm/pg-core";

import { drizzleOnReserved, isDrizzleTransaction } from "./adapter";
import { postgresClientOf, rowsOf, type Database, type PostgresClient } from "./client";
import { isStatement, toSql, type AnyStatement } from "./statement";

/**
 * A command's transaction, the event store's hot path, sent in as few round trips as the protocol
 * allows (decision 0006); what it needs from under Drizzle comes from adapter.ts:
 *
 *   1. BEGIN goes out with the first statements (the load), not on its own;
 *   2. the statements `work` issues through `query` are pipelined in call order;
 *   3. the writes `work` returns go out together with COMMIT, in one flight.
 *
 * On postgres.js this runs on a reserved connection, with the statements sent straight to the
 * driver in the order they are issued (Drizzle's own query path adds microtask hops that could let
 * a later statement, COMMIT say, be queued before an earlier one). `tx.db` is a Drizzle database on
 * the same connection for code that builds queries with Drizzle's builders (adapter.ts lends it
 * the pool's type parsers). On PGlite (in process: no round trips to save), and when `db`
 * is already a transaction, the same contract runs as one plain Drizzle transaction.
 *
 * tests/integration/db-adapter-contract.test.ts pins the contract (order, atomicity, COMMIT after
 * a failed write rolls back, round trips), so a driver or Drizzle upgrade that breaks it fails loudly.
 */
export type TxSession = {
  /** Queues one statement on the transaction; statements run in the order they were issued. */
  query<Row = Record<string, unknown>>(statement: AnyStatement): Promise<Row[]>;
  /** A Drizzle database on this transaction (each awaited query is its own round trip). */
  readonly db: Database;
};

export type TransactionWork<T> = (tx: TxSession) => Promise<{ readonly result: T; readonly writes: readonly AnyStatement[] }>;

// Shared by every bundle Next loads this module in (see postgresClientOf).
const transactions = ((globalThis as { __ledgerlineTransactions?: WeakSet<Database> }).__ledgerlineTransactions ??= new WeakSet());

/** True for a Database that is already a transaction (ours or Drizzle's): commands join it. */
export function isTransaction(db: Database): boolean {
  // By shape (a Drizzle transaction can roll back; a database cannot), not instanceof: Next loads
  // Drizzle once per bundle, and the transaction may come from another bundle's classes.
  return transactions.has(db) || isDrizzleTransaction(db);
}

const dialect = new PgDialect();
const renamed = (query: { sql: string; params: unknown[] }) => ({ text: query.sql, params: query.params });

/** Runs `work` as one transaction; see the type's comment for how it reaches the database. */
export async function runTransaction<T>(db: Database, work: TransactionWork<T>): Promise<T> {
  const postgresClient = transactions.has(db) ? undefined : postgresClientOf(db);
  if (!postgresClient) return drizzleTransaction(db, work);
  return pipelinedTransaction(postgresClient, work);
}

async function drizzleTransaction<T>(db: Database, work: TransactionWork<T>): Promise<T> {
  return db.transaction(async (tx) => {
    const run = (statement: AnyStatement) => tx.execute(isStatement(statement) ? toSql(statement) : statement);
    const session: TxSession = { db: tx, query: async <Row>(statement: AnyStatement) => rowsOf<Row>(await run(statement)) };
    const { result, writes } = await work(session);
    for (const write of writes) await run(write);
    return result;
  });
}

async function pipelinedTransaction<T>({ client, prepare }: PostgresClient, work: TransactionWork<T>): Promise<T> {
  const reserved = await client.reserve();
  // A parameterless statement is never prepared: postgres.js would send it unnamed either way.
  const send = <Row>(statement: AnyStatement): Promise<Row[]> => {
    const { text, params } = isStatement(statement) ? statement : renamed(dialect.sqlToQuery(statement));
    return reserved.unsafe<Row[]>(text, params as never[], { prepare: prepare && params.length > 0 });
  };
  // Drizzle on the reserved connection, for builder-made queries (it never begins or commits);
  // built only when asked for: the hot path does not need it.
  let db: Database | undefined;
  const drizzleHere = () => {
    if (!db) {
      db = drizzleOnReserved(reserved, client);
      transactions.add(db);
    }
    return db;
  };
  const pending: Promise<unknown>[] = [];
  // Set when the connection died under us: postgres.js has then taken it back into its pool
  // (closed), and neither a ROLLBACK nor a release may touch it again.
  let lost = false;
  const track = <V>(promise: Promise<V>): Promise<V> => {
    pending.push(
      promise.catch((error: unknown) => {
        if (connectionLost(error)) lost = true;
      }),
    );
    return promise;
  };
  const begun = track(reserved.unsafe("begin"));
  let commitSent = false;
  try {
    const session: TxSession = {
      get db() {
        return drizzleHere();
      },
      query: (statement) => track(send(statement)),
    };
    const { result, writes } = await work(session);
    const sent = writes.map((write) => track(send(write)));
    const commit = track(reserved.unsafe("commit"));
    commitSent = true;
    const settled = await Promise.allSettled([begun, ...sent, commit]);
    const failures = settled.flatMap((outcome) => (outcome.status === "rejected" ? [outcome.reason as unknown] : []));
    // After the first failure the rest fail with "transaction is aborted" (25P02) and COMMIT rolls
    // back: report the cause.
    if (failures.length > 0) throw failures.find((error) => codeOf(error) !== "25P02") ?? failures[0];
    const tag = (settled.at(-1) as PromiseFulfilledResult<{ command?: string }>).value.command;
    if (tag !== "COMMIT") throw new Error(`COMMIT answered ${tag ?? "nothing"}: the transaction was rolled back`);
    return result;
  } catch (error) {
    // Let what is in flight settle first, so the ROLLBACK cannot meet a half-sent pipeline. A
    // connection that died took its transaction with it (the server rolls it back).
    await Promise.all(pending);
    if (!commitSent && !lost) await reserved.unsafe("rollback").catch(() => {});
    throw error;
  } finally {
    if (!lost) reserved.release();
  }
}

const LOST = new Set(["CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED", "ECONNRESET", "EPIPE", "ECONNREFUSED"]);
const connectionLost = (error: unknown) => LOST.has(codeOf(error) ?? "");

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}
