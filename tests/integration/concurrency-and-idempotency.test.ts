import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { accountAggregate, depositMoney, openAccount, withdrawMoney } from "@/lib/commands/accounts";
import type { Database } from "@/lib/db/client";
import { IdempotencyKeyReusedError } from "@/lib/event-store/errors";
import { handleCommand } from "@/lib/event-store/handle-command";

import { context, meta, newCommandId } from "../support/commands";
import { backends, type TestDatabase } from "../support/databases";
import { accountBalance, countEvents, streamPositions } from "../support/queries";

describe.each(backends)("concurrent commands on $name", (backend) => {
  let t: TestDatabase;
  // On Postgres, four independent pools stand in for four app instances on one database.
  let pools: Database[];
  beforeAll(async () => {
    t = await backend.create();
    pools = backend.name === "postgres" ? [t.db, ...(await Promise.all([1, 2, 3].map(() => t.openAnother(5)))).map((h) => h.db)] : [t.db];
  });
  afterAll(() => t.drop());

  it("applies 20 concurrent deposits to one account exactly, with gap-free stream positions and no error", async () => {
    const { accountId } = await openAccount(context(t.db), { customerId: "c-hot", currency: "EUR" }, meta());
    const amounts = Array.from({ length: 20 }, (_, i) => 100 + i);
    const results = await Promise.allSettled(
      amounts.map((amount, i) => depositMoney(context(pools[i % pools.length]!), { accountId, amount }, meta())),
    );
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    expect(await accountBalance(t.db, accountId)).toBe(BigInt(amounts.reduce((a, b) => a + b, 0)));
    expect(await streamPositions(t.db, `account-${accountId}`)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
  });

  it("lets writers queued on one account's lock decide on the newest state, without a single retry", async () => {
    const { accountId } = await openAccount(context(t.db), { customerId: "c-queue", currency: "EUR" }, meta());
    // One attempt each: a writer that loaded a stale state would fail its expected-version check.
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) =>
        handleCommand(
          pools[i % pools.length]!,
          accountAggregate(5),
          `account-${accountId}`,
          { type: "DepositMoney", data: { amount: 10n, reference: "queued" } },
          {
            metadata: meta(),
            maxAttempts: 1,
          },
        ),
      ),
    );
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    expect(await accountBalance(t.db, accountId)).toBe(120n);
    expect(await streamPositions(t.db, `account-${accountId}`)).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
  });

  it("refuses a command on an account of another customer when given its owner, recording nothing", async () => {
    const { accountId } = await openAccount(context(t.db), { customerId: "c-owner", currency: "EUR" }, meta());
    const before = await countEvents(t.db);
    await expect(depositMoney(context(t.db), { accountId, amount: 100 }, meta(), { ownerId: "c-intruder" })).rejects.toMatchObject({
      code: "ACCOUNT_NOT_FOUND",
    });
    expect(await countEvents(t.db)).toBe(before);
    const own = await depositMoney(context(t.db), { accountId, amount: 100 }, meta(), { ownerId: "c-owner" });
    expect(own.outcome).toBe("accepted");
    // The answer carries the account row as written, so the API need not read it back.
    expect(own.summary).toMatchObject({ accountId, balance: 100n, version: 2n });
    expect(own.summary?.openedAt.getTime()).toBeGreaterThan(0);
  });

  it("never lets concurrent withdrawals overdraw", async () => {
    const { accountId } = await openAccount(context(t.db), { customerId: "c-race", currency: "EUR" }, meta());
    await depositMoney(context(t.db), { accountId, amount: 1000 }, meta());
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => withdrawMoney(context(pools[i % pools.length]!), { accountId, amount: 300 }, meta())),
    );
    expect(results.filter((r) => r.outcome === "accepted")).toHaveLength(3);
    expect(results.filter((r) => r.outcome === "rejected")).toHaveLength(7);
    expect(await accountBalance(t.db, accountId)).toBe(100n);
  });

  it("gives a command id one effect and the same result, sent twice in a row", async () => {
    const ctx = context(t.db);
    const { accountId } = await openAccount(ctx, { customerId: "c-idem", currency: "EUR" }, meta());
    const commandId = newCommandId();
    const first = await depositMoney(ctx, { accountId, amount: 500 }, meta({ commandId }));
    const before = await countEvents(t.db);
    const second = await depositMoney(ctx, { accountId, amount: 500 }, meta({ commandId }));
    expect(second.replayed).toBe(true);
    expect(second.event.eventId).toBe(first.event.eventId);
    expect(second.event.event).toEqual(first.event.event);
    expect(second.version).toBe(first.version);
    expect(await countEvents(t.db)).toBe(before);
    expect(await accountBalance(t.db, accountId)).toBe(500n);
  });

  it("gives a command id one effect when its copies arrive concurrently", async () => {
    const { accountId } = await openAccount(context(t.db), { customerId: "c-idem2", currency: "EUR" }, meta());
    const commandId = newCommandId();
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => depositMoney(context(pools[i % pools.length]!), { accountId, amount: 700 }, meta({ commandId }))),
    );
    expect(new Set(results.map((r) => r.event.eventId)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(await accountBalance(t.db, accountId)).toBe(700n);
  });

  it("replays a refused command's refusal rather than trying again", async () => {
    const ctx = context(t.db);
    const { accountId } = await openAccount(ctx, { customerId: "c-idem3", currency: "EUR" }, meta());
    const commandId = newCommandId();
    const refused = await withdrawMoney(ctx, { accountId, amount: 100 }, meta({ commandId }));
    await depositMoney(ctx, { accountId, amount: 1000 }, meta());
    const retried = await withdrawMoney(ctx, { accountId, amount: 100 }, meta({ commandId }));
    expect(refused.outcome).toBe("rejected");
    expect(retried).toMatchObject({ outcome: "rejected", replayed: true });
    expect(await accountBalance(t.db, accountId)).toBe(1000n);
  });

  it("refuses a command id reused for a different request, changing nothing", async () => {
    const ctx = context(t.db);
    const { accountId } = await openAccount(ctx, { customerId: "c-idem4", currency: "EUR" }, meta());
    const commandId = newCommandId();
    await depositMoney(ctx, { accountId, amount: 100 }, meta({ commandId }));
    const before = await countEvents(t.db);
    await expect(depositMoney(ctx, { accountId, amount: 999 }, meta({ commandId }))).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    expect(await countEvents(t.db)).toBe(before);
    expect(await accountBalance(t.db, accountId)).toBe(100n);
  });
});
