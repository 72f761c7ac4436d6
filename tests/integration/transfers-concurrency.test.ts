import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import fc from "fast-check";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { depositMoney, withdrawMoney } from "@/lib/commands/accounts";
import { requestTransfer } from "@/lib/commands/transfers";
import { rowsOf } from "@/lib/db/client";
import { verifyProjections } from "@/lib/projections/rebuild";
import { postgresBackends, type TestDatabase } from "../support/databases";
import { context, meta } from "../support/commands";
import { customerWithAccount } from "../support/bank";

function startWorker(url: string, id: string): { child: ChildProcess; done: Promise<{ claimed: number; completed: number; failed: number; errors: number }> } {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "../support/transfer-worker.ts"), url, id], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += String(chunk)));
  const done = new Promise<{ claimed: number; completed: number; failed: number; errors: number }>((resolve, reject) => {
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(output.trim().split("\n").at(-1) ?? "{}")) : reject(new Error(`worker ${id} exited ${code}`))));
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
      fc.record({ from: fc.nat({ max: 9 }), hop: fc.integer({ min: 1, max: 9 }), amount: fc.integer({ min: 1, max: 150_000 }), side: fc.nat({ max: 9 }) }),
      { numRuns: 300, seed: 4242 },
    );
    const transferIds: string[] = [];
    // Ten at a time from this process, while both runners work; every third step also moves cash.
    for (let start = 0; start < plan.length; start += 10) {
      await Promise.all(
        plan.slice(start, start + 10).map(async ({ from, hop, amount, side }, offset) => {
          const source = accounts[from]!;
          const target = accounts[(from + hop) % 10]!;
          const { transferId } = await requestTransfer(ctx, { fromAccountId: source.accountId, toAccountId: target.accountId, amount }, meta(source.actor));
          transferIds.push(transferId);
          if ((start + offset) % 3 === 0) {
            const cash = accounts[side]!;
            const moved = side % 2 === 0
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
      await t.db.execute(sql`select sum(balance)::text as total, count(*) filter (where available < 0 or balance < 0)::text as negative from account_summary`),
    )[0]!;
    expect(BigInt(totals.total)).toBe(deposited - withdrawn);
    expect(totals.negative).toBe("0");
    const neverNegative = rowsOf<{ n: string }>(await t.db.execute(sql`select count(*)::text as n from statement_entries where balance_after < 0`))[0]!;
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
