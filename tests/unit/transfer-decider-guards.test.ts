import { describe, expect, it } from "vitest";

import { type TransferCommand } from "@/lib/domain/transfer/commands";
import { evolveTransfer, initialTransferState } from "@/lib/domain/transfer/decider";
import { type TransferEvent } from "@/lib/domain/transfer/events";
import { nextStep } from "@/lib/domain/transfer/process";
import { isTerminal } from "@/lib/domain/transfer/state";

import {
  recordCapture,
  recordCredited,
  recordCreditRejected,
  recordRelease,
  recordReservationRejected,
  recordReserved,
  recordScreening,
  rejectTransfer,
  releaseTransfer,
  requestTransfer,
  sourceDebitReserved,
  transferCompleted,
  transferScreened,
} from "./support/transfer-fixtures";
import {
  completed,
  credited,
  failedAtCredit,
  failedAtReserve,
  given,
  held,
  rejectedInReview,
  releasedFromHold,
  releasing,
  requested,
  reserved,
  screened,
} from "./support/transfer-histories";

describe("transfer decider: commands out of place", () => {
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
