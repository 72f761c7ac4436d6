import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { accountAggregate, depositMoney, openAccount, withdrawMoney } from "@/lib/commands/accounts";
import type { Database } from "@/lib/db/client";
import { snapshots } from "@/lib/db/schema";
import { accountStreamId } from "@/lib/domain/account/decider";
import { toJsonValue } from "@/lib/domain/shared/json";
import { loadAggregate } from "@/lib/event-store/load";

import { context, meta } from "../support/commands";
import { backends, type TestDatabase } from "../support/databases";

const EVERY = 100;

describe.each(backends)("snapshots on $name", (backend) => {
  let t: TestDatabase;
  let streamId: string;
  const spec = accountAggregate(EVERY);
  const load = (schemaVersion = spec.snapshot.schemaVersion) =>
    loadAggregate(t.db, { streamId, decider: spec.decider, codec: spec.codec, snapshot: { ...spec.snapshot, schemaVersion } });

  // Tampering is done as the owner: the app's own role may not delete or rewrite snapshots.
  let owner: Database;
  beforeAll(async () => {
    t = await backend.create();
    owner = (await t.openOwner()).db;
    const ctx = context(t.db, { snapshotEvery: EVERY });
    const { accountId } = await openAccount(ctx, { customerId: "c-snap", currency: "EUR" }, meta());
    streamId = accountStreamId(accountId);
    // 1 open + 999 money commands = a stream of 1,000 events; one in ten withdraws, some refused.
    for (let i = 1; i < 1000; i++) {
      if (i % 10 === 0) await withdrawMoney(ctx, { accountId, amount: i % 20 === 0 ? 10_000_000 : 250 }, meta());
      else await depositMoney(ctx, { accountId, amount: i }, meta());
    }
  }, 240_000);
  afterAll(() => t.drop());

  it("loads a 1,000-event stream from its snapshot, replaying at most N tail events", async () => {
    const loaded = await load();
    expect(loaded.version).toBe(1000n);
    expect(loaded.snapshotPosition).toBe(1000n);
    expect(loaded.eventsReplayed).toBeLessThanOrEqual(EVERY);
  });

  it("gives the identical state after every snapshot is deleted", async () => {
    const withSnapshot = await load();
    await owner.delete(snapshots).where(sql`stream_id = ${streamId}`);
    const fromEvents = await load();
    expect(fromEvents.eventsReplayed).toBe(1000);
    expect(fromEvents.state).toEqual(withSnapshot.state);
    expect(fromEvents.version).toBe(withSnapshot.version);
  });

  it("ignores a snapshot written by an older state schema instead of trusting it", async () => {
    const truth = await load();
    // A stale-format snapshot claiming a wildly different balance, newer than any valid one.
    await t.db.insert(snapshots).values({
      streamId,
      streamPosition: 1000n,
      stateSchemaVersion: spec.snapshot.schemaVersion - 1,
      state: { status: "Active", balance: "1", reserved: "0" },
    });
    const loaded = await load();
    expect(loaded.state).toEqual(truth.state);
    expect(loaded.snapshotPosition).toBe(0n);
  });

  it("attack: a snapshot rewritten after it was written (checksum mismatch), or one beyond the stream's version, is ignored", async () => {
    const truth = await load();
    await owner.delete(snapshots).where(sql`stream_id = ${streamId}`);
    // A valid snapshot at the stream's end, then its balance rewritten in place.
    await t.db
      .insert(snapshots)
      .values({ streamId, streamPosition: 1000n, stateSchemaVersion: spec.snapshot.schemaVersion, state: toJsonValue(truth.state) })
      .onConflictDoNothing();
    expect((await load()).snapshotPosition).toBe(1000n);
    await owner.execute(
      sql`update snapshots set state = jsonb_set(state, '{balance}', '"999999999"') where stream_id = ${streamId} and stream_position = 1000`,
    );
    const tampered = await load();
    expect(tampered.snapshotPosition).toBe(0n);
    expect(tampered.state).toEqual(truth.state);

    // A snapshot claiming a position the stream never reached.
    await t.db.insert(snapshots).values({
      streamId,
      streamPosition: 5000n,
      stateSchemaVersion: spec.snapshot.schemaVersion,
      state: { ...(toJsonValue(truth.state) as object), balance: "1" },
    });
    const beyond = await load();
    expect(beyond.snapshotPosition).toBe(0n);
    expect(beyond.version).toBe(1000n);
    expect(beyond.state).toEqual(truth.state);
  });
});
