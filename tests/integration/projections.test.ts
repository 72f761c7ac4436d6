import { asc, sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  closeAccount,
  depositMoney,
  freezeAccount,
  openAccount,
  unfreezeAccount,
  withdrawMoney,
} from "@/lib/commands/accounts";
import type { Database } from "@/lib/db/client";
import { accountSummary, auditLog, statementEntries } from "@/lib/db/schema";
import { rebuildProjections, verifyProjections } from "@/lib/projections/rebuild";
import { backends, type TestDatabase } from "../support/databases";
import { admin, context, meta } from "../support/commands";

async function liveTables(db: Database) {
  return {
    summary: await db.select().from(accountSummary).orderBy(asc(accountSummary.accountId)),
    statement: await db.select().from(statementEntries).orderBy(asc(statementEntries.globalPosition)),
    audit: await db.select().from(auditLog).orderBy(asc(auditLog.globalPosition)),
  };
}

describe.each(backends)("projections on $name", (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await backend.create();
    const ctx = context(t.db);
    const accounts: string[] = [];
    for (let i = 0; i < 20; i++) {
      const { accountId } = await openAccount(ctx, { customerId: `c${i % 7}`, currency: i % 3 === 0 ? "USD" : "EUR", nickname: `Acc ${i}` }, meta());
      accounts.push(accountId);
    }
    // 500 random commands, seeded so a failure can be replayed.
    const commands = fc.sample(
      fc.record({ account: fc.nat({ max: 19 }), kind: fc.nat({ max: 99 }), amount: fc.integer({ min: 1, max: 50_000 }) }),
      { numRuns: 500, seed: 20261123 },
    );
    for (const { account, kind, amount } of commands) {
      const accountId = accounts[account]!;
      const input = { accountId, amount, reference: `ref ${kind}` };
      if (kind < 45) await depositMoney(ctx, input, meta());
      else if (kind < 85) await withdrawMoney(ctx, input, meta());
      else if (kind < 91) await freezeAccount(ctx, { accountId, category: "compliance_review", reason: "check" }, meta({ actor: admin }));
      else if (kind < 98) await unfreezeAccount(ctx, { accountId, reason: "cleared" }, meta({ actor: admin }));
      else await closeAccount(ctx, { accountId, reason: "customer asked" }, meta({ actor: admin }));
    }
  }, 240_000);
  afterAll(() => t.drop());

  it("finds no difference between the live tables and a replay of the events", async () => {
    const report = await verifyProjections(t.db);
    expect(report.events).toBe(520);
    expect(report.differences).toEqual([]);
    expect(report.rows.audit_log).toBe(520);
  });

  it("reproduces the live tables exactly when rebuilt", async () => {
    const before = await liveTables(t.db);
    expect(before.statement.length).toBeGreaterThan(100);
    const report = await rebuildProjections(t.db);
    expect(report.events).toBe(520);
    expect(await liveTables(t.db)).toEqual(before);
  });

  it("reports a tampered read model, and a rebuild repairs it", async () => {
    await t.db.execute(sql`update account_summary set balance = balance + 1 where account_id = (select min(account_id) from account_summary)`);
    await t.db.execute(sql`delete from statement_entries where global_position = (select max(global_position) from statement_entries)`);
    const report = await verifyProjections(t.db);
    expect(report.differences.map((d) => [d.table, d.kind]).sort()).toEqual([
      ["account_summary", "different"],
      ["statement_entries", "missing"],
    ]);
    await rebuildProjections(t.db);
    expect((await verifyProjections(t.db)).differences).toEqual([]);
  });
});
