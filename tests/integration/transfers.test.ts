import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { depositMoney, freezeAccount, withdrawMoney } from "@/lib/commands/accounts";
import { addSanctionsEntry, rejectHeldTransfer, releaseHeldTransfer, requestTransfer } from "@/lib/commands/transfers";
import { rowsOf } from "@/lib/db/client";
import { ValidationError } from "@/lib/domain/shared/errors";
import { driveTransfer, runDueTransfers, type FaultPoint } from "@/lib/process-managers/transfer-runner";
import { verifyProjections } from "@/lib/projections/rebuild";

import { customerWithAccount } from "../support/bank";
import { admin, context, meta } from "../support/commands";
import { crashAt } from "../support/crash";
import { backends, postgresBackends, type TestDatabase } from "../support/databases";
import { accountBalance } from "../support/queries";

describe.each(backends)("transfers on $name", (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await backend.create();
  });
  afterAll(() => t.drop());

  const ctx = () => context(t.db);
  const runner = () => ({ ctx: ctx(), runnerId: "test-runner" });

  async function view(transferId: string) {
    const rows = rowsOf<{ status: string; failure_code: string | null; failure_reason: string | null; steps: unknown }>(
      await t.db.execute(sql`select status, failure_code, failure_reason, steps from transfers_view where transfer_id = ${transferId}`),
    );
    return rows[0]!;
  }
  async function legCount(accountId: string, type: string) {
    const rows = rowsOf<{ n: string }>(
      await t.db.execute(sql`select count(*)::text as n from events where stream_id = ${`account-${accountId}`} and event_type = ${type}`),
    );
    return Number(rows[0]!.n);
  }
  async function statement(accountId: string) {
    return rowsOf<{ kind: string; outcome: string; balance_change: string; counterparty: string | null; reference: string | null }>(
      await t.db.execute(sql`select kind, outcome, balance_change::text, counterparty, reference from statement_entries
                             where account_id = ${accountId} and kind like 'transfer%' order by stream_position`),
    );
  }

  it("moves money from one customer to another in two phases, and the statements show the counterparty", async () => {
    const alice = await customerWithAccount(t.db, { name: "Alice Payer", balance: 10_000 });
    const bob = await customerWithAccount(t.db, { name: "Bob Payee" });
    const { transferId } = await requestTransfer(
      ctx(),
      { fromAccountId: alice.accountId, toAccountId: bob.accountId, amount: 2_500, reference: "Dinner" },
      meta(alice.actor),
    );
    const state = await driveTransfer(runner(), transferId);
    expect(state?.status).toBe("Completed");
    expect(await accountBalance(t.db, alice.accountId)).toBe(7_500n);
    expect(await accountBalance(t.db, bob.accountId)).toBe(2_500n);
    expect((await view(transferId)).status).toBe("completed");
    expect(await statement(alice.accountId)).toEqual([
      { kind: "transfer_out", outcome: "posted", balance_change: "-2500", counterparty: expect.stringContaining("Bob Payee"), reference: "Dinner" },
    ]);
    expect(await statement(bob.accountId)).toEqual([
      { kind: "transfer_in", outcome: "posted", balance_change: "2500", counterparty: expect.stringContaining("Alice Payer"), reference: "Dinner" },
    ]);
  });

  it("refuses different currencies and same-account transfers before anything is recorded", async () => {
    const eur = await customerWithAccount(t.db, { balance: 1_000 });
    const gbp = await customerWithAccount(t.db, { currency: "GBP" });
    await expect(
      requestTransfer(ctx(), { fromAccountId: eur.accountId, toAccountId: gbp.accountId, amount: 100 }, meta(eur.actor)),
    ).rejects.toMatchObject({
      fieldErrors: { toAccountNumber: [expect.stringContaining("one currency")] },
    });
    await expect(
      requestTransfer(ctx(), { fromAccountId: eur.accountId, toAccountId: eur.accountId, amount: 100 }, meta(eur.actor)),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      requestTransfer(ctx(), { fromAccountId: eur.accountId, toAccountNumber: "LL00 0000 0000", amount: 100 }, meta(eur.actor)),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it("fails at reserve without touching either balance when money is short", async () => {
    const payer = await customerWithAccount(t.db, { balance: 100 });
    const payee = await customerWithAccount(t.db);
    const { transferId } = await requestTransfer(
      ctx(),
      { fromAccountId: payer.accountId, toAccountId: payee.accountId, amount: 101 },
      meta(payer.actor),
    );
    expect((await driveTransfer(runner(), transferId))?.status).toBe("Failed");
    expect(await view(transferId)).toMatchObject({ status: "failed", failure_code: "INSUFFICIENT_FUNDS" });
    expect(await accountBalance(t.db, payer.accountId)).toBe(100n);
    expect(await accountBalance(t.db, payee.accountId)).toBe(0n);
  });

  it("releases the hold when the payee's account is frozen", async () => {
    const payer = await customerWithAccount(t.db, { balance: 5_000 });
    const payee = await customerWithAccount(t.db);
    await freezeAccount(ctx(), { accountId: payee.accountId, category: "legal_order", reason: "court order 17" }, meta({ actor: admin }));
    const { transferId } = await requestTransfer(
      ctx(),
      { fromAccountId: payer.accountId, toAccountId: payee.accountId, amount: 1_000 },
      meta(payer.actor),
    );
    expect((await driveTransfer(runner(), transferId))?.status).toBe("Failed");
    expect(await view(transferId)).toMatchObject({ status: "failed", failure_code: "DESTINATION_FROZEN" });
    const summary = rowsOf<{ balance: string; reserved: string }>(
      await t.db.execute(sql`select balance::text, reserved::text from account_summary where account_id = ${payer.accountId}`),
    );
    expect(summary[0]).toEqual({ balance: "5000", reserved: "0" });
    expect(await legCount(payer.accountId, "ReservationReleased")).toBe(1);
  });

  it("holds a transfer whose reference matches the sanctions list until an admin releases or rejects it", async () => {
    await addSanctionsEntry(ctx(), { name: "Acme Smuggling", reason: "test list" }, meta({ actor: admin }));
    const payer = await customerWithAccount(t.db, { balance: 5_000 });
    const payee = await customerWithAccount(t.db);
    const first = await requestTransfer(
      ctx(),
      { fromAccountId: payer.accountId, toAccountId: payee.accountId, amount: 100, reference: "for acme smuggling, inc." },
      meta(payer.actor),
    );
    const second = await requestTransfer(
      ctx(),
      { fromAccountId: payer.accountId, toAccountId: payee.accountId, amount: 200, reference: "ACME-SMUGGLING" },
      meta(payer.actor),
    );
    expect((await driveTransfer(runner(), first.transferId))?.status).toBe("Held");
    expect((await driveTransfer(runner(), second.transferId))?.status).toBe("Held");
    expect((await runDueTransfers(runner())).claimed).toBe(0);

    await releaseHeldTransfer(ctx(), { transferId: first.transferId, reason: "false positive" }, meta({ actor: admin }));
    await rejectHeldTransfer(ctx(), { transferId: second.transferId, reason: "confirmed match" }, meta({ actor: admin }));
    const report = await runDueTransfers(runner());
    expect(report).toMatchObject({ completed: 1 });
    expect((await view(first.transferId)).status).toBe("completed");
    expect(await view(second.transferId)).toMatchObject({ status: "failed", failure_code: "REJECTED_IN_REVIEW", failure_reason: "confirmed match" });
    expect(await accountBalance(t.db, payee.accountId)).toBe(100n);
  });

  const points: FaultPoint[] = [
    "after-step:screen",
    "after-leg:reserve",
    "after-step:reserve",
    "after-leg:credit",
    "after-step:credit",
    "after-leg:capture",
    "after-step:capture",
  ];
  it.each(points)("finishes a transfer whose runner died %s, applying no step twice", async (point) => {
    const payer = await customerWithAccount(t.db, { balance: 9_000 });
    const payee = await customerWithAccount(t.db);
    const { transferId } = await requestTransfer(
      ctx(),
      { fromAccountId: payer.accountId, toAccountId: payee.accountId, amount: 4_000, reference: "crash" },
      meta(payer.actor),
    );
    await crashAt(runner(), transferId, point);

    const report = await runDueTransfers({ ctx: ctx(), runnerId: "fresh-runner" });
    // After the capture is recorded the transfer is already complete: nothing is left to resume.
    expect(report.completed).toBe(point === "after-step:capture" ? 0 : 1);
    expect((await view(transferId)).status).toBe("completed");
    expect(await accountBalance(t.db, payer.accountId)).toBe(5_000n);
    expect(await accountBalance(t.db, payee.accountId)).toBe(4_000n);
    expect(await legCount(payer.accountId, "FundsReserved")).toBe(1);
    expect(await legCount(payer.accountId, "ReservationCaptured")).toBe(1);
    expect(await legCount(payee.accountId, "TransferCredited")).toBe(1);
    expect(await statement(payer.accountId)).toHaveLength(1);
    expect(await statement(payee.accountId)).toHaveLength(1);
  });

  it("keeps every read model equal to a replay of the events", async () => {
    expect((await verifyProjections(t.db)).differences).toEqual([]);
  });
});

// Real Postgres only (PGlite is one connection per process); it lives here so this file always has tests.
function startWorker(
  url: string,
  id: string,
): { child: ChildProcess; done: Promise<{ claimed: number; completed: number; failed: number; errors: number }> } {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "../support/transfer-worker.ts"), url, id], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += String(chunk)));
  const done = new Promise<{ claimed: number; completed: number; failed: number; errors: number }>((resolve, reject) => {
    child.on("exit", (code) =>
      code === 0 ? resolve(JSON.parse(output.trim().split("\n").at(-1) ?? "{}")) : reject(new Error(`worker ${id} exited ${code}`)),
    );
  });
  return { child, done };
}

describe.each(postgresBackends)("300 concurrent transfers with two runner processes on $name", (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await backend.create();
  });
  afterAll(() => t.drop());

  it("conserves money, never overdraws, and ends every transfer; the read models match the events", async () => {
    const ctx = context(t.db, { snapshotEvery: 20 });
    const accounts: Awaited<ReturnType<typeof customerWithAccount>>[] = [];
    for (let i = 0; i < 10; i++) accounts.push(await customerWithAccount(t.db, { name: `Holder ${i}`, balance: 500_000 }));
    let deposited = 10n * 500_000n;
    let withdrawn = 0n;

    const workers = [startWorker(t.url!, "runner-a"), startWorker(t.url!, "runner-b")];
    const plan = fc.sample(
      fc.record({
        from: fc.nat({ max: 9 }),
        hop: fc.integer({ min: 1, max: 9 }),
        amount: fc.integer({ min: 1, max: 150_000 }),
        side: fc.nat({ max: 9 }),
      }),
      { numRuns: 300, seed: 4242 },
    );
    const transferIds: string[] = [];
    // Ten at a time from this process, while both runners work; every third step also moves cash.
    for (let start = 0; start < plan.length; start += 10) {
      await Promise.all(
        plan.slice(start, start + 10).map(async ({ from, hop, amount, side }, offset) => {
          const source = accounts[from]!;
          const target = accounts[(from + hop) % 10]!;
          const { transferId } = await requestTransfer(
            ctx,
            { fromAccountId: source.accountId, toAccountId: target.accountId, amount },
            meta(source.actor),
          );
          transferIds.push(transferId);
          if ((start + offset) % 3 === 0) {
            const cash = accounts[side]!;
            const moved =
              side % 2 === 0
                ? await depositMoney(ctx, { accountId: cash.accountId, amount: 10_000 }, meta(cash.actor))
                : await withdrawMoney(ctx, { accountId: cash.accountId, amount: 20_000 }, meta(cash.actor));
            if (moved.outcome === "accepted") {
              if (side % 2 === 0) deposited += 10_000n;
              else withdrawn += 20_000n;
            }
          }
        }),
      );
    }
    for (const worker of workers) worker.child.stdin?.end("drain\n");
    const reports = await Promise.all(workers.map((worker) => worker.done));

    expect(transferIds).toHaveLength(300);
    expect(reports.every((report) => report.claimed > 0)).toBe(true);
    expect(reports.reduce((sum, report) => sum + report.errors, 0)).toBe(0);

    const totals = rowsOf<{ total: string; negative: string }>(
      await t.db.execute(
        sql`select sum(balance)::text as total, count(*) filter (where available < 0 or balance < 0)::text as negative from account_summary`,
      ),
    )[0]!;
    expect(BigInt(totals.total)).toBe(deposited - withdrawn);
    expect(totals.negative).toBe("0");
    const neverNegative = rowsOf<{ n: string }>(
      await t.db.execute(sql`select count(*)::text as n from statement_entries where balance_after < 0`),
    )[0]!;
    expect(neverNegative.n).toBe("0");

    const statuses = rowsOf<{ status: string; n: string }>(
      await t.db.execute(sql`select status, count(*)::text as n from transfers_view group by status order by status`),
    );
    expect(statuses.every((row) => row.status === "completed" || row.status === "failed")).toBe(true);
    expect(statuses.reduce((sum, row) => sum + Number(row.n), 0)).toBe(300);
    expect(statuses.find((row) => row.status === "completed")).toBeDefined();
    const queue = rowsOf<{ n: string }>(await t.db.execute(sql`select count(*)::text as n from transfer_work`))[0]!;
    expect(queue.n).toBe("0");

    // No leg ran twice: one hold, and at most one capture and one credit, per transfer.
    const doubled = rowsOf<{ n: string }>(
      await t.db.execute(sql`select count(*)::text as n from (
        select data->>'transferId' as transfer_id, event_type from events
        where event_type in ('FundsReserved', 'ReservationCaptured', 'TransferCredited', 'ReservationReleased')
        group by 1, 2 having count(*) > 1) d`),
    )[0]!;
    expect(doubled.n).toBe("0");

    expect((await verifyProjections(t.db)).differences).toEqual([]);
  }, 300_000);
});
