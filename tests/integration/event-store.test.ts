import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";

import { defineEventCodec } from "@/lib/domain/shared/codec";
import { appendToStream } from "@/lib/event-store/append";
import { ConcurrencyError } from "@/lib/event-store/errors";
import { readAll, readStream, START_OF_LOG } from "@/lib/event-store/read";
import type { EventMetadata } from "@/lib/event-store/types";

import { backends, postgresBackends, type TestDatabase } from "../support/databases";

const metadata: EventMetadata = { actorId: "tester", actorRole: "system", commandId: null, correlationId: null, causationId: null, origin: "test" };
const note = (text: string) => ({ type: "NoteTaken", schemaVersion: 1, data: { text } });

describe.each(backends)("event store on $name", (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await backend.create();
  });
  afterAll(() => t.drop());

  it("appends with an expected version and reads a stream from a position", async () => {
    await t.db.transaction((tx) =>
      appendToStream(tx, { streamId: "s-read", streamType: "note", expectedVersion: 0n, events: [note("a"), note("b")], metadata }),
    );
    await t.db.transaction((tx) =>
      appendToStream(tx, { streamId: "s-read", streamType: "note", expectedVersion: 2n, events: [note("c")], metadata }),
    );
    const all = await readStream(t.db, "s-read");
    expect(all.map((e) => [e.streamPosition, (e.data as { text: string }).text])).toEqual([
      [1n, "a"],
      [2n, "b"],
      [3n, "c"],
    ]);
    const tail = await readStream(t.db, "s-read", { after: 1n });
    expect(tail.map((e) => e.streamPosition)).toEqual([2n, 3n]);
    expect(all[0]?.metadata).toEqual(metadata);
  });

  it("lets exactly one of two appends with the same expected version win; the other learns both versions", async () => {
    await t.db.transaction((tx) =>
      appendToStream(tx, { streamId: "s-race", streamType: "note", expectedVersion: 0n, events: [note("first")], metadata }),
    );
    const other = backend.name === "postgres" ? (await t.openAnother()).db : t.db;
    const results = await Promise.allSettled([
      t.db.transaction((tx) => appendToStream(tx, { streamId: "s-race", streamType: "note", expectedVersion: 1n, events: [note("x")], metadata })),
      other.transaction((tx) => appendToStream(tx, { streamId: "s-race", streamType: "note", expectedVersion: 1n, events: [note("y")], metadata })),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const failure = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(failure.reason).toBeInstanceOf(ConcurrencyError);
    expect(failure.reason).toMatchObject({ expected: 1n, actual: 2n, streamId: "s-race" });
    expect(await readStream(t.db, "s-race")).toHaveLength(2);
  });

  it("refuses to create a stream that already exists", async () => {
    await t.db.transaction((tx) => appendToStream(tx, { streamId: "s-new", streamType: "note", expectedVersion: 0n, events: [note("a")], metadata }));
    await expect(
      t.db.transaction((tx) => appendToStream(tx, { streamId: "s-new", streamType: "note", expectedVersion: 0n, events: [note("b")], metadata })),
    ).rejects.toMatchObject({ expected: 0n, actual: 1n });
  });

  it("has the database refuse UPDATE, DELETE and TRUNCATE on events", async () => {
    await t.db.transaction((tx) =>
      appendToStream(tx, { streamId: "s-facts", streamType: "note", expectedVersion: 0n, events: [note("keep")], metadata }),
    );
    await expect(t.db.execute(sql`update events set data = '{"text":"changed"}' where stream_id = 's-facts'`)).rejects.toThrow();
    await expect(t.db.execute(sql`delete from events where stream_id = 's-facts'`)).rejects.toThrow();
    await expect(t.db.execute(sql`truncate events`)).rejects.toThrow();
    const [event] = await readStream(t.db, "s-facts");
    expect(event?.data).toEqual({ text: "keep" });
  });

  it("reads the global log in commit-safe order from a checkpoint", async () => {
    const first = await readAll(t.db, START_OF_LOG, 2);
    expect(first.events).toHaveLength(2);
    const rest = await readAll(t.db, first.checkpoint, 10_000);
    const everything = await readAll(t.db, START_OF_LOG, 10_000);
    expect([...first.events, ...rest.events].map((e) => e.eventId)).toEqual(everything.events.map((e) => e.eventId));
  });

  it("reads old event shapes through upcasters", async () => {
    // Version 1 of NoteTaken stored `text`; version 2 calls it `body` and adds `pinned`.
    await t.db.transaction((tx) =>
      appendToStream(tx, { streamId: "s-upcast", streamType: "note", expectedVersion: 0n, events: [note("old shape")], metadata }),
    );
    const codec = defineEventCodec<{ type: "NoteTaken"; data: { body: string; pinned: boolean } }>({
      NoteTaken: {
        version: 2,
        schema: z.object({ body: z.string(), pinned: z.boolean() }),
        upcasters: { 1: (data) => ({ body: (data as { text: string }).text, pinned: false }) },
      },
    });
    const [raw] = await readStream(t.db, "s-upcast");
    expect(raw?.schemaVersion).toBe(1);
    expect(codec.decode(raw!.type, raw!.schemaVersion, raw!.data)).toEqual({ type: "NoteTaken", data: { body: "old shape", pinned: false } });
    expect(codec.encode({ type: "NoteTaken", data: { body: "new", pinned: true } }).schemaVersion).toBe(2);
  });
});

describe.each(postgresBackends)("global reader on $name with overlapping transactions", (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await backend.create();
  });
  afterAll(() => t.drop());

  it("never skips an event whose transaction started earlier and committed later than its neighbours", async () => {
    const slowDb = (await t.openAnother(1)).db;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let slowAppended!: () => void;
    const slowHasAppended = new Promise<void>((resolve) => (slowAppended = resolve));

    // The slow transaction takes its global position first, then stays open.
    const slow = slowDb.transaction(async (tx) => {
      await appendToStream(tx, { streamId: "slow", streamType: "note", expectedVersion: 0n, events: [note("slow")], metadata });
      slowAppended();
      await gate;
    });
    await slowHasAppended;
    // A later transaction appends and commits while the slow one is still open.
    await t.db.transaction((tx) =>
      appendToStream(tx, { streamId: "fast", streamType: "note", expectedVersion: 0n, events: [note("fast")], metadata }),
    );

    const whileOpen = await readAll(t.db, START_OF_LOG);
    expect(whileOpen.events.map((e) => e.streamId)).toEqual([]);

    release();
    await slow;
    // xmin is cluster-wide: a transaction open in any database (other test files share this
    // server) holds the reader back, which is correct; wait until the horizon passes both.
    let afterCommit = await readAll(t.db, whileOpen.checkpoint);
    for (let waited = 0; afterCommit.events.length < 2 && waited < 20_000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      afterCommit = await readAll(t.db, whileOpen.checkpoint);
    }
    expect(afterCommit.events.map((e) => e.streamId)).toEqual(["slow", "fast"]);
    const slowEvent = afterCommit.events[0]!;
    const fastEvent = afterCommit.events[1]!;
    // The slow event has the lower position but committed last: ordering by position alone would
    // have passed it while it was invisible.
    expect(slowEvent.globalPosition < fastEvent.globalPosition).toBe(true);
  });
});
