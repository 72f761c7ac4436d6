import type { Decider } from "../shared/decider";
import { assertNever, DomainError } from "../shared/errors";
import type { TransferCommand } from "./commands";
import type { TransferEvent, TransferFailureCode } from "./events";
import type { ActiveTransferState, TransferState } from "./state";

/** Plain words for each failure, stored with the event so the progress page can say why. */
export const FAILURE_REASONS: Record<TransferFailureCode, string> = {
  INSUFFICIENT_FUNDS: "Not enough available money in the source account.",
  ACCOUNT_FROZEN: "The source account is frozen.",
  ACCOUNT_CLOSED: "The source account is closed.",
  CURRENCY_MISMATCH: "The accounts hold different currencies.",
  DESTINATION_FROZEN: "The payee's account is frozen and cannot receive money.",
  DESTINATION_CLOSED: "The payee's account is closed.",
  REJECTED_IN_REVIEW: "The transfer was rejected in review.",
  RETURNED_BY_SCHEME: "The receiving bank returned the payment.",
};

export function decideTransfer(command: TransferCommand, state: TransferState): TransferEvent[] {
  if (command.type === "RequestTransfer") {
    if (state.status !== "None") throw new DomainError("TRANSFER_ALREADY_EXISTS", "This transfer already exists.");
    return [{ type: "TransferRequested", data: { ...command.data } }];
  }
  if (state.status === "None") throw new DomainError("TRANSFER_NOT_FOUND", "No such transfer.");
  switch (command.type) {
    case "RecordScreening":
      // Recording a step twice (a retried runner) is a no-op: the first record stands.
      if (state.status !== "Requested") return [];
      if (command.data.matches.length === 0) return [{ type: "TransferScreened", data: { checkedEntries: command.data.checkedEntries } }];
      return [
        {
          type: "TransferHeld",
          data: { reason: `Payee or reference matches the sanctions list: ${command.data.matches.join(", ")}`, matches: [...command.data.matches] },
        },
      ];
    case "ReleaseTransfer":
      assertHeld(state);
      return [{ type: "TransferReleased", data: { reason: command.data.reason } }];
    case "RejectTransfer":
      assertHeld(state);
      return [{ type: "TransferFailed", data: { code: "REJECTED_IN_REVIEW", reason: command.data.reason, step: "screening" } }];
    case "RecordReservation": {
      if (state.status !== "Screened") return [];
      const data = command.data;
      if (data.outcome === "reserved") return [{ type: "SourceDebitReserved", data: { amount: state.amount } }];
      return [{ type: "TransferFailed", data: { code: data.code, reason: FAILURE_REASONS[data.code], step: "reserve" } }];
    }
    case "RecordCredit": {
      if (state.status !== "Reserved") return [];
      const data = command.data;
      if (data.outcome === "credited") return [{ type: "DestinationCredited", data: { amount: state.amount } }];
      const code: TransferFailureCode =
        data.code === "ACCOUNT_FROZEN" ? "DESTINATION_FROZEN" : data.code === "ACCOUNT_CLOSED" ? "DESTINATION_CLOSED" : "CURRENCY_MISMATCH";
      return [{ type: "DestinationCreditRefused", data: { code, reason: FAILURE_REASONS[code] } }];
    }
    case "RecordRelease":
      if (state.status !== "Releasing") return [];
      return [{ type: "TransferFailed", data: { ...state.failure } }];
    case "RecordCapture":
      if (state.status !== "Credited") return [];
      return [{ type: "TransferCompleted", data: { amount: state.amount } }];
    case "RecordSubmission":
      if (state.status !== "Reserved" || !state.external) return [];
      return [{ type: "SentToScheme", data: {} }];
    case "SettleAtScheme":
      if (schemeAnswer(state) === "settled") return [];
      assertSent(state);
      return [{ type: "SchemeSettled", data: { schemeReference: command.data.schemeReference } }];
    case "ReturnAtScheme":
      if (schemeAnswer(state) === "returned") return [];
      assertSent(state);
      return [
        {
          type: "SchemeReturned",
          data: { code: "RETURNED_BY_SCHEME", reason: `${FAILURE_REASONS.RETURNED_BY_SCHEME} ${command.data.reason}` },
        },
      ];
    default:
      return assertNever(command);
  }
}

/** What the scheme already answered about an external payment, if anything. */
function schemeAnswer(state: ActiveTransferState): "settled" | "returned" | null {
  if ((state.status === "Credited" || state.status === "Completed") && state.settled) return "settled";
  if ((state.status === "Releasing" || state.status === "Failed") && state.failure.step === "scheme") return "returned";
  return null;
}

function assertSent(state: ActiveTransferState): void {
  if (!state.external) throw new DomainError("OUTBOUND_PAYMENT_NOT_FOUND", "There is no such payment to another bank.");
  const answered = schemeAnswer(state);
  if (answered) throw new DomainError("OUTBOUND_PAYMENT_ANSWERED", `This payment was already ${answered}; the first answer stands.`);
  if (state.status !== "Sent") throw new DomainError("OUTBOUND_PAYMENT_NOT_SENT", "This payment is not waiting for the scheme.");
}

function assertHeld(state: ActiveTransferState): void {
  if (state.status !== "Held") throw new DomainError("TRANSFER_NOT_HELD", "Only a transfer held for review can be released or rejected.");
}

export function evolveTransfer(state: TransferState, event: TransferEvent): TransferState {
  if (event.type === "TransferRequested") return { status: "Requested", ...event.data };
  if (state.status === "None") return state;
  const { status: _status, ...rest } = state;
  const facts = {
    transferId: rest.transferId,
    from: rest.from,
    to: rest.to,
    amount: rest.amount,
    currency: rest.currency,
    reference: rest.reference,
    ...(rest.external ? { external: true } : {}),
  };
  switch (event.type) {
    case "TransferScreened":
    case "TransferReleased":
      return { ...facts, status: "Screened" };
    case "TransferHeld":
      return { ...facts, status: "Held", hold: { reason: event.data.reason, matches: event.data.matches } };
    case "SourceDebitReserved":
      return { ...facts, status: "Reserved" };
    case "DestinationCredited":
      return { ...facts, status: "Credited" };
    case "SentToScheme":
      return { ...facts, status: "Sent" };
    case "SchemeSettled":
      return { ...facts, status: "Credited", settled: true };
    case "SchemeReturned":
      return { ...facts, status: "Releasing", failure: { code: event.data.code, reason: event.data.reason, step: "scheme" } };
    case "DestinationCreditRefused":
      return { ...facts, status: "Releasing", failure: { code: event.data.code, reason: event.data.reason, step: "credit" } };
    case "TransferCompleted":
      return { ...facts, status: "Completed", ...(state.status === "Credited" && state.settled ? { settled: true } : {}) };
    case "TransferFailed":
      return { ...facts, status: "Failed", failure: { ...event.data } };
    default:
      return assertNever(event);
  }
}

export const initialTransferState = (): TransferState => ({ status: "None" });

export const transferDecider: Decider<TransferCommand, TransferEvent, TransferState> = {
  decide: decideTransfer,
  evolve: evolveTransfer,
  initialState: initialTransferState,
};
