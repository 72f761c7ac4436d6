import { describe, expect, it } from "vitest";

import { accountDecider, decideAccount, evolveAccount, initialAccountState } from "@/lib/domain/account/decider";
import type { AccountEvent } from "@/lib/domain/account/events";
import type { AccountState } from "@/lib/domain/account/state";

import {
  accountClosed,
  accountFrozen,
  accountOpened,
  accountUnfrozen,
  close,
  deposit,
  freeze,
  moneyDeposited,
  moneyWithdrawn,
  openAccount,
  openingData,
  unfreeze,
  withdraw,
} from "./support/account-fixtures";
import { deciderSpecification, stateAfter } from "./support/decider-spec";

const given = deciderSpecification(accountDecider);

/** Active, 69.50 available: 100.00 in, 30.50 out, and one refused overdraft that changed nothing. */
const activeWithBalance: AccountEvent[] = [
  accountOpened(),
  moneyDeposited(10_000n, "salary"),
  moneyWithdrawn(3_050n, "rent"),
  { type: "WithdrawalRejected", data: { amount: 100_000n, reference: null, code: "INSUFFICIENT_FUNDS", available: 6_950n } },
];
const activeEmpty: AccountEvent[] = [accountOpened()];
const activeEmptiedAgain: AccountEvent[] = [accountOpened(), moneyDeposited(500n), moneyWithdrawn(500n)];
const frozenWithBalance: AccountEvent[] = [accountOpened(), moneyDeposited(5_000n), accountFrozen()];
const frozenEmpty: AccountEvent[] = [accountOpened(), accountFrozen()];
const closed: AccountEvent[] = [accountOpened(), moneyDeposited(5_000n), moneyWithdrawn(5_000n), accountClosed()];

describe("account decider", () => {
  describe("Unopened", () => {
    it("OpenAccount opens it with the command's data", () => {
      given([])
        .when(openAccount())
        .then([{ type: "AccountOpened", data: { ...openingData } }]);
    });

    it("OpenAccount keeps a missing nickname as null", () => {
      given([])
        .when({ type: "OpenAccount", data: { ...openingData, currency: "JPY", nickname: null } })
        .then([{ type: "AccountOpened", data: { ...openingData, currency: "JPY", nickname: null } }]);
    });

    it("DepositMoney throws ACCOUNT_NOT_FOUND", () => {
      given([]).when(deposit(100n)).thenThrows("ACCOUNT_NOT_FOUND");
    });

    it("WithdrawMoney throws ACCOUNT_NOT_FOUND", () => {
      given([]).when(withdraw(100n)).thenThrows("ACCOUNT_NOT_FOUND");
    });

    it("FreezeAccount throws ACCOUNT_NOT_FOUND", () => {
      given([]).when(freeze()).thenThrows("ACCOUNT_NOT_FOUND");
    });

    it("UnfreezeAccount throws ACCOUNT_NOT_FOUND", () => {
      given([]).when(unfreeze()).thenThrows("ACCOUNT_NOT_FOUND");
    });

    it("CloseAccount throws ACCOUNT_NOT_FOUND", () => {
      given([]).when(close()).thenThrows("ACCOUNT_NOT_FOUND");
    });

    it("a zero deposit still reports ACCOUNT_NOT_FOUND: the missing account is checked first", () => {
      given([]).when(deposit(0n)).thenThrows("ACCOUNT_NOT_FOUND");
    });
  });

  describe("Active", () => {
    it("OpenAccount throws ACCOUNT_ALREADY_EXISTS", () => {
      given(activeEmpty).when(openAccount()).thenThrows("ACCOUNT_ALREADY_EXISTS");
    });

    it("DepositMoney records the deposit with its reference", () => {
      given(activeWithBalance)
        .when(deposit(2_500n, "gift"))
        .then([moneyDeposited(2_500n, "gift")]);
    });

    it("DepositMoney into an empty account is accepted", () => {
      given(activeEmpty)
        .when(deposit(1n))
        .then([moneyDeposited(1n)]);
    });

    it("DepositMoney of zero throws INVARIANT_VIOLATED", () => {
      given(activeWithBalance).when(deposit(0n)).thenThrows("INVARIANT_VIOLATED");
    });

    it("DepositMoney of a negative amount throws INVARIANT_VIOLATED", () => {
      given(activeWithBalance).when(deposit(-1n)).thenThrows("INVARIANT_VIOLATED");
    });

    it("WithdrawMoney of less than the available balance is accepted", () => {
      given(activeWithBalance)
        .when(withdraw(1_000n, "groceries"))
        .then([moneyWithdrawn(1_000n, "groceries")]);
    });

    it("WithdrawMoney of exactly the available balance is accepted", () => {
      given(activeWithBalance)
        .when(withdraw(6_950n))
        .then([moneyWithdrawn(6_950n)]);
    });

    it("WithdrawMoney of one minor unit more than available is rejected INSUFFICIENT_FUNDS", () => {
      given(activeWithBalance)
        .when(withdraw(6_951n, "too much"))
        .then([
          {
            type: "WithdrawalRejected",
            data: { amount: 6_951n, reference: "too much", code: "INSUFFICIENT_FUNDS", available: 6_950n },
          },
        ]);
    });

    it("WithdrawMoney from an empty account is rejected INSUFFICIENT_FUNDS with nothing available", () => {
      given(activeEmpty)
        .when(withdraw(1n))
        .then([{ type: "WithdrawalRejected", data: { amount: 1n, reference: null, code: "INSUFFICIENT_FUNDS", available: 0n } }]);
    });

    it("WithdrawMoney of zero throws INVARIANT_VIOLATED", () => {
      given(activeWithBalance).when(withdraw(0n)).thenThrows("INVARIANT_VIOLATED");
    });

    it("WithdrawMoney of a negative amount throws INVARIANT_VIOLATED", () => {
      given(activeWithBalance).when(withdraw(-6_950n)).thenThrows("INVARIANT_VIOLATED");
    });

    it("FreezeAccount freezes it with the category and the admin's reason", () => {
      given(activeWithBalance)
        .when({ type: "FreezeAccount", data: { category: "legal_order", reason: "court order 12/34" } })
        .then([{ type: "AccountFrozen", data: { category: "legal_order", reason: "court order 12/34" } }]);
    });

    it("UnfreezeAccount is rejected NOT_FROZEN", () => {
      given(activeWithBalance)
        .when(unfreeze("checked"))
        .then([{ type: "AccountCommandRejected", data: { command: "UnfreezeAccount", code: "NOT_FROZEN", reason: "checked" } }]);
    });

    it("CloseAccount with a non-zero balance is rejected BALANCE_NOT_ZERO", () => {
      given(activeWithBalance)
        .when(close("leaving"))
        .then([{ type: "AccountCommandRejected", data: { command: "CloseAccount", code: "BALANCE_NOT_ZERO", reason: "leaving" } }]);
    });

    it("CloseAccount of a never-funded account closes it", () => {
      given(activeEmpty)
        .when(close("opened by mistake"))
        .then([accountClosed("opened by mistake")]);
    });

    it("CloseAccount once the balance is back to zero closes it", () => {
      given(activeEmptiedAgain).when(close()).then([accountClosed()]);
    });

    it("CloseAccount after an unfreeze follows the Active rules", () => {
      given([accountOpened(), moneyDeposited(1n), accountFrozen(), accountUnfrozen()])
        .when(close("leaving"))
        .then([{ type: "AccountCommandRejected", data: { command: "CloseAccount", code: "BALANCE_NOT_ZERO", reason: "leaving" } }]);
    });
  });

  describe("Frozen", () => {
    it("OpenAccount throws ACCOUNT_ALREADY_EXISTS", () => {
      given(frozenWithBalance).when(openAccount()).thenThrows("ACCOUNT_ALREADY_EXISTS");
    });

    it("DepositMoney is rejected ACCOUNT_FROZEN", () => {
      given(frozenWithBalance)
        .when(deposit(700n, "refund"))
        .then([{ type: "DepositRejected", data: { amount: 700n, reference: "refund", code: "ACCOUNT_FROZEN" } }]);
    });

    it("DepositMoney of zero throws INVARIANT_VIOLATED rather than being recorded as a rejection", () => {
      given(frozenWithBalance).when(deposit(0n)).thenThrows("INVARIANT_VIOLATED");
    });

    it("WithdrawMoney covered by the balance is still rejected ACCOUNT_FROZEN, reporting what is available", () => {
      given(frozenWithBalance)
        .when(withdraw(100n))
        .then([{ type: "WithdrawalRejected", data: { amount: 100n, reference: null, code: "ACCOUNT_FROZEN", available: 5_000n } }]);
    });

    it("WithdrawMoney beyond the balance is rejected ACCOUNT_FROZEN, not INSUFFICIENT_FUNDS", () => {
      given(frozenWithBalance)
        .when(withdraw(9_999n))
        .then([{ type: "WithdrawalRejected", data: { amount: 9_999n, reference: null, code: "ACCOUNT_FROZEN", available: 5_000n } }]);
    });

    it("WithdrawMoney of a negative amount throws INVARIANT_VIOLATED", () => {
      given(frozenWithBalance).when(withdraw(-1n)).thenThrows("INVARIANT_VIOLATED");
    });

    it("FreezeAccount is rejected ALREADY_FROZEN", () => {
      given(frozenWithBalance)
        .when(freeze("second report"))
        .then([{ type: "AccountCommandRejected", data: { command: "FreezeAccount", code: "ALREADY_FROZEN", reason: "second report" } }]);
    });

    it("UnfreezeAccount unfreezes it", () => {
      given(frozenWithBalance)
        .when(unfreeze("all clear"))
        .then([accountUnfrozen("all clear")]);
    });

    it("CloseAccount with a non-zero balance is rejected ACCOUNT_FROZEN", () => {
      given(frozenWithBalance)
        .when(close("leaving"))
        .then([{ type: "AccountCommandRejected", data: { command: "CloseAccount", code: "ACCOUNT_FROZEN", reason: "leaving" } }]);
    });

    it("CloseAccount even at a zero balance is rejected ACCOUNT_FROZEN: the freeze must be lifted first", () => {
      given(frozenEmpty)
        .when(close("closed by compliance"))
        .then([{ type: "AccountCommandRejected", data: { command: "CloseAccount", code: "ACCOUNT_FROZEN", reason: "closed by compliance" } }]);
    });
  });

  describe("Closed", () => {
    it("OpenAccount throws ACCOUNT_ALREADY_EXISTS", () => {
      given(closed).when(openAccount()).thenThrows("ACCOUNT_ALREADY_EXISTS");
    });

    it("DepositMoney is rejected ACCOUNT_CLOSED", () => {
      given(closed)
        .when(deposit(100n, "late refund"))
        .then([{ type: "DepositRejected", data: { amount: 100n, reference: "late refund", code: "ACCOUNT_CLOSED" } }]);
    });

    it("DepositMoney of zero throws INVARIANT_VIOLATED", () => {
      given(closed).when(deposit(0n)).thenThrows("INVARIANT_VIOLATED");
    });

    it("WithdrawMoney is rejected ACCOUNT_CLOSED with nothing available", () => {
      given(closed)
        .when(withdraw(100n))
        .then([{ type: "WithdrawalRejected", data: { amount: 100n, reference: null, code: "ACCOUNT_CLOSED", available: 0n } }]);
    });

    it("WithdrawMoney of zero throws INVARIANT_VIOLATED", () => {
      given(closed).when(withdraw(0n)).thenThrows("INVARIANT_VIOLATED");
    });

    it("FreezeAccount is rejected ACCOUNT_CLOSED", () => {
      given(closed)
        .when(freeze("too late"))
        .then([{ type: "AccountCommandRejected", data: { command: "FreezeAccount", code: "ACCOUNT_CLOSED", reason: "too late" } }]);
    });

    it("UnfreezeAccount is rejected ACCOUNT_CLOSED", () => {
      given(closed)
        .when(unfreeze("too late"))
        .then([{ type: "AccountCommandRejected", data: { command: "UnfreezeAccount", code: "ACCOUNT_CLOSED", reason: "too late" } }]);
    });

    it("UnfreezeAccount of an account closed while frozen is rejected ACCOUNT_CLOSED", () => {
      given([...frozenEmpty, accountClosed()])
        .when(unfreeze("too late"))
        .then([{ type: "AccountCommandRejected", data: { command: "UnfreezeAccount", code: "ACCOUNT_CLOSED", reason: "too late" } }]);
    });

    it("CloseAccount is rejected ACCOUNT_CLOSED", () => {
      given(closed)
        .when(close("again"))
        .then([{ type: "AccountCommandRejected", data: { command: "CloseAccount", code: "ACCOUNT_CLOSED", reason: "again" } }]);
    });
  });

  describe("with funds reserved for a transfer in flight", () => {
    const reserving: AccountState = stateAfter(accountDecider, [
      accountOpened(),
      moneyDeposited(10_000n),
      { type: "FundsReserved", data: { transferId: "tr-1", amount: 4_000n } },
    ]);

    it("WithdrawMoney is measured against balance minus reserved", () => {
      expect(decideAccount(withdraw(6_000n), reserving)).toEqual([moneyWithdrawn(6_000n)]);
      expect(decideAccount(withdraw(6_001n), reserving)).toEqual([
        { type: "WithdrawalRejected", data: { amount: 6_001n, reference: null, code: "INSUFFICIENT_FUNDS", available: 6_000n } },
      ]);
    });

    it("CloseAccount is rejected FUNDS_RESERVED before the balance is looked at", () => {
      expect(decideAccount(close("leaving"), reserving)).toEqual([
        { type: "AccountCommandRejected", data: { command: "CloseAccount", code: "FUNDS_RESERVED", reason: "leaving" } },
      ]);
    });
  });
});

describe("evolveAccount", () => {
  const facts = { ...openingData, reserved: 0n, reservations: {} };

  it("starts Unopened", () => {
    expect(initialAccountState()).toEqual({ status: "Unopened" });
  });

  it("AccountOpened gives an Active account with the opening facts, a zero balance and zero counters", () => {
    expect(evolveAccount(initialAccountState(), accountOpened())).toEqual({
      status: "Active",
      ...facts,
      balance: 0n,
      deposits: 0,
      withdrawals: 0,
      rejections: 0,
    });
  });

  it("ignores anything but AccountOpened while Unopened", () => {
    const unopened = initialAccountState();
    for (const event of [moneyDeposited(1n), moneyWithdrawn(1n), accountFrozen(), accountUnfrozen(), accountClosed()]) {
      expect(evolveAccount(unopened, event)).toEqual({ status: "Unopened" });
    }
  });

  it("deposits and withdrawals move the balance and count themselves", () => {
    expect(stateAfter(accountDecider, [accountOpened(), moneyDeposited(10_000n), moneyDeposited(1n), moneyWithdrawn(3_050n)])).toEqual({
      status: "Active",
      ...facts,
      balance: 6_951n,
      deposits: 2,
      withdrawals: 1,
      rejections: 0,
    });
  });

  it("every kind of rejection counts as a rejection and changes nothing else", () => {
    const before = stateAfter(accountDecider, [accountOpened(), moneyDeposited(500n)]);
    const after = stateAfter(accountDecider, [
      accountOpened(),
      moneyDeposited(500n),
      { type: "DepositRejected", data: { amount: 1n, reference: null, code: "ACCOUNT_FROZEN" } },
      { type: "WithdrawalRejected", data: { amount: 900n, reference: null, code: "INSUFFICIENT_FUNDS", available: 500n } },
      { type: "AccountCommandRejected", data: { command: "CloseAccount", code: "BALANCE_NOT_ZERO", reason: "x" } },
    ]);
    expect(after).toEqual({ ...before, rejections: 3 });
  });

  it("AccountFrozen keeps the balance and counters and records the freeze", () => {
    expect(stateAfter(accountDecider, [accountOpened(), moneyDeposited(5_000n), accountFrozen("stolen card")])).toEqual({
      status: "Frozen",
      ...facts,
      balance: 5_000n,
      deposits: 1,
      withdrawals: 0,
      rejections: 0,
      freeze: { category: "suspected_fraud", reason: "stolen card" },
    });
  });

  it("AccountUnfrozen returns to Active and drops the freeze info", () => {
    const state = stateAfter(accountDecider, [accountOpened(), moneyDeposited(5_000n), accountFrozen(), accountUnfrozen()]);
    expect(state).toEqual({ status: "Active", ...facts, balance: 5_000n, deposits: 1, withdrawals: 0, rejections: 0 });
    expect(state).not.toHaveProperty("freeze");
  });

  it("AccountClosed from Active gives Closed with the history's counters", () => {
    expect(stateAfter(accountDecider, closed)).toEqual({
      status: "Closed",
      ...facts,
      balance: 0n,
      deposits: 1,
      withdrawals: 1,
      rejections: 0,
    });
  });

  it("AccountClosed from Frozen gives Closed and drops the freeze info", () => {
    const state = stateAfter(accountDecider, [...frozenEmpty, accountClosed()]);
    expect(state).toEqual({ status: "Closed", ...facts, balance: 0n, deposits: 0, withdrawals: 0, rejections: 0 });
    expect(state).not.toHaveProperty("freeze");
  });

  it("does not mutate the state it is given", () => {
    const active = stateAfter(accountDecider, [accountOpened(), moneyDeposited(100n)]);
    const snapshot = structuredClone(active);
    evolveAccount(active, moneyDeposited(50n));
    evolveAccount(active, accountFrozen());
    expect(active).toEqual(snapshot);
  });
});
