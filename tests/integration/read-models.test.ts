import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { depositMoney, withdrawMoney } from "@/lib/commands/accounts";
import { requestTransfer } from "@/lib/commands/transfers";
import { findAccount, findAccountOwnedBy, listAccountsOwnedBy, readStatementPage } from "@/lib/read-models/accounts";
import { findTransferFor, listTransfersFor, toTransferDto } from "@/lib/read-models/transfers";

import { customerWithAccount } from "../support/bank";
import { context, meta } from "../support/commands";
import { backends, type TestDatabase } from "../support/databases";

// The session-free queries the portal's DAL and the API share (lib/read-models).
describe.each(backends)("shared read-model queries on $name", (backend) => {
  let t: TestDatabase;
  let alice: Awaited<ReturnType<typeof customerWithAccount>>;
  let bob: Awaited<ReturnType<typeof customerWithAccount>>;

  beforeAll(async () => {
    t = await backend.create();
    alice = await customerWithAccount(t.db, { name: "Alice Able", balance: 10_000 });
    bob = await customerWithAccount(t.db, { name: "Bob Baker", balance: 500 });
    for (let i = 1; i <= 4; i++) await depositMoney(context(t.db), { accountId: alice.accountId, amount: i * 100 }, meta(alice.actor));
    await withdrawMoney(context(t.db), { accountId: alice.accountId, amount: 1_000_000 }, meta(alice.actor));
  });
  afterAll(() => t.drop());

  it("finds an account only for its owner, and any account for admin paths", async () => {
    expect((await findAccountOwnedBy(t.db, alice.user.id, alice.accountId))?.accountId).toBe(alice.accountId);
    expect(await findAccountOwnedBy(t.db, bob.user.id, alice.accountId)).toBeUndefined();
    expect(await findAccountOwnedBy(t.db, alice.user.id, "not-a-uuid")).toBeUndefined();
    expect((await findAccount(t.db, alice.accountId))?.customerId).toBe(alice.user.id);
    expect((await listAccountsOwnedBy(t.db, alice.user.id)).map((row) => row.accountId)).toEqual([alice.accountId]);
  });

  it("pages the statement newest first by keyset, with the filter applied, never repeating or skipping an entry", async () => {
    const seen: bigint[] = [];
    let cursor: bigint | undefined;
    for (let page = 0; page < 10; page++) {
      const result = await readStatementPage(t.db, alice.accountId, { kind: "all" }, cursor, 2);
      seen.push(...result.rows.map((row) => row.streamPosition));
      if (result.nextCursor === null) break;
      cursor = result.nextCursor;
    }
    // Opened (no entry), the first deposit, four more, and one refused withdrawal.
    expect(seen).toEqual([7n, 6n, 5n, 4n, 3n, 2n]);
    const rejected = await readStatementPage(t.db, alice.accountId, { kind: "rejected" }, undefined, 10);
    expect(rejected.rows.map((row) => row.rejectionCode)).toEqual(["INSUFFICIENT_FUNDS"]);
    expect(rejected.nextCursor).toBeNull();
  });

  it("lists a customer's transfers newest first by keyset, by account, and shows each one only to its parties", async () => {
    const ctx = context(t.db);
    const ids: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const { transferId } = await requestTransfer(
        ctx,
        { fromAccountId: alice.accountId, toAccountId: bob.accountId, amount: i * 10 },
        meta(alice.actor),
      );
      ids.push(transferId);
    }
    const first = await listTransfersFor(t.db, alice.user.id, { limit: 2 });
    const last = first.at(-1);
    expect(last).toBeDefined();
    const second = await listTransfersFor(t.db, alice.user.id, {
      limit: 2,
      before: { requestedAt: last!.requestedAt, transferId: last!.transferId },
    });
    expect([...first, ...second].map((row) => row.transferId).sort()).toEqual([...ids].sort());
    expect((await listTransfersFor(t.db, bob.user.id, { limit: 10, accountId: bob.accountId })).length).toBe(3);

    const row = await findTransferFor(t.db, bob.user.id, ids[0]);
    expect(row && toTransferDto(row, bob.user.id)).toMatchObject({ direction: "in", from: { name: "Al*** Ab**" } });
    const stranger = await customerWithAccount(t.db, { name: "Cleo Cole" });
    expect(await findTransferFor(t.db, stranger.user.id, ids[0])).toBeUndefined();
  });
});
