import type { Currency } from "../shared/currency";
import type { Message } from "../shared/decider";

export const FREEZE_CATEGORIES = ["suspected_fraud", "compliance_review", "customer_request", "legal_order", "other"] as const;
export type FreezeCategory = (typeof FREEZE_CATEGORIES)[number];

export type OpenAccount = Message<
  "OpenAccount",
  { accountId: string; customerId: string; currency: Currency; number: string; nickname: string | null }
>;
export type DepositMoney = Message<"DepositMoney", { amount: bigint; reference: string | null }>;
export type WithdrawMoney = Message<"WithdrawMoney", { amount: bigint; reference: string | null }>;
/** `category` is shown to the customer; `reason` is the admin's note, kept for the back office. */
export type FreezeAccount = Message<"FreezeAccount", { category: FreezeCategory; reason: string }>;
export type UnfreezeAccount = Message<"UnfreezeAccount", { reason: string }>;
export type CloseAccount = Message<"CloseAccount", { reason: string }>;

/** The other side of a transfer, as statements show it. */
export type Counterparty = { accountId: string; number: string; name: string };

// Transfer legs, sent by the transfer process manager. Each runs at most once per transfer: the
// runner sends it under the idempotency key transfer:<id>:<leg>, recorded with its events. Reserve,
// capture and release are also no-ops in the aggregate when the hold says they already ran.
export type ReserveFunds = Message<"ReserveFunds", { transferId: string; amount: bigint; currency: string }>;
/** `returned`: the money came back from another bank, so the statement says so (a plain release does not). */
export type ReleaseReservation = Message<
  "ReleaseReservation",
  { transferId: string; reason: string; returned?: { counterparty: Counterparty; reference: string | null } }
>;
export type CaptureReservation = Message<"CaptureReservation", { transferId: string; counterparty: Counterparty; reference: string | null }>;
export type CreditTransfer = Message<
  "CreditTransfer",
  { transferId: string; amount: bigint; currency: string; counterparty: Counterparty; reference: string | null }
>;

export type AccountCommand =
  | OpenAccount
  | DepositMoney
  | WithdrawMoney
  | FreezeAccount
  | UnfreezeAccount
  | CloseAccount
  | ReserveFunds
  | ReleaseReservation
  | CaptureReservation
  | CreditTransfer;
