import { asc, sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { closeAccount, depositMoney, freezeAccount, openAccount, unfreezeAccount, withdrawMoney } from "@/lib/commands/accounts";
import { rowsOf, type Database } from "@/lib/db/client";
import { accountSummary, auditLog, statementEntries } from "@/lib/db/schema";
import { BinaryRows, bulkSql, copyShape } from "@/lib/projections/bulk";
import { rebuildProjections, verifyProjections } from "@/lib/projections/rebuild";

import { admin, context, meta } from "../support/commands";
import { backends, postgresBackends, type TestDatabase } from "../support/databases";

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
    const commands = fc.sample(fc.record({ account: fc.nat({ max: 19 }), kind: fc.nat({ max: 99 }), amount: fc.integer({ min: 1, max: 50_000 }) }), {
      numRuns: 500,
      seed: 20261123,
    });
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

  it("shows each planted difference with the live row and the row the events imply", async () => {
    const [account] = rowsOf<{ account_id: string; balance: string }>(
      await t.db.execute(sql`select account_id, balance::text from account_summary order by account_id limit 1`),
    );
    const [audit] = rowsOf<{ global_position: string }>(await t.db.execute(sql`select max(global_position)::text as global_position from audit_log`));
    await t.db.execute(sql`update account_summary set status = 'Closed' where account_id = ${account!.account_id}`);
    await t.db
      .execute(sql`insert into audit_log select global_position + 1000000, event_id, stream_id, stream_position, event_type, outcome, actor_id,
      actor_role, command_id, correlation_id, account_id, customer_id, 'planted', reason, changes, recorded_at from audit_log where global_position = ${audit!.global_position}::bigint`);
    const { differences } = await verifyProjections(t.db);
    expect(differences).toHaveLength(2);
    const changed = differences.find((d) => d.table === "account_summary");
    expect(changed).toMatchObject({ key: account!.account_id, kind: "different", live: { status: "Closed", balance: account!.balance } });
    expect((changed?.expected as { status: string }).status).not.toBe("Closed");
    expect(differences.find((d) => d.table === "audit_log")).toMatchObject({
      key: String(BigInt(audit!.global_position) + 1_000_000n),
      kind: "unexpected",
      live: { summary: "planted" },
    });
    await rebuildProjections(t.db);
    expect((await verifyProjections(t.db)).differences).toEqual([]);
  });

  it("bulk-loads any value a row can hold: text beyond ASCII, amounts beyond 2^53, negative and old times", async () => {
    const row = {
      accountId: "acc-ünïcødé",
      streamPosition: 9_007_199_254_740_993n,
      globalPosition: -9_007_199_254_740_993n,
      eventId: "6F9619FF-8B86-D011-B42D-00C04FC964FF",
      kind: "deposit",
      outcome: "posted",
      amount: 4_611_686_018_427_387_904n,
      balanceChange: -1n,
      balanceAfter: 0n,
      currency: "EUR",
      reference: "Café – 💶 rent, tab\there, \\ back\nslash",
      counterparty: null,
      transferId: null,
      rejectionCode: null,
      recordedAt: new Date("1969-07-20T20:17:40.123Z"),
    };
    const back = await t.db.transaction(async (tx) => {
      const bulk = bulkSql(tx);
      await bulk.run("create temporary table bulk_check (like statement_entries) on commit drop");
      const rows = new BinaryRows(copyShape(statementEntries));
      rows.add(row);
      await (
        await bulk.copyIn('"bulk_check"', rows.shape.columns, rows.take())
      ).done;
      const [raw] = await bulk.rows(`select ${rows.shape.columns.map((c) => `"${c}"`).join(", ")} from bulk_check`);
      return rows.shape.fromRaw(raw!);
    });
    expect(back).toEqual({ ...row, eventId: row.eventId.toLowerCase() });
  });

  it("fails, rather than hangs, when the server refuses a bulk load, and leaves nothing behind", async () => {
    const before = await liveTables(t.db);
    const refused = t.db.transaction(async (tx) => {
      const bulk = bulkSql(tx);
      await bulk.run("create temporary table bulk_refused (like statement_entries) on commit drop");
      const rows = new BinaryRows(copyShape(statementEntries));
      // account_id is NOT NULL: the server refuses the row while reading the COPY's data.
      rows.add({ ...(before.statement[0] as Record<string, unknown>), accountId: null });
      await (
        await bulk.copyIn('"bulk_refused"', rows.shape.columns, rows.take())
      ).done;
    });
    await expect(refused).rejects.toThrow();
    expect(await liveTables(t.db)).toEqual(before);
  });

  it("keeps every index and constraint name, owner and grant through two rebuilds in a row", async () => {
    const before = await catalogOf(t.db);
    // What migrations made (later migrations refer to these names).
    expect(before.account_summary.indexes.map((i) => i.name)).toEqual([
      "account_summary_customer_idx",
      "account_summary_number_idx",
      "account_summary_pkey",
    ]);
    expect(before.statement_entries.constraints.map((c) => c.name)).toContain("statement_entries_account_id_stream_position_pk");
    expect(before.audit_log.indexes.map((i) => i.name)).toEqual([
      "audit_log_account_idx",
      "audit_log_actor_idx",
      "audit_log_customer_idx",
      "audit_log_pkey",
      "audit_log_recorded_idx",
      "audit_log_type_idx",
    ]);
    const role = `ll_reader_${process.pid}_${Date.now() % 100_000}`;
    // Creating roles and giving a table away take the owner's rights; with split roles this is also
    // the CLI rebuilding as the owner while the app's role owns the projections (decision 0023).
    const owner = (await t.openOwner()).db;
    await owner.execute(sql.raw(`create role ${role}`));
    try {
      await owner.execute(sql.raw(`grant select on account_summary, statement_entries to ${role}`));
      await owner.execute(sql.raw(`grant select, insert on audit_log to ${role} with grant option`));
      await owner.execute(sql.raw(`comment on table transfers_view is 'where each transfer stands'`));
      // A table owned by another role than the one rebuilding stays that role's.
      await owner.execute(sql.raw(`alter table sanctions_entries owner to ${role}`));
      const granted = await catalogOf(t.db);
      expect(granted.audit_log.acl).toContain(`${role}=a*r*/`);
      expect(granted.sanctions_entries.owner).toBe(role);
      const first = await rebuildProjections(owner);
      expect(await catalogOf(t.db)).toEqual(granted);
      const second = await rebuildProjections(owner);
      expect(second.rows).toEqual(first.rows);
      expect(await catalogOf(t.db)).toEqual(granted);
      expect((await verifyProjections(owner)).differences).toEqual([]);
    } finally {
      await owner.execute(sql.raw(`alter table sanctions_entries owner to ${before.sanctions_entries.owner}`));
      await owner.execute(sql.raw(`revoke all on account_summary, statement_entries, audit_log from ${role}`));
      await owner.execute(sql.raw(`drop role ${role}`));
    }
  });
});

/** Indexes, constraints, owner, privileges and comment of each projection table, as the catalog has them. */
const PROJECTIONS = ["account_summary", "statement_entries", "audit_log", "transfers_view", "sanctions_entries"] as const;
type Catalog = {
  indexes: { name: string; definition: string }[];
  constraints: { name: string; definition: string }[];
  owner: string;
  acl: string;
  comment: string | null;
};

async function catalogOf(db: Database): Promise<Record<(typeof PROJECTIONS)[number], Catalog>> {
  const out = {} as Record<(typeof PROJECTIONS)[number], Catalog>;
  for (const table of PROJECTIONS) {
    const indexes = rowsOf<{ name: string; definition: string }>(
      await db.execute(sql`select indexname as name, indexdef as definition from pg_indexes where tablename = ${table} order by indexname`),
    );
    const constraints = rowsOf<{ name: string; definition: string }>(
      await db.execute(sql`select conname as name, contype::text || ' ' || pg_get_constraintdef(oid) as definition from pg_constraint
                            where conrelid = ${table}::regclass order by conname`),
    );
    const [meta] = rowsOf<{ owner: string; acl: string | null; comment: string | null }>(
      // No ACL means the owner's default one: compared as that, so an owner holding exactly its
      // defaults explicitly (what default privileges leave after a rebuild as the owner) is the same.
      await db.execute(sql`select pg_get_userbyid(relowner) as owner, coalesce(relacl, acldefault('r', relowner))::text as acl, obj_description(oid, 'pg_class') as comment
                             from pg_class where oid = ${table}::regclass`),
    );
    out[table] = { indexes, constraints, owner: meta!.owner, acl: meta!.acl ?? "", comment: meta!.comment };
  }
  return out;
}

describe.each(postgresBackends)("a rebuild while commands keep writing, on $name", (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await backend.create();
  }, 60_000);
  afterAll(() => t.drop());

  it("loses none of their effects: the rows after it are what the events imply", async () => {
    const writer = await t.openAnother(4);
    const ctx = context(t.db);
    const writing = context(writer.db);
    const accounts: string[] = [];
    for (let i = 0; i < 8; i++) accounts.push((await openAccount(ctx, { customerId: `w${i}`, currency: "EUR" }, meta())).accountId);
    for (let i = 0; i < 400; i++) await depositMoney(ctx, { accountId: accounts[i % 8]!, amount: 100 + i, reference: null }, meta());
    let deposits = 400;
    const deposit = async () => {
      const n = deposits++;
      await depositMoney(writing, { accountId: accounts[n % 8]!, amount: 1 + (n % 97), reference: `during ${n}` }, meta());
    };
    let stop = false;
    let background: Promise<void> | undefined;
    const phases: string[] = [];
    const report = await rebuildProjections(t.db, {
      async onProgress({ phase }) {
        if (!phase || phases.at(-1) === phase) return;
        phases.push(phase);
        // Committed while the tables are built: only the catch-up can bring these in.
        if (phase === "replay" || phase === "indexes") for (let i = 0; i < 25; i++) await deposit();
        if (phase === "swap") {
          // Committed after the catch-up, before the lock: applied under it.
          for (let i = 0; i < 10; i++) await deposit();
          // And writers that keep going: they wait for the swap and write into the new tables.
          background = (async () => {
            while (!stop) await Promise.all([deposit(), deposit()]);
          })();
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      },
    });
    stop = true;
    await background;
    expect(phases).toEqual(["replay", "indexes", "catch-up", "swap"]);
    expect(report.caughtUp).toBeGreaterThanOrEqual(60);

    const { differences, rows } = await verifyProjections(t.db);
    expect(differences).toEqual([]);
    expect(rows.statement_entries).toBe(deposits);
    expect(rows.audit_log).toBe(deposits + 8);
    const [sum] = rowsOf<{ entries: string; balances: string; amounts: string }>(
      await t.db.execute(sql`select (select count(*) from statement_entries)::text as entries,
                                    (select sum(balance) from account_summary)::text as balances,
                                    (select sum((data->>'amount')::bigint) from events where event_type = 'MoneyDeposited')::text as amounts`),
    );
    expect(Number(sum!.entries)).toBe(deposits);
    expect(sum!.balances).toBe(sum!.amounts);
  }, 120_000);

  it("waits out a reader that holds a projection table past the lock timeout, and then swaps", async () => {
    const reader = await t.openAnother(1);
    const ctx = context(t.db);
    const { accountId } = await openAccount(ctx, { customerId: "reader", currency: "EUR" }, meta());
    await depositMoney(ctx, { accountId, amount: 250, reference: "before the reader" }, meta());
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    // A long report over the audit log: its share lock keeps the swap's exclusive lock out.
    const reading = reader.db.transaction(async (tx) => {
      await tx.execute(sql`select count(*) from audit_log`);
      holding();
      await released;
    });
    await held;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const report = await rebuildProjections(t.db, {
      onProgress({ phase }) {
        // Long enough for the swap to give up on its lock twice, catch up and try again.
        if (phase === "swap") timer = setTimeout(release, 1_500);
      },
    });
    clearTimeout(timer);
    await reading;
    const swap = report.phases.find((phase) => phase.phase === "lock");
    expect(swap?.ms).toBeGreaterThanOrEqual(1_000);
    const { differences } = await verifyProjections(t.db);
    expect(differences).toEqual([]);
    const [row] = rowsOf<{ balance: string }>(await t.db.execute(sql`select balance::text from account_summary where account_id = ${accountId}`));
    expect(row?.balance).toBe("250");
  }, 60_000);
});
