import { randomUUID } from "node:crypto";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { closeAccount, depositMoney, freezeAccount, withdrawMoney } from "@/lib/commands/accounts";
import { accountEventCodec } from "@/lib/domain/account/codec";
import { ACCOUNT_STREAM_TYPE, accountStreamId } from "@/lib/domain/account/decider";
import type { AccountEvent } from "@/lib/domain/account/events";
import { findAccount, readStatementPage } from "@/lib/read-models/accounts";

import { commandSpec } from "../support/command-spec";
import { admin, context, meta } from "../support/commands";
import { backends, type TestDatabase } from "../support/databases";

// Commands as specs: given a stream's history, when a command runs, then these events and these rows.
const pglite = backends.filter((backend) => backend.name === "pglite");

let number = 1_000_000;
const opened = (accountId: string, customerId = "c-spec"): AccountEvent => ({
  type: "AccountOpened",
  data: { accountId, customerId, currency: "EUR", number: `LL${String(number++).padStart(10, "0")}`, nickname: null },
});
const deposited = (amount: bigint): AccountEvent => ({ type: "MoneyDeposited", data: { amount, reference: null } });

describe.each(pglite)("account commands as specs, on $name", (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await backend.create();
  }, 60_000);
  afterAll(() => t.drop());
  const spec = () => commandSpec<AccountEvent>(t.db, accountEventCodec, ACCOUNT_STREAM_TYPE);

  it("given a funded account, a withdrawal posts and the summary and statement show the new balance", async () => {
    const accountId = randomUUID();
    await spec().given(accountStreamId(accountId), [opened(accountId), deposited(10_000n)]);
    const { events } = await spec().when(() => withdrawMoney(context(t.db), { accountId, amount: 2_550, reference: "Rent" }, meta()));
    expect(events).toEqual([{ type: "MoneyWithdrawn", data: { amount: 2_550n, reference: "Rent" } }]);
    expect(await findAccount(t.db, accountId)).toMatchObject({ balance: 7_450n, version: 3n });
    const { rows } = await readStatementPage(t.db, accountId, { kind: "all" }, undefined, 10);
    expect(rows.map((row) => [row.kind, row.outcome, row.balanceAfter])).toEqual([
      ["withdrawal", "posted", 7_450n],
      ["deposit", "posted", 10_000n],
    ]);
  });

  it("given a frozen account, a deposit is refused as a fact: the statement shows it and the balance stays", async () => {
    const accountId = randomUUID();
    await spec().given(accountStreamId(accountId), [
      opened(accountId),
      deposited(500n),
      { type: "AccountFrozen", data: { category: "suspected_fraud", reason: "Card reported stolen" } },
    ]);
    const { events } = await spec().when(() => depositMoney(context(t.db), { accountId, amount: 100 }, meta()));
    expect(events).toEqual([{ type: "DepositRejected", data: { amount: 100n, reference: null, code: "ACCOUNT_FROZEN" } }]);
    expect(await findAccount(t.db, accountId)).toMatchObject({ balance: 500n, status: "Frozen", rejections: 1 });
    const { rows } = await readStatementPage(t.db, accountId, { kind: "all" }, undefined, 10);
    expect(rows[0]).toMatchObject({ kind: "deposit", outcome: "rejected", amount: 100n, balanceAfter: 500n });
  });

  it("given money on the account, closing is refused until the balance is zero, and freezing twice is refused", async () => {
    const accountId = randomUUID();
    await spec().given(accountStreamId(accountId), [opened(accountId), deposited(1n)]);
    const close = await spec().when(() => closeAccount(context(t.db), { accountId, reason: "Moving banks" }, meta({ actor: admin })));
    expect(close.events).toEqual([
      { type: "AccountCommandRejected", data: { command: "CloseAccount", code: "BALANCE_NOT_ZERO", reason: "Moving banks" } },
    ]);

    await spec().when(() => freezeAccount(context(t.db), { accountId, category: "legal_order", reason: "Court order 12" }, meta({ actor: admin })));
    const again = await spec().when(() =>
      freezeAccount(context(t.db), { accountId, category: "legal_order", reason: "Again" }, meta({ actor: admin })),
    );
    expect(again.events).toEqual([{ type: "AccountCommandRejected", data: { command: "FreezeAccount", code: "ALREADY_FROZEN", reason: "Again" } }]);
    expect(await findAccount(t.db, accountId)).toMatchObject({ balance: 1n, status: "Frozen" });
  });
});
