import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { type AccountCommand } from "@/lib/domain/account/commands";
import { accountDecider, decideAccount, evolveAccount } from "@/lib/domain/account/decider";
import { type AccountEvent } from "@/lib/domain/account/events";
import { type AccountState } from "@/lib/domain/account/state";
import { type TransferCommand } from "@/lib/domain/transfer/commands";
import { decideTransfer, evolveTransfer, initialTransferState, transferDecider } from "@/lib/domain/transfer/decider";
import { type TransferEvent } from "@/lib/domain/transfer/events";
import { nextStep } from "@/lib/domain/transfer/process";
import { isTerminal } from "@/lib/domain/transfer/state";

import { stateAfter } from "./support/decider-spec";
import {
  payee,
  payer,
  recordCapture,
  recordCredited,
  recordCreditRejected,
  recordRelease,
  recordReservationRejected,
  recordReserved,
  recordScreening,
  transferRequested,
} from "./support/transfer-fixtures";

describe("transfer process driving real accounts", () => {
  type World = {
    sourceBalance: bigint;
    sourceFrozen: boolean;
    destination: "active" | "frozen" | "closed";
    destinationCurrency: "EUR" | "USD";
    destinationBalance: bigint;
    currency: "EUR" | "USD";
    amount: bigint;
    /** A freeze of the source after its money was held: the capture must still go through. */
    freezeSourceAfterReserve: boolean;
    /** Whether the runner crashed after a leg and ran it again before recording it. */
    retryLegs: boolean;
  };

  const world: fc.Arbitrary<World> = fc.record({
    sourceBalance: fc.bigInt({ min: 0n, max: 30_000n }),
    sourceFrozen: fc.boolean(),
    destination: fc.constantFrom("active", "active", "frozen", "closed"),
    destinationCurrency: fc.constantFrom("EUR", "EUR", "USD"),
    destinationBalance: fc.bigInt({ min: 0n, max: 30_000n }),
    currency: fc.constantFrom("EUR", "EUR", "EUR", "USD"),
    amount: fc.bigInt({ min: 1n, max: 30_000n }),
    freezeSourceAfterReserve: fc.boolean(),
    retryLegs: fc.boolean(),
  });

  const opened = (party: typeof payer, currency: "EUR" | "USD"): AccountEvent => ({
    type: "AccountOpened",
    data: { accountId: party.accountId, customerId: party.customerId, currency, number: party.number, nickname: null },
  });

  function accountsFor(given: World): { source: AccountState; destination: AccountState } {
    const source: AccountEvent[] = [opened(payer, "EUR")];
    if (given.sourceBalance > 0n) source.push({ type: "MoneyDeposited", data: { amount: given.sourceBalance, reference: null } });
    if (given.sourceFrozen) source.push({ type: "AccountFrozen", data: { category: "legal_order", reason: "court order" } });
    const destination: AccountEvent[] = [opened(payee, given.destinationCurrency)];
    if (given.destination === "closed") destination.push({ type: "AccountClosed", data: { reason: "moved" } });
    else if (given.destinationBalance > 0n) destination.push({ type: "MoneyDeposited", data: { amount: given.destinationBalance, reference: null } });
    if (given.destination === "frozen") destination.push({ type: "AccountFrozen", data: { category: "suspected_fraud", reason: "review" } });
    return { source: stateAfter(accountDecider, source), destination: stateAfter(accountDecider, destination) };
  }

  const balanceOf = (state: AccountState): bigint => (state.status === "Unopened" ? 0n : state.balance);
  const reservedOf = (state: AccountState): bigint => (state.status === "Unopened" ? 0n : state.reserved);

  /** A runner: nextStep names the account command, the account decides it, and its outcome is recorded on the transfer. */
  function run(given: World) {
    let { source, destination } = accountsFor(given);
    let transfer = stateAfter(transferDecider, [transferRequested({ amount: given.amount, currency: given.currency })]);
    const transferEvents: TransferEvent[] = [transferRequested({ amount: given.amount, currency: given.currency })];
    const record = (command: TransferCommand) => {
      for (const event of decideTransfer(command, transfer)) {
        transfer = evolveTransfer(transfer, event);
        transferEvents.push(event);
      }
    };
    const onAccount = (accountId: string, command: AccountCommand): AccountEvent[] => {
      const current = accountId === payer.accountId ? source : destination;
      const events = decideAccount(command, current);
      const next = events.reduce(evolveAccount, current);
      if (accountId === payer.accountId) source = next;
      else destination = next;
      return events;
    };
    for (let iteration = 0; iteration < 10; iteration++) {
      const step = nextStep(transfer);
      if (step === null) break;
      if (step.type === "Screen") {
        record(recordScreening());
        continue;
      }
      if (step.type === "Submit") throw new Error("an internal transfer is never sent to the scheme");
      const [outcome] = onAccount(step.accountId, step.command);
      // A leg that changed a hold, run again before it was recorded, finds the hold (or its absence) and does nothing.
      // A retried refusal is decided afresh, and a retried credit is not covered here: the account keeps no
      // record of credited transfers.
      const changedAHold = ["FundsReserved", "ReservationCaptured", "ReservationReleased"].includes(outcome?.type ?? "");
      if (given.retryLegs && changedAHold) expect(onAccount(step.accountId, step.command)).toEqual([]);
      switch (step.type) {
        case "Reserve":
          if (outcome?.type === "ReservationRejected") {
            record(recordReservationRejected(outcome.data.code, outcome.data.available));
          } else {
            expect(outcome?.type).toBe("FundsReserved");
            record(recordReserved());
            if (given.freezeSourceAfterReserve && source.status === "Active") {
              source = evolveAccount(source, { type: "AccountFrozen", data: { category: "legal_order", reason: "court order" } });
            }
          }
          break;
        case "Credit":
          if (outcome?.type === "CreditRejected") record(recordCreditRejected(outcome.data.code));
          else {
            expect(outcome?.type).toBe("TransferCredited");
            record(recordCredited());
          }
          break;
        case "Capture":
          expect(outcome?.type).toBe("ReservationCaptured");
          record(recordCapture());
          break;
        case "Release":
          expect(outcome?.type).toBe("ReservationReleased");
          record(recordRelease());
          break;
      }
    }
    return { transfer, transferEvents, source, destination };
  }

  it("ends Completed with the money moved, or Failed with nothing moved and nothing left held", () => {
    fc.assert(
      fc.property(world, (given) => {
        const before = accountsFor(given);
        const { transfer, source, destination } = run(given);
        expect(isTerminal(transfer)).toBe(true);
        expect(reservedOf(source)).toBe(0n);
        expect(source.status === "Unopened" ? {} : source.reservations).toEqual({});
        expect(balanceOf(source) + balanceOf(destination)).toBe(balanceOf(before.source) + balanceOf(before.destination));
        const canMove =
          !given.sourceFrozen &&
          given.currency === "EUR" &&
          given.amount <= given.sourceBalance &&
          given.destination === "active" &&
          given.destinationCurrency === "EUR";
        expect(transfer.status).toBe(canMove ? "Completed" : "Failed");
        const moved = transfer.status === "Completed" ? given.amount : 0n;
        expect(balanceOf(source)).toBe(balanceOf(before.source) - moved);
        expect(balanceOf(destination)).toBe(balanceOf(before.destination) + moved);
      }),
      { numRuns: 500 },
    );
  });

  it("replaying the transfer's events gives the same state", () => {
    fc.assert(
      fc.property(world, (given) => {
        const { transfer, transferEvents } = run(given);
        expect(transferEvents.reduce(evolveTransfer, initialTransferState())).toEqual(transfer);
      }),
      { numRuns: 200 },
    );
  });
});
