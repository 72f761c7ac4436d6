import fc from "fast-check";
import { describe, expect, it } from "vitest";

import type { AccountCommand } from "@/lib/domain/account/commands";
import { accountDecider, decideAccount, evolveAccount, initialAccountState } from "@/lib/domain/account/decider";
import type { AccountEvent } from "@/lib/domain/account/events";
import { availableBalance, type AccountState } from "@/lib/domain/account/state";

import {
  accountClosed,
  accountFrozen,
  accountOpened,
  accountUnfrozen,
  captureReservation,
  close,
  counterparty,
  creditTransfer,
  fundsReserved,
  moneyDeposited,
  moneyWithdrawn,
  openAccount,
  openingData,
  releaseReservation,
  reservationCaptured,
  reservationReleased,
  reserveFunds,
  transferCredited,
  withdraw,
} from "./support/account-fixtures";
import { deciderSpecification, stateAfter } from "./support/decider-spec";

const given = deciderSpecification(accountDecider);

/** Active EUR account with 100.00 and nothing held: 100.00 available. */
const funded: AccountEvent[] = [accountOpened(), moneyDeposited(10_000n)];
/** The same with 40.00 already held for another transfer (tr-0): 60.00 available. */
const fundedWithHold: AccountEvent[] = [...funded, fundsReserved("tr-0", 4_000n)];
const activeEmpty: AccountEvent[] = [accountOpened()];
const frozenFunded: AccountEvent[] = [...funded, accountFrozen()];
/** Frozen after the hold for tr-0 was made. */
const frozenWithHold: AccountEvent[] = [...fundedWithHold, accountFrozen()];
const closed: AccountEvent[] = [accountOpened(), moneyDeposited(5_000n), moneyWithdrawn(5_000n), accountClosed()];

const reservationRejected = (
  transferId: string,
  amount: bigint,
  code: "INSUFFICIENT_FUNDS" | "ACCOUNT_FROZEN" | "ACCOUNT_CLOSED" | "CURRENCY_MISMATCH",
  available: bigint,
): AccountEvent => ({ type: "ReservationRejected", data: { transferId, amount, code, available } });

const creditRejected = (
  transferId: string,
  amount: bigint,
  code: "ACCOUNT_FROZEN" | "ACCOUNT_CLOSED" | "CURRENCY_MISMATCH",
  reference: string | null = "invoice 7",
): AccountEvent => ({ type: "CreditRejected", data: { transferId, amount, code, counterparty: { ...counterparty }, reference } });

describe("account transfer legs", () => {
  describe("Unopened", () => {
    it.each<[string, AccountCommand]>([
      ["ReserveFunds", reserveFunds("tr-1", 100n)],
      ["ReleaseReservation", releaseReservation("tr-1")],
      ["CaptureReservation", captureReservation("tr-1")],
      ["CreditTransfer", creditTransfer("tr-1", 100n)],
    ])("%s throws ACCOUNT_NOT_FOUND", (_name, command) => {
      given([]).when(command).thenThrows("ACCOUNT_NOT_FOUND");
    });
  });

  describe("Active", () => {
    describe("ReserveFunds", () => {
      it("within the available balance holds the money: FundsReserved", () => {
        given(funded)
          .when(reserveFunds("tr-1", 2_500n))
          .then([fundsReserved("tr-1", 2_500n)]);
      });

      it("of exactly the available balance is accepted", () => {
        given(funded)
          .when(reserveFunds("tr-1", 10_000n))
          .then([fundsReserved("tr-1", 10_000n)]);
      });

      it("of one minor unit more than available is rejected INSUFFICIENT_FUNDS, reporting what is available", () => {
        given(funded)
          .when(reserveFunds("tr-1", 10_001n))
          .then([reservationRejected("tr-1", 10_001n, "INSUFFICIENT_FUNDS", 10_000n)]);
      });

      it("from an empty account is rejected INSUFFICIENT_FUNDS with nothing available", () => {
        given(activeEmpty)
          .when(reserveFunds("tr-1", 1n))
          .then([reservationRejected("tr-1", 1n, "INSUFFICIENT_FUNDS", 0n)]);
      });

      it("counts money already held for another transfer as unavailable: exactly the rest is accepted", () => {
        given(fundedWithHold)
          .when(reserveFunds("tr-1", 6_000n))
          .then([fundsReserved("tr-1", 6_000n)]);
      });

      it("counts money already held for another transfer as unavailable: one more than the rest is rejected", () => {
        given(fundedWithHold)
          .when(reserveFunds("tr-1", 6_001n))
          .then([reservationRejected("tr-1", 6_001n, "INSUFFICIENT_FUNDS", 6_000n)]);
      });

      it("a second time for the same transfer does nothing: the leg already ran", () => {
        given([...funded, fundsReserved("tr-1", 2_500n)])
          .when(reserveFunds("tr-1", 2_500n))
          .then([]);
      });

      it("a second time for the same transfer does nothing even when it could no longer be covered", () => {
        given([...funded, fundsReserved("tr-1", 10_000n)])
          .when(reserveFunds("tr-1", 10_000n))
          .then([]);
      });

      it("in another currency than the account's is rejected CURRENCY_MISMATCH", () => {
        given(funded)
          .when(reserveFunds("tr-1", 100n, "USD"))
          .then([reservationRejected("tr-1", 100n, "CURRENCY_MISMATCH", 10_000n)]);
      });

      it("in another currency and beyond the balance is rejected CURRENCY_MISMATCH, not INSUFFICIENT_FUNDS", () => {
        given(funded)
          .when(reserveFunds("tr-1", 99_999n, "GBP"))
          .then([reservationRejected("tr-1", 99_999n, "CURRENCY_MISMATCH", 10_000n)]);
      });

      it("of zero throws INVARIANT_VIOLATED", () => {
        given(funded).when(reserveFunds("tr-1", 0n)).thenThrows("INVARIANT_VIOLATED");
      });

      it("of a negative amount throws INVARIANT_VIOLATED", () => {
        given(funded).when(reserveFunds("tr-1", -1n)).thenThrows("INVARIANT_VIOLATED");
      });
    });

    describe("ReleaseReservation", () => {
      it("of an existing hold releases the amount held", () => {
        given(fundedWithHold)
          .when(releaseReservation("tr-0", "payee refused"))
          .then([reservationReleased("tr-0", 4_000n, "payee refused")]);
      });

      it("releases only the named hold's amount when several are open", () => {
        given([...fundedWithHold, fundsReserved("tr-1", 1_500n)])
          .when(releaseReservation("tr-1"))
          .then([reservationReleased("tr-1", 1_500n)]);
      });

      it("of a transfer with no hold does nothing", () => {
        given(fundedWithHold).when(releaseReservation("tr-unknown")).then([]);
      });

      it("of a hold already released does nothing", () => {
        given([...fundedWithHold, reservationReleased("tr-0", 4_000n)])
          .when(releaseReservation("tr-0"))
          .then([]);
      });

      it("treats ids that name built-in object properties as unknown holds", () => {
        for (const id of ["toString", "constructor", "__proto__", "hasOwnProperty"]) {
          given(fundedWithHold).when(releaseReservation(id)).then([]);
          given(fundedWithHold).when(captureReservation(id)).then([]);
        }
      });

      it("of a hold already captured does nothing", () => {
        given([...fundedWithHold, reservationCaptured("tr-0", 4_000n)])
          .when(releaseReservation("tr-0"))
          .then([]);
      });
    });

    describe("CaptureReservation", () => {
      it("captures the amount held, with the payee and reference for the statement", () => {
        given(fundedWithHold)
          .when(captureReservation("tr-0", "rent"))
          .then([reservationCaptured("tr-0", 4_000n, "rent")]);
      });

      it("a second time does nothing", () => {
        given([...fundedWithHold, reservationCaptured("tr-0", 4_000n)])
          .when(captureReservation("tr-0"))
          .then([]);
      });

      it("of a transfer with no hold does nothing", () => {
        given(funded).when(captureReservation("tr-unknown")).then([]);
      });

      it("of a hold already released does nothing", () => {
        given([...fundedWithHold, reservationReleased("tr-0", 4_000n)])
          .when(captureReservation("tr-0"))
          .then([]);
      });
    });

    describe("CreditTransfer", () => {
      it("credits the money with the payer and reference: TransferCredited", () => {
        given(funded)
          .when(creditTransfer("tr-1", 2_500n, "EUR", "rent"))
          .then([transferCredited("tr-1", 2_500n, "rent")]);
      });

      it("credits an empty account", () => {
        given(activeEmpty)
          .when(creditTransfer("tr-1", 1n, "EUR", null))
          .then([transferCredited("tr-1", 1n, null)]);
      });

      it("in another currency than the account's is rejected CURRENCY_MISMATCH", () => {
        given(funded)
          .when(creditTransfer("tr-1", 2_500n, "USD"))
          .then([creditRejected("tr-1", 2_500n, "CURRENCY_MISMATCH")]);
      });

      it("of zero throws INVARIANT_VIOLATED", () => {
        given(funded).when(creditTransfer("tr-1", 0n)).thenThrows("INVARIANT_VIOLATED");
      });
    });

    describe("other commands while money is held", () => {
      it("WithdrawMoney that only the held money would cover is rejected INSUFFICIENT_FUNDS", () => {
        given(fundedWithHold)
          .when(withdraw(6_001n))
          .then([{ type: "WithdrawalRejected", data: { amount: 6_001n, reference: null, code: "INSUFFICIENT_FUNDS", available: 6_000n } }]);
      });

      it("WithdrawMoney of exactly the unheld money is accepted", () => {
        given(fundedWithHold)
          .when(withdraw(6_000n))
          .then([moneyWithdrawn(6_000n)]);
      });

      it("WithdrawMoney refused while held is accepted once the hold is released", () => {
        given([...fundedWithHold, reservationReleased("tr-0", 4_000n)])
          .when(withdraw(6_001n))
          .then([moneyWithdrawn(6_001n)]);
      });

      it("WithdrawMoney after a capture is measured against the lowered balance", () => {
        given([...fundedWithHold, reservationCaptured("tr-0", 4_000n)])
          .when(withdraw(6_001n))
          .then([{ type: "WithdrawalRejected", data: { amount: 6_001n, reference: null, code: "INSUFFICIENT_FUNDS", available: 6_000n } }]);
      });

      it("CloseAccount with a reservation open is rejected FUNDS_RESERVED", () => {
        given(fundedWithHold)
          .when(close("leaving"))
          .then([{ type: "AccountCommandRejected", data: { command: "CloseAccount", code: "FUNDS_RESERVED", reason: "leaving" } }]);
      });

      it("CloseAccount once the whole balance was held and captured closes it", () => {
        given([...funded, fundsReserved("tr-1", 10_000n), reservationCaptured("tr-1", 10_000n)])
          .when(close("moved abroad"))
          .then([accountClosed("moved abroad")]);
      });
    });
  });

  describe("Frozen", () => {
    it("ReserveFunds is rejected ACCOUNT_FROZEN, reporting what is available", () => {
      given(frozenFunded)
        .when(reserveFunds("tr-1", 100n))
        .then([reservationRejected("tr-1", 100n, "ACCOUNT_FROZEN", 10_000n)]);
    });

    it("ReserveFunds beyond the balance and in another currency is still rejected ACCOUNT_FROZEN", () => {
      given(frozenWithHold)
        .when(reserveFunds("tr-1", 99_999n, "USD"))
        .then([reservationRejected("tr-1", 99_999n, "ACCOUNT_FROZEN", 6_000n)]);
    });

    it("ReserveFunds for a transfer held before the freeze does nothing: the leg already ran", () => {
      given(frozenWithHold).when(reserveFunds("tr-0", 4_000n)).then([]);
    });

    it("ReleaseReservation of a hold made before the freeze releases it", () => {
      given(frozenWithHold)
        .when(releaseReservation("tr-0"))
        .then([reservationReleased("tr-0", 4_000n)]);
    });

    it("ReleaseReservation of a transfer with no hold does nothing", () => {
      given(frozenWithHold).when(releaseReservation("tr-1")).then([]);
    });

    it("CaptureReservation of a hold made before the freeze captures it: the debit was authorised", () => {
      given(frozenWithHold)
        .when(captureReservation("tr-0"))
        .then([reservationCaptured("tr-0", 4_000n)]);
    });

    it("CaptureReservation a second time does nothing", () => {
      given([...frozenWithHold, reservationCaptured("tr-0", 4_000n)])
        .when(captureReservation("tr-0"))
        .then([]);
    });

    it("CaptureReservation of a transfer with no hold does nothing", () => {
      given(frozenFunded).when(captureReservation("tr-1")).then([]);
    });

    it("CreditTransfer is rejected ACCOUNT_FROZEN", () => {
      given(frozenFunded)
        .when(creditTransfer("tr-1", 2_500n))
        .then([creditRejected("tr-1", 2_500n, "ACCOUNT_FROZEN")]);
    });

    it("CreditTransfer in another currency is rejected ACCOUNT_FROZEN: the freeze is checked first", () => {
      given(frozenFunded)
        .when(creditTransfer("tr-1", 2_500n, "USD"))
        .then([creditRejected("tr-1", 2_500n, "ACCOUNT_FROZEN")]);
    });

    it("CreditTransfer of zero throws INVARIANT_VIOLATED rather than being recorded as a rejection", () => {
      given(frozenFunded).when(creditTransfer("tr-1", 0n)).thenThrows("INVARIANT_VIOLATED");
    });

    it("ReserveFunds after an unfreeze follows the Active rules and still counts the older hold", () => {
      given([...frozenWithHold, accountUnfrozen()])
        .when(reserveFunds("tr-1", 6_001n))
        .then([reservationRejected("tr-1", 6_001n, "INSUFFICIENT_FUNDS", 6_000n)]);
    });
  });

  describe("Closed", () => {
    it("ReserveFunds is rejected ACCOUNT_CLOSED with nothing available", () => {
      given(closed)
        .when(reserveFunds("tr-1", 100n))
        .then([reservationRejected("tr-1", 100n, "ACCOUNT_CLOSED", 0n)]);
    });

    it("ReserveFunds in another currency is rejected ACCOUNT_CLOSED", () => {
      given(closed)
        .when(reserveFunds("tr-1", 100n, "JPY"))
        .then([reservationRejected("tr-1", 100n, "ACCOUNT_CLOSED", 0n)]);
    });

    it("ReleaseReservation does nothing: a closed account holds nothing", () => {
      given(closed).when(releaseReservation("tr-1")).then([]);
    });

    it("CaptureReservation does nothing: a closed account holds nothing", () => {
      given(closed).when(captureReservation("tr-1")).then([]);
    });

    it("CreditTransfer is rejected ACCOUNT_CLOSED", () => {
      given(closed)
        .when(creditTransfer("tr-1", 2_500n, "EUR", null))
        .then([creditRejected("tr-1", 2_500n, "ACCOUNT_CLOSED", null)]);
    });

    it("CreditTransfer in another currency is rejected ACCOUNT_CLOSED", () => {
      given(closed)
        .when(creditTransfer("tr-1", 2_500n, "USD"))
        .then([creditRejected("tr-1", 2_500n, "ACCOUNT_CLOSED")]);
    });
  });
});

describe("evolveAccount with transfer legs", () => {
  const facts = { ...openingData, deposits: 1, withdrawals: 0, rejections: 0 };

  it("FundsReserved raises reserved, records the hold and keeps the balance", () => {
    expect(stateAfter(accountDecider, fundedWithHold)).toEqual({
      status: "Active",
      ...facts,
      balance: 10_000n,
      reserved: 4_000n,
      reservations: { "tr-0": 4_000n },
    });
  });

  it("a second FundsReserved adds to reserved and keeps both holds", () => {
    expect(stateAfter(accountDecider, [...fundedWithHold, fundsReserved("tr-1", 1_500n)])).toEqual({
      status: "Active",
      ...facts,
      balance: 10_000n,
      reserved: 5_500n,
      reservations: { "tr-0": 4_000n, "tr-1": 1_500n },
    });
  });

  it("ReservationCaptured lowers balance and reserved by the amount and drops the hold", () => {
    expect(stateAfter(accountDecider, [...fundedWithHold, fundsReserved("tr-1", 1_500n), reservationCaptured("tr-0", 4_000n)])).toEqual({
      status: "Active",
      ...facts,
      balance: 6_000n,
      reserved: 1_500n,
      reservations: { "tr-1": 1_500n },
    });
  });

  it("ReservationReleased lowers reserved only and drops the hold", () => {
    expect(stateAfter(accountDecider, [...fundedWithHold, fundsReserved("tr-1", 1_500n), reservationReleased("tr-0", 4_000n)])).toEqual({
      status: "Active",
      ...facts,
      balance: 10_000n,
      reserved: 1_500n,
      reservations: { "tr-1": 1_500n },
    });
  });

  it("TransferCredited raises the balance and nothing else", () => {
    expect(stateAfter(accountDecider, [...fundedWithHold, transferCredited("tr-9", 700n)])).toEqual({
      status: "Active",
      ...facts,
      balance: 10_700n,
      reserved: 4_000n,
      reservations: { "tr-0": 4_000n },
    });
  });

  it("ReservationRejected and CreditRejected count as rejections and change nothing else", () => {
    const before = stateAfter(accountDecider, fundedWithHold);
    const after = stateAfter(accountDecider, [
      ...fundedWithHold,
      reservationRejected("tr-1", 99_999n, "INSUFFICIENT_FUNDS", 6_000n),
      creditRejected("tr-2", 100n, "CURRENCY_MISMATCH"),
    ]);
    expect(after).toEqual({ ...before, rejections: 2 });
  });

  it("a freeze and an unfreeze keep the holds", () => {
    const frozen = stateAfter(accountDecider, frozenWithHold);
    expect(frozen).toMatchObject({ status: "Frozen", balance: 10_000n, reserved: 4_000n, reservations: { "tr-0": 4_000n } });
    expect(stateAfter(accountDecider, [...frozenWithHold, accountUnfrozen()])).toEqual(stateAfter(accountDecider, fundedWithHold));
  });

  it("capturing while frozen lowers the balance and stays frozen", () => {
    expect(stateAfter(accountDecider, [...frozenWithHold, reservationCaptured("tr-0", 4_000n)])).toEqual({
      status: "Frozen",
      ...facts,
      balance: 6_000n,
      reserved: 0n,
      reservations: {},
      freeze: { category: "suspected_fraud", reason: "card reported stolen" },
    });
  });

  it("ignores transfer legs while Unopened", () => {
    for (const event of [fundsReserved("tr-1", 1n), reservationReleased("tr-1", 1n), reservationCaptured("tr-1", 1n), transferCredited("tr-1", 1n)]) {
      expect(evolveAccount(initialAccountState(), event)).toEqual({ status: "Unopened" });
    }
  });

  it("does not mutate the state or its holds", () => {
    const state = stateAfter(accountDecider, fundedWithHold);
    const snapshot = structuredClone(state);
    evolveAccount(state, fundsReserved("tr-1", 1n));
    evolveAccount(state, reservationReleased("tr-0", 4_000n));
    evolveAccount(state, reservationCaptured("tr-0", 4_000n));
    expect(state).toEqual(snapshot);
  });
});

describe("account properties with transfer legs", () => {
  const transferId = fc.constantFrom("tr-1", "tr-2", "tr-3");
  const amount = fc.bigInt({ min: 1n, max: 50_000n });
  const currency = fc.constantFrom("EUR", "EUR", "EUR", "USD");
  const command: fc.Arbitrary<AccountCommand> = fc.oneof(
    { weight: 3, arbitrary: amount.map((value): AccountCommand => ({ type: "DepositMoney", data: { amount: value, reference: null } })) },
    { weight: 2, arbitrary: amount.map((value) => withdraw(value)) },
    { weight: 3, arbitrary: fc.tuple(transferId, amount, currency).map(([id, value, code]) => reserveFunds(id, value, code)) },
    { weight: 2, arbitrary: transferId.map((id) => releaseReservation(id)) },
    { weight: 2, arbitrary: transferId.map((id) => captureReservation(id)) },
    { weight: 2, arbitrary: fc.tuple(transferId, amount, currency).map(([id, value, code]) => creditTransfer(id, value, code)) },
    {
      weight: 1,
      arbitrary: fc.constant<AccountCommand>({ type: "FreezeAccount", data: { category: "compliance_review", reason: "review" } }),
    },
    { weight: 1, arbitrary: fc.constant<AccountCommand>({ type: "UnfreezeAccount", data: { reason: "cleared" } }) },
    { weight: 1, arbitrary: fc.constant(close()) },
  );

  const sumOf = (values: readonly bigint[]) => values.reduce((total, value) => total + value, 0n);

  it("reserved is the sum of the holds, never more than the balance, and replay gives the same state", () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 60, size: "medium" }), (commands) => {
        let state: AccountState = initialAccountState();
        const events: AccountEvent[] = [];
        for (const next of [openAccount(), ...commands]) {
          for (const event of decideAccount(next, state)) {
            state = evolveAccount(state, event);
            events.push(event);
            if (state.status === "Unopened") throw new Error("the account must be open");
            expect(state.reserved).toBe(sumOf(Object.values(state.reservations)));
            expect(state.reserved).toBeGreaterThanOrEqual(0n);
            expect(availableBalance(state)).toBeGreaterThanOrEqual(0n);
          }
        }
        expect(events.reduce(evolveAccount, initialAccountState())).toEqual(state);
      }),
      { numRuns: 300 },
    );
  });
});
