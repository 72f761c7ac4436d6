// The transfer histories and steps the transfer specs start from.
import { type Counterparty } from "@/lib/domain/account/commands";
import { FAILURE_REASONS, transferDecider } from "@/lib/domain/transfer/decider";
import { type TransferEvent } from "@/lib/domain/transfer/events";
import { nextStep, type TransferStep } from "@/lib/domain/transfer/process";

import { deciderSpecification, stateAfter } from "./decider-spec";
import {
  destinationCredited,
  destinationCreditRefused,
  payee,
  payer,
  sourceDebitReserved,
  transferCompleted,
  transferFailed,
  transferHeld,
  transferReleased,
  transferRequested,
  transferScreened,
} from "./transfer-fixtures";

export const given = deciderSpecification(transferDecider);
export const stepAfter = (events: readonly TransferEvent[]): TransferStep | null => nextStep(stateAfter(transferDecider, events));

// What the process manager asks of the accounts at each stage of tr-1 (125.00 EUR, "invoice 7").
export const payerOnStatement: Counterparty = { accountId: payer.accountId, number: payer.number, name: payer.name };
export const payeeOnStatement: Counterparty = { accountId: payee.accountId, number: payee.number, name: payee.name };
export const screenStep: TransferStep = { type: "Screen" };
export const reserveStep: TransferStep = {
  type: "Reserve",
  accountId: "acc-src",
  command: { type: "ReserveFunds", data: { transferId: "tr-1", amount: 12_500n, currency: "EUR" } },
};
export const creditStep: TransferStep = {
  type: "Credit",
  accountId: "acc-dst",
  command: {
    type: "CreditTransfer",
    data: { transferId: "tr-1", amount: 12_500n, currency: "EUR", counterparty: payerOnStatement, reference: "invoice 7" },
  },
};
export const captureStep: TransferStep = {
  type: "Capture",
  accountId: "acc-src",
  command: { type: "CaptureReservation", data: { transferId: "tr-1", counterparty: payeeOnStatement, reference: "invoice 7" } },
};
export const releaseStep = (reason: string): TransferStep => ({
  type: "Release",
  accountId: "acc-src",
  command: { type: "ReleaseReservation", data: { transferId: "tr-1", reason } },
});

// The stream at each stage.
export const requested: TransferEvent[] = [transferRequested()];
export const screened: TransferEvent[] = [...requested, transferScreened()];
export const held: TransferEvent[] = [...requested, transferHeld(["ACME Shell Co"])];
export const releasedFromHold: TransferEvent[] = [...held, transferReleased()];
export const reserved: TransferEvent[] = [...screened, sourceDebitReserved()];
export const credited: TransferEvent[] = [...reserved, destinationCredited()];
export const completed: TransferEvent[] = [...credited, transferCompleted()];
export const releasing: TransferEvent[] = [...reserved, destinationCreditRefused("DESTINATION_FROZEN", FAILURE_REASONS.DESTINATION_FROZEN)];
export const failedAtCredit: TransferEvent[] = [...releasing, transferFailed("DESTINATION_FROZEN", FAILURE_REASONS.DESTINATION_FROZEN, "credit")];
export const failedAtReserve: TransferEvent[] = [...screened, transferFailed("INSUFFICIENT_FUNDS", FAILURE_REASONS.INSUFFICIENT_FUNDS, "reserve")];
export const rejectedInReview: TransferEvent[] = [...held, transferFailed("REJECTED_IN_REVIEW", "confirmed sanctions match", "screening")];
