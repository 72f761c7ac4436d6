import { describe, expect, it } from "vitest";

import { FAILURE_REASONS, transferDecider } from "@/lib/domain/transfer/decider";
import { isTerminal } from "@/lib/domain/transfer/state";

import { stateAfter } from "./support/decider-spec";
import {
  destinationCredited,
  destinationCreditRefused,
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
  transferReleased,
  transferRequested,
  transferScreened,
} from "./support/transfer-fixtures";
import {
  captureStep,
  completed,
  credited,
  creditStep,
  failedAtCredit,
  failedAtReserve,
  given,
  held,
  rejectedInReview,
  releasedFromHold,
  releaseStep,
  requested,
  reserved,
  reserveStep,
  screened,
  screenStep,
  stepAfter,
} from "./support/transfer-histories";

describe("transfer decider and process manager: each path a transfer takes", () => {
  describe("completed: requested, screened clear, reserved, credited, captured", () => {
    it("RequestTransfer on a new stream records the request with its data", () => {
      given([])
        .when(requestTransfer())
        .then([{ type: "TransferRequested", data: { ...requestData } }]);
    });

    it("nextStep after the request is Screen", () => {
      expect(stepAfter(requested)).toEqual(screenStep);
    });

    it("RecordScreening with no matches records TransferScreened with the entries checked", () => {
      given(requested)
        .when(recordScreening([], 42))
        .then([transferScreened(42)]);
    });

    it("nextStep once screened is Reserve: ReserveFunds on the source for the amount and currency", () => {
      expect(stepAfter(screened)).toEqual(reserveStep);
    });

    it("RecordReservation reserved records SourceDebitReserved for the transfer's amount", () => {
      given(screened)
        .when(recordReserved())
        .then([sourceDebitReserved(12_500n)]);
    });

    it("nextStep once reserved is Credit: CreditTransfer on the destination, with the payer as counterparty", () => {
      expect(stepAfter(reserved)).toEqual(creditStep);
    });

    it("RecordCredit credited records DestinationCredited for the transfer's amount", () => {
      given(reserved)
        .when(recordCredited())
        .then([destinationCredited(12_500n)]);
    });

    it("nextStep once credited is Capture: CaptureReservation on the source, with the payee as counterparty", () => {
      expect(stepAfter(credited)).toEqual(captureStep);
    });

    it("RecordCapture records TransferCompleted for the transfer's amount", () => {
      given(credited)
        .when(recordCapture())
        .then([transferCompleted(12_500n)]);
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
      given(screened)
        .when(recordReservationRejected(code, 300n))
        .then([transferFailed(code, words, "reserve")]);
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
      given(reserved)
        .when(recordCreditRejected(accountCode))
        .then([destinationCreditRefused(transferCode, words)]);
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
      given(held)
        .when(releaseTransfer("different person, checked passport"))
        .then([transferReleased("different person, checked passport")]);
    });

    it("nextStep once released is Reserve, as after a clear screening", () => {
      expect(stepAfter(releasedFromHold)).toEqual(reserveStep);
    });

    it("a released transfer goes on to complete", () => {
      given(releasedFromHold).when(recordReserved()).then([sourceDebitReserved()]);
      given([...releasedFromHold, sourceDebitReserved()])
        .when(recordCredited())
        .then([destinationCredited()]);
      given([...releasedFromHold, sourceDebitReserved(), destinationCredited()])
        .when(recordCapture())
        .then([transferCompleted()]);
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
});
