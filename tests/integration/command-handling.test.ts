import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { depositMoney, openAccount, withdrawMoney } from "@/lib/commands/accounts";
import { rowsOf } from "@/lib/db/client";
import { backends, type TestDatabase } from "../support/databases";
import { context, meta } from "../support/commands";

describe.each(backends)("command handling on $name", (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await backend.create();
  });
  afterAll(() => t.drop());

  it("opens an account, deposits, withdraws and refuses an overdraft, with the summary in step", async () => {
    const ctx = context(t.db);
    const opened = await openAccount(ctx, { customerId: "c1", currency: "EUR" }, meta());
    const { accountId } = opened;
    await depositMoney(ctx, { accountId, amount: 10_000 }, meta());
    await withdrawMoney(ctx, { accountId, amount: "3050" }, meta());
    const refused = await withdrawMoney(ctx, { accountId, amount: 100_000 }, meta());
    expect(refused.outcome).toBe("rejected");
    expect(refused.event.event).toMatchObject({ type: "WithdrawalRejected", data: { code: "INSUFFICIENT_FUNDS", available: 6950n } });

    const summary = rowsOf<{ balance: string; version: string; rejections: number }>(
      await t.db.execute(sql`select balance::text, version::text, rejections from account_summary where account_id = ${accountId}`),
    );
    expect(summary[0]).toEqual({ balance: "6950", version: "4", rejections: 1 });
    const statement = rowsOf<{ kind: string; outcome: string; balance_after: string }>(
      await t.db.execute(sql`select kind, outcome, balance_after::text from statement_entries where account_id = ${accountId} order by stream_position`),
    );
    expect(statement).toEqual([
      { kind: "deposit", outcome: "posted", balance_after: "10000" },
      { kind: "withdrawal", outcome: "posted", balance_after: "6950" },
      { kind: "withdrawal", outcome: "rejected", balance_after: "6950" },
    ]);
  });
});
