import type net from "node:net";

import { sql } from "drizzle-orm";
import { date, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { driverClientOf, isDrizzleTransaction, noDelaySocketOption, pgliteOf } from "@/lib/db/adapter";
import { bulkSql } from "@/lib/db/bulk-sql";
import { openDatabase, rowsOf, type Database, type DatabaseHandle } from "@/lib/db/client";
import { statement } from "@/lib/db/statement";
import { isTransaction, runTransaction } from "@/lib/db/transaction";
import { sqlState } from "@/lib/event-store/errors";
import { BinaryRows, copyShape } from "@/lib/projections/bulk";

import { backends, postgresBackends, type TestDatabase } from "../support/databases";
import { startPgTap, type PgTap } from "../support/pg-tap";

// The contract of lib/db/adapter.ts, the one file that reaches under Drizzle's, postgres.js's and
// PGlite's public types, and of the pipelined transaction built on it (lib/db/transaction.ts): each
// internal the adapter relies on is exercised here, so a library upgrade that changes one fails
// here, naming the adapter, before a command does.

const broken = (what: string) => `lib/db/adapter.ts relies on ${what}: an upgrade of Drizzle, postgres.js or PGlite changed it; fix the adapter`;

/** Fails, rather than hangs, when `promise` does not settle: a COPY postgres.js never answered. */
function settlesWithin<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(broken(what))), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const copies = pgTable("adapter_copies", { id: integer("id").notNull(), note: text("note").notNull() });
const kinds = pgTable("adapter_kinds", {
  id: integer("id").primaryKey(),
  day: date("day").notNull(),
  at: timestamp("at", { withTimezone: true }).notNull(),
});

describe.each(backends)("the database adapter on $name", (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await backend.create();
    await t.db.execute(sql`create table adapter_marks (id int primary key)`);
    // Deferrable, so checked at the end of the statement: a COPY refused after its last row.
    await t.db.execute(
      sql`create table adapter_copies (id int not null, note text not null, constraint adapter_copies_id unique (id) deferrable initially immediate)`,
    );
  });
  afterAll(() => t.drop());

  /** The rows of `text`, read straight on the driver connection the adapter found under `db`. */
  async function onDriver(db: Database, text: string): Promise<unknown[]> {
    const driver = driverClientOf(db);
    return driver.driver === "postgres" ? [...(await driver.sql.unsafe(text))] : (await driver.client.query(text)).rows;
  }

  it("finds the driver connection under Drizzle's session, the transaction's own inside a transaction", async () => {
    expect(driverClientOf(t.db).driver, broken("`db._.session.client` being the driver's client")).toBe(backend.name);
    const rolledBack = new Error("rolled back on purpose");
    let seen: unknown[] | undefined;
    await t.db
      .transaction(async (tx) => {
        await tx.execute(sql`insert into adapter_marks (id) values (1)`);
        // Only the transaction's own connection sees the row it has not committed.
        seen = await onDriver(tx, "select id from adapter_marks");
        throw rolledBack;
      })
      .catch((error: unknown) => {
        if (error !== rolledBack) throw error;
      });
    expect(seen, broken("a transaction's session holding the transaction's connection")).toEqual([{ id: 1 }]);
    expect(rowsOf(await t.db.execute(sql`select id from adapter_marks`))).toEqual([]);
  });

  it("finds PGlite under a PGlite database's $client, and nothing under postgres.js", async () => {
    const pglite = pgliteOf(t.db);
    if (backend.name === "pglite") {
      expect(pglite, broken("`db.$client` being the PGlite given to drizzle()")).toBeDefined();
      expect((await pglite!.query<{ one: number }>("select 1 as one")).rows).toEqual([{ one: 1 }]);
    } else {
      expect(pglite).toBeUndefined();
    }
  });

  it("tells a transaction from a database by its rollback", async () => {
    expect(isDrizzleTransaction(t.db)).toBe(false);
    const inside = await t.db.transaction(async (tx) => [isDrizzleTransaction(tx), isTransaction(tx)]);
    expect(inside, broken("a Drizzle transaction having `rollback()`")).toEqual([true, true]);
  });

  it("copies binary rows in, twice in one transaction, and reports a COPY refused after its last row instead of hanging", async () => {
    const encode = (ids: number[]) => {
      const rows = new BinaryRows(copyShape(copies));
      for (const id of ids) rows.add({ id, note: `copy ${id}` });
      return rows.take();
    };
    const columns = copyShape(copies).columns;
    const copied = t.db.transaction(async (tx) => {
      const bulk = bulkSql(tx);
      expect(bulk.driver).toBe(backend.name);
      // The second COPY goes out as soon as the first one's data is on its way: the first stream's
      // end must not abort it.
      const first = await bulk.copyIn('"adapter_copies"', columns, encode([1, 2]));
      const second = await bulk.copyIn('"adapter_copies"', columns, encode([3]));
      await Promise.all([first.done, second.done]);
    });
    await settlesWithin(copied, 10_000, "postgres.js's COPY stream (_final) to tell when the data is sent");
    expect(rowsOf(await t.db.execute(sql`select id, note from adapter_copies order by id`))).toEqual([
      { id: 1, note: "copy 1" },
      { id: 2, note: "copy 2" },
      { id: 3, note: "copy 3" },
    ]);

    const refused = t.db.transaction(async (tx) => {
      const bulk = bulkSql(tx);
      await (
        await bulk.copyIn('"adapter_copies"', columns, encode([4, 1]))
      ).done;
    });
    const error = await settlesWithin(
      refused.then(
        () => undefined,
        (reason: unknown) => reason,
      ),
      10_000,
      "postgres.js's COPY stream (_final) to report a COPY refused after its last row",
    );
    // PGlite reports the duplicate id; postgres.js loses the COPY's own error, and the statement
    // sent behind it meets the aborted transaction.
    expect(sqlState(error), "a refused COPY rejects with the server's error").toBe(backend.name === "pglite" ? "23505" : "25P02");
    expect(rowsOf<{ n: number }>(await t.db.execute(sql`select count(*)::int as n from adapter_copies`))[0]?.n).toBe(3);
  });
});

describe.each(postgresBackends)("the postgres.js internals the adapter relies on, on $name", (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await backend.create();
    await t.db.execute(sql`create table adapter_kinds (id int primary key, day date not null, at timestamptz not null)`);
  });
  afterAll(() => t.drop());

  it("gives the pipelined transaction a Drizzle database on its own connection, with Drizzle's type parsers", async () => {
    const at = new Date("2026-03-04T05:06:07.089Z");
    const seen = await runTransaction(t.db, async (tx) => {
      await tx.query(statement("insert into adapter_kinds (id, day, at) values ($1, $2, $3)", 1, "2026-03-04", at.toISOString()));
      // The builder's query sees the uncommitted row: it ran on the transaction's connection.
      const rows = await tx.db.select().from(kinds);
      return { result: { rows, joined: isTransaction(tx.db) }, writes: [] };
    });
    // Without Drizzle's parsers postgres.js would hand Drizzle a Date for the date column.
    expect(seen.rows, broken("drizzle() installing its parsers into `client.options`, lent to a reserved connection")).toEqual([
      { id: 1, day: "2026-03-04", at },
    ]);
    expect(seen.joined).toBe(true);
  });

  it("lets postgres.js prepare Drizzle's parameterised queries, in and out of transactions", async () => {
    // One connection, so the catalogue read below is that connection's.
    const one = await t.openAnother(1);
    await one.db.execute(sql`select ${41}::int + 1 as adapter_contract_plain`);
    await one.db.transaction(async (tx) => tx.execute(sql`select ${1}::int as adapter_contract_in_tx`));
    const prepared = rowsOf<{ statement: string }>(
      await one.db.execute(
        sql.raw(`select statement from pg_prepared_statements where statement like '%adapter' || '_contract%' order by statement`),
      ),
    ).map((row) => /adapter_contract_\w+/.exec(row.statement)?.[0]);
    expect(prepared.sort(), broken("Drizzle running queries through `unsafe` and transactions through `begin` (preparingClient)")).toEqual([
      "adapter_contract_in_tx",
      "adapter_contract_plain",
    ]);
  });

  it("opens its connections through the socket factory it passes postgres.js", async () => {
    const sockets: net.Socket[] = [];
    const client = postgres(t.url!, { ...noDelaySocketOption((socket) => sockets.push(socket)), max: 1, onnotice: () => {} });
    try {
      expect([...(await client`select 1 as one`)]).toEqual([{ one: 1 }]);
    } finally {
      await client.end();
    }
    expect(sockets, broken("postgres.js's `socket` option (a factory of connected sockets)")).toHaveLength(1);
  });
});

describe.each(backends)("the transaction adapter on $name", (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await backend.create();
    await t.db.execute(sql`create table adapter_notes (id int primary key, note text not null)`);
  });
  afterAll(() => t.drop());

  const notes = async () => rowsOf<{ id: number; note: string }>(await t.db.execute(sql`select id, note from adapter_notes order by id`));

  it("runs statements in the order issued, fixed-text and Drizzle alike, and commits the writes with the result", async () => {
    const result = await runTransaction(t.db, async (tx) => {
      const first = tx.query(statement("insert into adapter_notes (id, note) values ($1, $2) returning id", 1, "one"));
      const second = tx.query(sql`insert into adapter_notes (id, note) values (${2}, ${"two"}) returning id`);
      // A Drizzle database on the same transaction sees what the transaction wrote so far.
      await Promise.all([first, second]);
      const seen = rowsOf<{ n: number }>(await tx.db.execute(sql`select count(*)::int as n from adapter_notes`))[0]?.n;
      return { result: seen, writes: [statement("insert into adapter_notes (id, note) values ($1, $2)", 3, "three")] };
    });
    expect(result).toBe(2);
    expect(await notes()).toEqual([
      { id: 1, note: "one" },
      { id: 2, note: "two" },
      { id: 3, note: "three" },
    ]);
  });

  it("rolls everything back when a write fails, and reports the write's own error, not 'transaction aborted'", async () => {
    const before = await notes();
    const failing = runTransaction(t.db, async (tx) => {
      await tx.query(statement("insert into adapter_notes (id, note) values ($1, $2)", 10, "ten"));
      return {
        result: "never",
        writes: [
          statement("insert into adapter_notes (id, note) values ($1, $2)", 11, "eleven"),
          statement("insert into adapter_notes (id, note) values ($1, $2)", 1, "duplicate"),
        ],
      };
    });
    const error = await failing.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(sqlState(error)).toBe("23505");
    expect(await notes()).toEqual(before);
  });

  it("rolls back when the work itself throws", async () => {
    const before = await notes();
    await expect(
      runTransaction(t.db, async (tx) => {
        await tx.query(statement("insert into adapter_notes (id, note) values ($1, $2)", 20, "twenty"));
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    expect(await notes()).toEqual(before);
  });
});

describe.each(postgresBackends)("the pipelined transaction on $name", (backend) => {
  let t: TestDatabase;
  let tap: PgTap;
  let handle: DatabaseHandle;
  beforeAll(async () => {
    t = await backend.create();
    await t.db.execute(sql`create table adapter_notes (id int primary key, note text not null)`);
    tap = await startPgTap({ host: "127.0.0.1", port: Number(new URL(t.url!).port || 5432) }, { latencyMs: 50 });
    handle = await openDatabase({ kind: "postgres", url: tap.url(t.url!), poolMax: 1 });
  });
  afterAll(async () => {
    await handle.close();
    await tap.close();
    await t.drop();
  });

  const write = (id: number) => statement("insert into adapter_notes (id, note) values ($1, $2)", id, `note ${id}`);

  it("sends BEGIN with the first statements and the writes with COMMIT: two round trips for a read and a write", async () => {
    // Prepare the statements on the connection first: a statement's first use asks for its types.
    await runTransaction(handle.db, async (tx) => ({
      result: await tx.query(statement("select count(*)::int as n from adapter_notes where id > $1", 0)),
      writes: [write(100)],
    }));
    tap.reset();
    await runTransaction(handle.db, async (tx) => ({
      result: await tx.query(statement("select count(*)::int as n from adapter_notes where id > $1", 0)),
      writes: [write(101)],
    }));
    expect(tap.counts()).toMatchObject({ flights: 2, commits: 1 });
  });

  it("gives a dead connection back to the pool neither as busy nor as usable: the next transaction runs on a fresh one", async () => {
    let armed = true;
    tap.onClient = (message) => (armed && message.text === "commit" ? ((armed = false), "cut") : "forward");
    await expect(runTransaction(handle.db, async () => ({ result: null, writes: [write(200)] }))).rejects.toThrow();
    tap.onClient = undefined;
    // The cut COMMIT never reached the server: nothing was written, and the pool reconnects.
    await runTransaction(handle.db, async () => ({ result: null, writes: [write(201)] }));
    const ids = rowsOf<{ id: number }>(await t.db.execute(sql`select id from adapter_notes where id >= 200 order by id`)).map((row) => row.id);
    expect(ids).toEqual([201]);
  });
});
