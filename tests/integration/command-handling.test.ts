import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { depositMoney, openAccount, withdrawMoney } from "@/lib/commands/accounts";
import { findAccount, readStatementPage } from "@/lib/read-models/accounts";

import { context, meta } from "../support/commands";
import { backends, type TestDatabase } from "../support/databases";

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

    expect(await findAccount(t.db, accountId)).toMatchObject({ balance: 6_950n, version: 4n, rejections: 1 });
    const { rows } = await readStatementPage(t.db, accountId, { kind: "all" }, undefined, 10);
    expect(rows.map((row) => ({ kind: row.kind, outcome: row.outcome, balanceAfter: row.balanceAfter })).reverse()).toEqual([
      { kind: "deposit", outcome: "posted", balanceAfter: 10_000n },
      { kind: "withdrawal", outcome: "posted", balanceAfter: 6_950n },
      { kind: "withdrawal", outcome: "rejected", balanceAfter: 6_950n },
    ]);
  });
});
