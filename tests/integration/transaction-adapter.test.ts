import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, openDatabase, rowsOf } from "@/lib/db/client";
import { statement } from "@/lib/db/statement";
import { runTransaction } from "@/lib/db/transaction";
import { sqlState } from "@/lib/event-store/errors";
import { backends, postgresBackends, type TestDatabase } from "../support/databases";
import { type PgTap, startPgTap } from "../support/pg-tap";

// The contract of lib/db/transaction.ts, the one place that reaches past Drizzle's query builder to
// the drivers: if a Drizzle or postgres.js upgrade breaks it, these fail before a command does.

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
        writes: [statement("insert into adapter_notes (id, note) values ($1, $2)", 11, "eleven"), statement("insert into adapter_notes (id, note) values ($1, $2)", 1, "duplicate")],
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
    await runTransaction(handle.db, async (tx) => ({ result: await tx.query(statement("select count(*)::int as n from adapter_notes where id > $1", 0)), writes: [write(100)] }));
    tap.reset();
    await runTransaction(handle.db, async (tx) => ({ result: await tx.query(statement("select count(*)::int as n from adapter_notes where id > $1", 0)), writes: [write(101)] }));
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
