import { randomUUID } from "node:crypto";

import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { depositMoney } from "@/lib/commands/accounts";
import { requestTransfer } from "@/lib/commands/transfers";
import { openDatabase, rowsOf } from "@/lib/db/client";
import { transfersView } from "@/lib/db/schema";
import { appendToStream, currentVersion } from "@/lib/event-store/append";
import { metrics } from "@/lib/observability/metrics";
import { checkReadiness } from "@/lib/observability/readiness";
import { refreshDatabaseGauges } from "@/lib/observability/scrape";

import { customerWithAccount } from "../support/bank";
import { context, meta } from "../support/commands";
import { backends, type TestDatabase } from "../support/databases";

const counter = async (name: string, labels: Record<string, string>) => {
  const metric = await metrics().registry.getSingleMetric(name)?.get();
  const match = metric?.values.find((value) => Object.entries(labels).every(([key, wanted]) => value.labels[key] === wanted));
  return match?.value ?? 0;
};

describe.each(backends)("observability on $name", (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await backend.create();
  });
  afterAll(() => t.drop());

  const readiness = () => checkReadiness(async () => ({ db: t.db }), { timeoutMs: 5_000, stuckAfterSeconds: 60 });

  it("stores the caller's correlation id in the events' metadata and the audit log", async () => {
    const { accountId, actor } = await customerWithAccount(t.db);
    const correlationId = `corr-${randomUUID()}`;
    const commandId = randomUUID();
    await depositMoney(context(t.db), { accountId, amount: 500 }, meta({ ...actor, commandId, correlationId, requestId: "req-0000001" }));
    const [event] = rowsOf<{ metadata: Record<string, unknown> }>(
      await t.db.execute(sql`select metadata from events where stream_id = ${`account-${accountId}`} and event_type = 'MoneyDeposited'`),
    );
    expect(event?.metadata).toMatchObject({ correlationId, commandId, actorId: actor.actor.id });
    // The request id is for logs; events keep the correlation id only.
    expect(JSON.stringify(event?.metadata)).not.toContain("req-0000001");
    const [audit] = rowsOf<{ correlation_id: string }>(
      await t.db.execute(sql`select correlation_id from audit_log where stream_id = ${`account-${accountId}`} and event_type = 'MoneyDeposited'`),
    );
    expect(audit?.correlation_id).toBe(correlationId);
  });

  it("counts and times each command by type and outcome", async () => {
    const { accountId, actor } = await customerWithAccount(t.db, { balance: 1_000 });
    const accepted = await counter("ledgerline_commands_total", { command_type: "WithdrawMoney", outcome: "accepted" });
    const rejected = await counter("ledgerline_commands_total", { command_type: "WithdrawMoney", outcome: "rejected" });
    const replayed = await counter("ledgerline_commands_total", { command_type: "WithdrawMoney", outcome: "replayed" });
    const commandId = randomUUID();
    await depositMoney(context(t.db), { accountId, amount: 1 }, meta(actor)); // another type: not counted below
    const { withdrawMoney } = await import("@/lib/commands/accounts");
    await withdrawMoney(context(t.db), { accountId, amount: 100 }, meta({ ...actor, commandId }));
    await withdrawMoney(context(t.db), { accountId, amount: 100 }, meta({ ...actor, commandId }));
    await withdrawMoney(context(t.db), { accountId, amount: 1_000_000 }, meta(actor));
    expect(await counter("ledgerline_commands_total", { command_type: "WithdrawMoney", outcome: "accepted" })).toBe(accepted + 1);
    expect(await counter("ledgerline_commands_total", { command_type: "WithdrawMoney", outcome: "replayed" })).toBe(replayed + 1);
    expect(await counter("ledgerline_commands_total", { command_type: "WithdrawMoney", outcome: "rejected" })).toBe(rejected + 1);
  });

  it("is ready when migrated and caught up, and not ready when an event has no read-model rows", async () => {
    const ok = (await readiness()).readiness;
    expect(ok).toMatchObject({ status: "ready", checks: { migrations: { ok: true }, projections: { ok: true, eventsBehind: 0 } } });

    // An event appended without its inline projections (a bug, or a hand-made insert) is a lag.
    const streamId = `observability-${randomUUID()}`;
    await t.db.transaction(async (tx) => {
      await appendToStream(tx, {
        streamId,
        streamType: "observability",
        expectedVersion: await currentVersion(tx, streamId),
        events: [{ type: "Probe", schemaVersion: 1, data: {} }],
        metadata: { actorId: "test", actorRole: "system", commandId: null, correlationId: null, causationId: null, origin: "test" },
      });
    });
    const behind = (await readiness()).readiness;
    expect(behind).toMatchObject({ status: "not-ready", checks: { database: { ok: true }, projections: { ok: false, eventsBehind: 1 } } });
  });

  it("counts unfinished transfers that stopped moving, without failing readiness for them", async () => {
    const alice = await customerWithAccount(t.db, { balance: 5_000 });
    const bob = await customerWithAccount(t.db);
    const { transferId } = await requestTransfer(
      context(t.db),
      { fromAccountId: alice.accountId, toAccountId: bob.accountId, amount: 100 },
      meta(alice.actor),
    );
    await t.db
      .update(transfersView)
      .set({ updatedAt: new Date(Date.now() - 3_600_000) })
      .where(eq(transfersView.transferId, transferId));
    const { readiness: answer } = await readiness();
    expect(answer.checks.transfers).toEqual({ stuck: 1, stuckAfterSeconds: 60 });

    await refreshDatabaseGauges({ db: t.db, kind: t.handle.kind, poolMax: t.handle.poolMax, applicationName: t.handle.applicationName });
    expect(await counter("ledgerline_transfers", { status: "requested" })).toBe(1);
    expect(await counter("ledgerline_transfer_oldest_unfinished_seconds", {})).toBeGreaterThanOrEqual(3_590);
    expect(await counter("ledgerline_db_up", {})).toBe(1);
  });
});

describe("readiness before migrations", () => {
  it("reports the database reachable but the migrations missing", async () => {
    const handle = await openDatabase({ kind: "pglite", dataDir: "memory" });
    try {
      const { readiness } = await checkReadiness(async () => handle, { timeoutMs: 5_000, stuckAfterSeconds: 60 });
      expect(readiness).toMatchObject({ status: "not-ready", checks: { database: { ok: true }, migrations: { ok: false } } });
    } finally {
      await handle.close();
    }
  });

  it("answers not-ready within its timeout when the database does not answer", async () => {
    const started = Date.now();
    const { readiness } = await checkReadiness(() => new Promise(() => {}), { timeoutMs: 300, stuckAfterSeconds: 60 });
    expect(readiness).toEqual({ status: "not-ready", checks: { database: { ok: false, error: "timeout" } } });
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
