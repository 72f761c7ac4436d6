import { accountNumberFromDigits } from "@/lib/domain/account/account-number";
import type { RecordCredit, RecordReservation, RequestTransfer, TransferCommand } from "@/lib/domain/transfer/commands";
import type { TransferEvent, TransferFailureCode, TransferParty, TransferStepName } from "@/lib/domain/transfer/events";

/** Commands and events for transfer specs: 125.00 EUR from Grace's account to Ada's. */
export const payer: TransferParty = {
  accountId: "acc-src",
  number: accountNumberFromDigits("11112222"),
  customerId: "cust-grace",
  name: "Grace Hopper",
};
export const payee: TransferParty = {
  accountId: "acc-dst",
  number: accountNumberFromDigits("33334444"),
  customerId: "cust-ada",
  name: "Ada Lovelace",
};

export const requestData: RequestTransfer["data"] = {
  transferId: "tr-1",
  from: payer,
  to: payee,
  amount: 12_500n,
  currency: "EUR",
  reference: "invoice 7",
};

export const requestTransfer = (data: Partial<RequestTransfer["data"]> = {}): TransferCommand => ({
  type: "RequestTransfer",
  data: { ...requestData, ...data },
});
export const recordScreening = (matches: string[] = [], checkedEntries = 3): TransferCommand => ({
  type: "RecordScreening",
  data: { matches, checkedEntries },
});
export const releaseTransfer = (reason = "false positive: different person"): TransferCommand => ({
  type: "ReleaseTransfer",
  data: { reason },
});
export const rejectTransfer = (reason = "confirmed sanctions match"): TransferCommand => ({
  type: "RejectTransfer",
  data: { reason },
});
export const recordReserved = (): TransferCommand => ({ type: "RecordReservation", data: { outcome: "reserved" } });
export const recordReservationRejected = (
  code: Extract<RecordReservation["data"], { outcome: "rejected" }>["code"],
  available = 0n,
): TransferCommand => ({ type: "RecordReservation", data: { outcome: "rejected", code, available } });
export const recordCredited = (): TransferCommand => ({ type: "RecordCredit", data: { outcome: "credited" } });
export const recordCreditRejected = (code: Extract<RecordCredit["data"], { outcome: "rejected" }>["code"]): TransferCommand => ({
  type: "RecordCredit",
  data: { outcome: "rejected", code },
});
export const recordRelease = (): TransferCommand => ({ type: "RecordRelease", data: {} });
export const recordCapture = (): TransferCommand => ({ type: "RecordCapture", data: {} });

export const transferRequested = (data: Partial<RequestTransfer["data"]> = {}): TransferEvent => ({
  type: "TransferRequested",
  data: { ...requestData, ...data },
});
export const transferScreened = (checkedEntries = 3): TransferEvent => ({ type: "TransferScreened", data: { checkedEntries } });
export const transferHeld = (matches: string[], reason = `Payee or reference matches the sanctions list: ${matches.join(", ")}`): TransferEvent => ({
  type: "TransferHeld",
  data: { reason, matches },
});
export const transferReleased = (reason = "false positive: different person"): TransferEvent => ({ type: "TransferReleased", data: { reason } });
export const sourceDebitReserved = (amount = requestData.amount): TransferEvent => ({ type: "SourceDebitReserved", data: { amount } });
export const destinationCredited = (amount = requestData.amount): TransferEvent => ({ type: "DestinationCredited", data: { amount } });
export const destinationCreditRefused = (code: TransferFailureCode, reason: string): TransferEvent => ({
  type: "DestinationCreditRefused",
  data: { code, reason },
});
export const transferCompleted = (amount = requestData.amount): TransferEvent => ({ type: "TransferCompleted", data: { amount } });
export const transferFailed = (code: TransferFailureCode, reason: string, step: TransferStepName): TransferEvent => ({
  type: "TransferFailed",
  data: { code, reason, step },
});
