import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AccountCommand, Counterparty } from "@/lib/domain/account/commands";
import { accountDecider, decideAccount, evolveAccount } from "@/lib/domain/account/decider";
import type { AccountEvent } from "@/lib/domain/account/events";
import type { AccountState } from "@/lib/domain/account/state";
import type { TransferCommand } from "@/lib/domain/transfer/commands";
import { FAILURE_REASONS, decideTransfer, evolveTransfer, initialTransferState, transferDecider } from "@/lib/domain/transfer/decider";
import type { TransferEvent } from "@/lib/domain/transfer/events";
import { nextStep, type TransferStep } from "@/lib/domain/transfer/process";
import { isTerminal, type TransferState } from "@/lib/domain/transfer/state";
import { deciderSpecification, stateAfter } from "./support/decider-spec";
import {
  destinationCredited,
  destinationCreditRefused,
  payee,
  payer,
  recordCapture,
  recordCredited,
  recordCreditRejected,
  recordRelease,
  recordReservationRejected,
  recordReserved,
  recordScreening,
  rejectTransfer,
  releaseTransfer,
  requestData,
  requestTransfer,
  sourceDebitReserved,
  transferCompleted,
  transferFailed,
  transferHeld,
  transferReleased,
  transferRequested,
  transferScreened,
} from "./support/transfer-fixtures";

const given = deciderSpecification(transferDecider);
const stepAfter = (events: readonly TransferEvent[]): TransferStep | null => nextStep(stateAfter(transferDecider, events));

// What the process manager asks of the accounts at each stage of tr-1 (125.00 EUR, "invoice 7").
const payerOnStatement: Counterparty = { accountId: payer.accountId, number: payer.number, name: payer.name };
const payeeOnStatement: Counterparty = { accountId: payee.accountId, number: payee.number, name: payee.name };
const screenStep: TransferStep = { type: "Screen" };
const reserveStep: TransferStep = {
  type: "Reserve",
  accountId: "acc-src",
  command: { type: "ReserveFunds", data: { transferId: "tr-1", amount: 12_500n, currency: "EUR" } },
};
const creditStep: TransferStep = {
  type: "Credit",
  accountId: "acc-dst",
  command: {
    type: "CreditTransfer",
    data: { transferId: "tr-1", amount: 12_500n, currency: "EUR", counterparty: payerOnStatement, reference: "invoice 7" },
  },
};
const captureStep: TransferStep = {
  type: "Capture",
  accountId: "acc-src",
  command: { type: "CaptureReservation", data: { transferId: "tr-1", counterparty: payeeOnStatement, reference: "invoice 7" } },
};
const releaseStep = (reason: string): TransferStep => ({
  type: "Release",
  accountId: "acc-src",
  command: { type: "ReleaseReservation", data: { transferId: "tr-1", reason } },
});

// The stream at each stage.
const requested: TransferEvent[] = [transferRequested()];
const screened: TransferEvent[] = [...requested, transferScreened()];
const held: TransferEvent[] = [...requested, transferHeld(["ACME Shell Co"])];
const releasedFromHold: TransferEvent[] = [...held, transferReleased()];
const reserved: TransferEvent[] = [...screened, sourceDebitReserved()];
const credited: TransferEvent[] = [...reserved, destinationCredited()];
const completed: TransferEvent[] = [...credited, transferCompleted()];
const releasing: TransferEvent[] = [
  ...reserved,
  destinationCreditRefused("DESTINATION_FROZEN", FAILURE_REASONS.DESTINATION_FROZEN),
];
const failedAtCredit: TransferEvent[] = [
  ...releasing,
  transferFailed("DESTINATION_FROZEN", FAILURE_REASONS.DESTINATION_FROZEN, "credit"),
];
const failedAtReserve: TransferEvent[] = [
  ...screened,
  transferFailed("INSUFFICIENT_FUNDS", FAILURE_REASONS.INSUFFICIENT_FUNDS, "reserve"),
];
const rejectedInReview: TransferEvent[] = [...held, transferFailed("REJECTED_IN_REVIEW", "confirmed sanctions match", "screening")];

describe("transfer decider and process manager", () => {
  describe("completed: requested, screened clear, reserved, credited, captured", () => {
    it("RequestTransfer on a new stream records the request with its data", () => {
      given([]).when(requestTransfer()).then([{ type: "TransferRequested", data: { ...requestData } }]);
    });

    it("nextStep after the request is Screen", () => {
      expect(stepAfter(requested)).toEqual(screenStep);
    });

    it("RecordScreening with no matches records TransferScreened with the entries checked", () => {
      given(requested).when(recordScreening([], 42)).then([transferScreened(42)]);
    });

    it("nextStep once screened is Reserve: ReserveFunds on the source for the amount and currency", () => {
      expect(stepAfter(screened)).toEqual(reserveStep);
    });

    it("RecordReservation reserved records SourceDebitReserved for the transfer's amount", () => {
      given(screened).when(recordReserved()).then([sourceDebitReserved(12_500n)]);
    });

    it("nextStep once reserved is Credit: CreditTransfer on the destination, with the payer as counterparty", () => {
      expect(stepAfter(reserved)).toEqual(creditStep);
    });

    it("RecordCredit credited records DestinationCredited for the transfer's amount", () => {
      given(reserved).when(recordCredited()).then([destinationCredited(12_500n)]);
    });

    it("nextStep once credited is Capture: CaptureReservation on the source, with the payee as counterparty", () => {
      expect(stepAfter(credited)).toEqual(captureStep);
    });

    it("RecordCapture records TransferCompleted for the transfer's amount", () => {
      given(credited).when(recordCapture()).then([transferCompleted(12_500n)]);
    });

    it("nextStep once completed is null, and Completed is terminal", () => {
      expect(stepAfter(completed)).toBeNull();
      expect(isTerminal(stateAfter(transferDecider, completed))).toBe(true);
    });

    it("the state at the end carries the request's facts and no failure", () => {
      expect(stateAfter(transferDecider, completed)).toEqual({ status: "Completed", ...requestData });
    });

    it("a transfer without a reference sends null as the reference on every leg", () => {
      const events = [transferRequested({ reference: null }), transferScreened(), sourceDebitReserved()];
      expect(stepAfter(events)).toMatchObject({ command: { type: "CreditTransfer", data: { reference: null } } });
      expect(stepAfter([...events, destinationCredited()])).toMatchObject({ command: { type: "CaptureReservation", data: { reference: null } } });
    });
  });

  describe("refused at reserve", () => {
    it.each([
      ["INSUFFICIENT_FUNDS", "Not enough available money in the source account."],
      ["ACCOUNT_FROZEN", "The source account is frozen."],
      ["ACCOUNT_CLOSED", "The source account is closed."],
      ["CURRENCY_MISMATCH", "The accounts hold different currencies."],
    ] as const)("RecordReservation rejected %s fails the transfer at step reserve, saying why", (code, words) => {
      expect(FAILURE_REASONS[code]).toBe(words);
      given(screened).when(recordReservationRejected(code, 300n)).then([transferFailed(code, words, "reserve")]);
    });

    it("nextStep once failed at reserve is null: nothing was held, so nothing to release", () => {
      expect(stepAfter(failedAtReserve)).toBeNull();
    });

    it("the failed state keeps the failure for the progress page, and Failed is terminal", () => {
      const state = stateAfter(transferDecider, failedAtReserve);
      expect(state).toEqual({
        status: "Failed",
        ...requestData,
        failure: { code: "INSUFFICIENT_FUNDS", reason: FAILURE_REASONS.INSUFFICIENT_FUNDS, step: "reserve" },
      });
      expect(isTerminal(state)).toBe(true);
    });
  });

  describe("refused at credit: the hold is released, then the transfer fails", () => {
    it.each([
      ["ACCOUNT_FROZEN", "DESTINATION_FROZEN", "The payee's account is frozen and cannot receive money."],
      ["ACCOUNT_CLOSED", "DESTINATION_CLOSED", "The payee's account is closed."],
      ["CURRENCY_MISMATCH", "CURRENCY_MISMATCH", "The accounts hold different currencies."],
    ] as const)("RecordCredit rejected %s records DestinationCreditRefused %s", (accountCode, transferCode, words) => {
      expect(FAILURE_REASONS[transferCode]).toBe(words);
      given(reserved).when(recordCreditRejected(accountCode)).then([destinationCreditRefused(transferCode, words)]);
    });

    it.each([
      ["DESTINATION_FROZEN", FAILURE_REASONS.DESTINATION_FROZEN],
      ["DESTINATION_CLOSED", FAILURE_REASONS.DESTINATION_CLOSED],
      ["CURRENCY_MISMATCH", FAILURE_REASONS.CURRENCY_MISMATCH],
    ] as const)("after a %s refusal, nextStep is Release: ReleaseReservation on the source with the failure's words", (code, words) => {
      const events = [...reserved, destinationCreditRefused(code, words)];
      expect(stepAfter(events)).toEqual(releaseStep(words));
      expect(isTerminal(stateAfter(transferDecider, events))).toBe(false);
    });

    it.each([
      ["DESTINATION_FROZEN", FAILURE_REASONS.DESTINATION_FROZEN],
      ["DESTINATION_CLOSED", FAILURE_REASONS.DESTINATION_CLOSED],
      ["CURRENCY_MISMATCH", FAILURE_REASONS.CURRENCY_MISMATCH],
    ] as const)("RecordRelease after a %s refusal fails the transfer at step credit with that code", (code, words) => {
      given([...reserved, destinationCreditRefused(code, words)])
        .when(recordRelease())
        .then([transferFailed(code, words, "credit")]);
    });

    it("nextStep once failed at credit is null", () => {
      expect(stepAfter(failedAtCredit)).toBeNull();
      expect(stateAfter(transferDecider, failedAtCredit)).toEqual({
        status: "Failed",
        ...requestData,
        failure: { code: "DESTINATION_FROZEN", reason: FAILURE_REASONS.DESTINATION_FROZEN, step: "credit" },
      });
    });
  });

  describe("held for review, then released", () => {
    it("RecordScreening with matches holds the transfer, naming the matches in the reason", () => {
      given(requested)
        .when(recordScreening(["ACME Shell Co", "J. Doe"]))
        .then([
          {
            type: "TransferHeld",
            data: { reason: "Payee or reference matches the sanctions list: ACME Shell Co, J. Doe", matches: ["ACME Shell Co", "J. Doe"] },
          },
        ]);
    });

    it("nextStep while held is null: it waits for an admin", () => {
      expect(stepAfter(held)).toBeNull();
      expect(isTerminal(stateAfter(transferDecider, held))).toBe(false);
    });

    it("the held state keeps the reason and the matches", () => {
      expect(stateAfter(transferDecider, held)).toEqual({
        status: "Held",
        ...requestData,
        hold: { reason: "Payee or reference matches the sanctions list: ACME Shell Co", matches: ["ACME Shell Co"] },
      });
    });

    it("ReleaseTransfer records TransferReleased with the admin's reason", () => {
      given(held).when(releaseTransfer("different person, checked passport")).then([transferReleased("different person, checked passport")]);
    });

    it("nextStep once released is Reserve, as after a clear screening", () => {
      expect(stepAfter(releasedFromHold)).toEqual(reserveStep);
    });

    it("a released transfer goes on to complete", () => {
      given(releasedFromHold).when(recordReserved()).then([sourceDebitReserved()]);
      given([...releasedFromHold, sourceDebitReserved()]).when(recordCredited()).then([destinationCredited()]);
      given([...releasedFromHold, sourceDebitReserved(), destinationCredited()]).when(recordCapture()).then([transferCompleted()]);
    });
  });

  describe("held for review, then rejected", () => {
    it("RejectTransfer fails it REJECTED_IN_REVIEW at step screening with the admin's reason", () => {
      given(held)
        .when(rejectTransfer("name and date of birth match"))
        .then([transferFailed("REJECTED_IN_REVIEW", "name and date of birth match", "screening")]);
    });

    it("nextStep once rejected is null, and the transfer is terminal", () => {
      expect(stepAfter(rejectedInReview)).toBeNull();
      expect(isTerminal(stateAfter(transferDecider, rejectedInReview))).toBe(true);
    });
  });

  describe("release and reject only apply to a held transfer", () => {
    const notHeld: [string, TransferEvent[]][] = [
      ["Requested", requested],
      ["Screened", screened],
      ["released from a hold", releasedFromHold],
      ["Reserved", reserved],
      ["Credited", credited],
      ["Releasing", releasing],
      ["Completed", completed],
      ["Failed at reserve", failedAtReserve],
      ["Failed at credit", failedAtCredit],
      ["rejected in review", rejectedInReview],
    ];

    it.each(notHeld)("ReleaseTransfer when %s throws TRANSFER_NOT_HELD", (_label, events) => {
      given(events).when(releaseTransfer()).thenThrows("TRANSFER_NOT_HELD");
    });

    it.each(notHeld)("RejectTransfer when %s throws TRANSFER_NOT_HELD", (_label, events) => {
      given(events).when(rejectTransfer()).thenThrows("TRANSFER_NOT_HELD");
    });
  });

  describe("each Record* repeated after its step is a no-op", () => {
    it.each<[string, TransferEvent[], TransferCommand]>([
      ["RecordScreening after a clear screening", screened, recordScreening()],
      ["RecordScreening with matches after a clear screening", screened, recordScreening(["ACME Shell Co"])],
      ["RecordScreening while held", held, recordScreening(["ACME Shell Co"])],
      ["RecordScreening with no matches while held: a re-run does not lift the hold", held, recordScreening()],
      ["RecordScreening after release from a hold", releasedFromHold, recordScreening(["ACME Shell Co"])],
      ["RecordReservation reserved after the reserve", reserved, recordReserved()],
      ["RecordReservation rejected after the reserve", reserved, recordReservationRejected("INSUFFICIENT_FUNDS")],
      ["RecordReservation after failing at reserve", failedAtReserve, recordReservationRejected("INSUFFICIENT_FUNDS")],
      ["RecordCredit credited after the credit", credited, recordCredited()],
      ["RecordCredit rejected after the credit", credited, recordCreditRejected("ACCOUNT_FROZEN")],
      ["RecordCredit after a refused credit", releasing, recordCreditRejected("ACCOUNT_FROZEN")],
      ["RecordCredit credited after a refused credit", releasing, recordCredited()],
      ["RecordRelease after failing at credit", failedAtCredit, recordRelease()],
      ["RecordCapture after completing", completed, recordCapture()],
    ])("%s", (_label, events, command) => {
      given(events).when(command).then([]);
    });
  });

  describe("a Record* for a step the transfer is not at is ignored", () => {
    it.each<[string, TransferEvent[], TransferCommand]>([
      ["RecordReservation before screening", requested, recordReserved()],
      ["RecordReservation while held", held, recordReserved()],
      ["RecordCredit before the reserve", screened, recordCredited()],
      ["RecordCapture before the credit", reserved, recordCapture()],
      ["RecordCapture after a refused credit", releasing, recordCapture()],
      ["RecordRelease while credited", credited, recordRelease()],
      ["RecordRelease after completing", completed, recordRelease()],
      ["RecordCapture after failing at credit", failedAtCredit, recordCapture()],
      ["RecordCredit after rejection in review", rejectedInReview, recordCredited()],
    ])("%s", (_label, events, command) => {
      given(events).when(command).then([]);
    });
  });

  describe("existence", () => {
    it.each<[string, TransferEvent[]]>([
      ["Requested", requested],
      ["Held", held],
      ["Completed", completed],
      ["Failed", failedAtCredit],
    ])("RequestTransfer when %s throws TRANSFER_ALREADY_EXISTS", (_label, events) => {
      given(events).when(requestTransfer()).thenThrows("TRANSFER_ALREADY_EXISTS");
    });

    it.each<[string, TransferCommand]>([
      ["RecordScreening", recordScreening()],
      ["ReleaseTransfer", releaseTransfer()],
      ["RejectTransfer", rejectTransfer()],
      ["RecordReservation", recordReserved()],
      ["RecordCredit", recordCredited()],
      ["RecordRelease", recordRelease()],
      ["RecordCapture", recordCapture()],
    ])("%s on a transfer that does not exist throws TRANSFER_NOT_FOUND", (_label, command) => {
      given([]).when(command).thenThrows("TRANSFER_NOT_FOUND");
    });

    it("nextStep for a transfer that does not exist is null", () => {
      expect(nextStep(initialTransferState())).toBeNull();
      expect(isTerminal(initialTransferState())).toBe(false);
    });

    it("evolve ignores anything but TransferRequested on a transfer that does not exist", () => {
      for (const event of [transferScreened(), sourceDebitReserved(), transferCompleted()]) {
        expect(evolveTransfer(initialTransferState(), event)).toEqual({ status: "None" });
      }
    });
  });
});

describe("transfer process properties", () => {
  type Outcomes = {
    matches: string[];
    review: "release" | "reject" | "wait";
    reservation: TransferCommand & { type: "RecordReservation" };
    credit: TransferCommand & { type: "RecordCredit" };
    /** For each step, whether the runner records it a second time (a retry after a crash). */
    retries: boolean[];
  };

  const outcomes: fc.Arbitrary<Outcomes> = fc.record({
    matches: fc.oneof(fc.constant<string[]>([]), fc.array(fc.constantFrom("ACME Shell Co", "J. Doe", "Volkov"), { minLength: 1, maxLength: 2 })),
    review: fc.constantFrom("release", "reject", "wait"),
    reservation: fc.oneof(
      fc.constant({ type: "RecordReservation", data: { outcome: "reserved" } } as const),
      fc
        .record({
          code: fc.constantFrom("INSUFFICIENT_FUNDS", "ACCOUNT_FROZEN", "ACCOUNT_CLOSED", "CURRENCY_MISMATCH"),
          available: fc.bigInt({ min: 0n, max: 10_000n }),
        })
        .map(({ code, available }) => ({ type: "RecordReservation", data: { outcome: "rejected", code, available } }) as const),
    ),
    credit: fc.oneof(
      fc.constant({ type: "RecordCredit", data: { outcome: "credited" } } as const),
      fc
        .constantFrom("ACCOUNT_FROZEN", "ACCOUNT_CLOSED", "CURRENCY_MISMATCH")
        .map((code) => ({ type: "RecordCredit", data: { outcome: "rejected", code } }) as const),
    ),
    retries: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
  });

  /** A runner over the pure pieces: nextStep says what to do, the chosen outcome is recorded. */
  function run(choice: Outcomes): { state: TransferState; events: TransferEvent[]; steps: (TransferStep["type"] | "Review")[] } {
    const events: TransferEvent[] = [];
    let state: TransferState = initialTransferState();
    const apply = (command: TransferCommand): TransferEvent[] => {
      const produced = decideTransfer(command, state);
      for (const event of produced) {
        state = evolveTransfer(state, event);
        events.push(event);
      }
      return produced;
    };
    apply(requestTransfer());
    const steps: (TransferStep["type"] | "Review")[] = [];
    for (let iteration = 0; iteration < 10; iteration++) {
      const step = nextStep(state);
      if (step === null) {
        if (state.status !== "Held" || choice.review === "wait") break;
        // The admin decides; a person, not the runner, moves a held transfer on.
        expect(apply(choice.review === "release" ? releaseTransfer() : rejectTransfer())).toHaveLength(1);
        steps.push("Review");
        continue;
      }
      steps.push(step.type);
      const record: TransferCommand =
        step.type === "Screen"
          ? recordScreening(choice.matches)
          : step.type === "Reserve"
            ? choice.reservation
            : step.type === "Credit"
              ? choice.credit
              : step.type === "Capture"
                ? recordCapture()
                : recordRelease();
      expect(apply(record)).toHaveLength(1);
      if (choice.retries[steps.length - 1]) expect(apply(record)).toEqual([]);
    }
    return { state, events, steps };
  }

  it("a transfer driven by nextStep ends Completed or Failed, or Held when screening matched, within 6 steps", () => {
    fc.assert(
      fc.property(outcomes, (choice) => {
        const { state, steps } = run(choice);
        expect(steps.length).toBeLessThanOrEqual(6);
        expect(nextStep(state)).toBeNull();
        const matched = choice.matches.length > 0;
        if (state.status === "Held") {
          expect(matched && choice.review === "wait").toBe(true);
          return;
        }
        expect(isTerminal(state)).toBe(true);
        const cleared = !matched || choice.review === "release";
        const completes = cleared && choice.reservation.data.outcome === "reserved" && choice.credit.data.outcome === "credited";
        expect(state.status).toBe(completes ? "Completed" : "Failed");
        if (state.status !== "Failed") return;
        if (!cleared) {
          expect(state.failure).toMatchObject({ code: "REJECTED_IN_REVIEW", step: "screening" });
        } else if (choice.reservation.data.outcome === "rejected") {
          expect(state.failure).toEqual({
            code: choice.reservation.data.code,
            reason: FAILURE_REASONS[choice.reservation.data.code],
            step: "reserve",
          });
          expect(steps).not.toContain("Release");
        } else {
          // A refused credit always releases the hold before failing.
          expect(state.failure.step).toBe("credit");
          expect(steps.slice(-2)).toEqual(["Credit", "Release"]);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("replaying the produced events from the initial state gives exactly the same state", () => {
    fc.assert(
      fc.property(outcomes, (choice) => {
        const { state, events } = run(choice);
        expect(events.reduce(evolveTransfer, initialTransferState())).toEqual(state);
      }),
      { numRuns: 500 },
    );
  });
});

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
