import type { Currency } from "../shared/currency";
import type { TransferFailureCode, TransferParty, TransferStepName } from "./events";

type Facts = {
  readonly transferId: string;
  readonly from: TransferParty;
  readonly to: TransferParty;
  readonly amount: bigint;
  readonly currency: Currency;
  readonly reference: string | null;
  readonly external?: boolean;
};
export type TransferFailure = { readonly code: TransferFailureCode; readonly reason: string; readonly step: TransferStepName };

/** Where a transfer stands; each status but the last two has exactly one next step. */
export type TransferState =
  | { readonly status: "None" }
  | (Facts & { readonly status: "Requested" })
  | (Facts & { readonly status: "Held"; readonly hold: { readonly reason: string; readonly matches: readonly string[] } })
  | (Facts & { readonly status: "Screened" })
  | (Facts & { readonly status: "Reserved" })
  | (Facts & { readonly status: "Sent" })
  | (Facts & { readonly status: "Credited"; readonly settled?: boolean })
  | (Facts & { readonly status: "Releasing"; readonly failure: TransferFailure })
  | (Facts & { readonly status: "Completed"; readonly settled?: boolean })
  | (Facts & { readonly status: "Failed"; readonly failure: TransferFailure });

export type ActiveTransferState = Exclude<TransferState, { status: "None" }>;

export const isTerminal = (state: TransferState) => state.status === "Completed" || state.status === "Failed";

/**
 * The transfer statuses (as the read model and the work queue name them) in which a runner has a
 * step to take; held, completed and failed transfers wait for nobody or for an admin, and a
 * payment sent to another bank (sent) waits for the scheme's answer.
 */
export const RUNNABLE_STATUSES: ReadonlySet<string> = new Set(["requested", "screened", "reserved", "credited", "releasing"]);

/** A transfer's status as the read model and the work queue name it (lower case). */
export type TransferViewStatus = Lowercase<ActiveTransferState["status"]>;
