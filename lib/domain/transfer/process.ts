import type { AccountCommand, Counterparty } from "../account/commands";
import type { TransferState } from "./state";

/**
 * The process manager as a pure function: given where a transfer stands, the one thing to do next,
 * or null when it is finished or waiting for a person (held for review).
 */
export type TransferStep =
  | { readonly type: "Screen" }
  | { readonly type: "Submit" }
  | { readonly type: "Reserve"; readonly accountId: string; readonly command: AccountCommand }
  | { readonly type: "Credit"; readonly accountId: string; readonly command: AccountCommand }
  | { readonly type: "Capture"; readonly accountId: string; readonly command: AccountCommand }
  | { readonly type: "Release"; readonly accountId: string; readonly command: AccountCommand };

export function nextStep(state: TransferState): TransferStep | null {
  if (state.status === "None") return null;
  const payer: Counterparty = { accountId: state.from.accountId, number: state.from.number, name: state.from.name };
  const payee: Counterparty = { accountId: state.to.accountId, number: state.to.number, name: state.to.name };
  const transferId = state.transferId;
  switch (state.status) {
    case "Requested":
      return { type: "Screen" };
    case "Screened":
      return {
        type: "Reserve",
        accountId: state.from.accountId,
        command: { type: "ReserveFunds", data: { transferId, amount: state.amount, currency: state.currency } },
      };
    case "Reserved":
      // A payment to another bank is handed to the scheme (the outbox) instead of credited here.
      if (state.external) return { type: "Submit" };
      return {
        type: "Credit",
        accountId: state.to.accountId,
        command: {
          type: "CreditTransfer",
          data: { transferId, amount: state.amount, currency: state.currency, counterparty: payer, reference: state.reference },
        },
      };
    case "Credited":
      return {
        type: "Capture",
        accountId: state.from.accountId,
        command: { type: "CaptureReservation", data: { transferId, counterparty: payee, reference: state.reference } },
      };
    case "Releasing":
      return {
        type: "Release",
        accountId: state.from.accountId,
        command: {
          type: "ReleaseReservation",
          data: {
            transferId,
            reason: state.failure.reason,
            ...(state.failure.step === "scheme" ? { returned: { counterparty: payee, reference: state.reference } } : {}),
          },
        },
      };
    case "Held":
    case "Sent":
    case "Completed":
    case "Failed":
      return null;
  }
}
