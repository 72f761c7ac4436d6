import type { Currency } from "../shared/currency";
import type { Message } from "../shared/decider";
import type { Counterparty, FreezeCategory } from "./commands";

export type AccountOpened = Message<
  "AccountOpened",
  { accountId: string; customerId: string; currency: Currency; number: string; nickname: string | null }
>;
export type MoneyDeposited = Message<"MoneyDeposited", { amount: bigint; reference: string | null }>;
export type MoneyWithdrawn = Message<"MoneyWithdrawn", { amount: bigint; reference: string | null }>;
export type AccountFrozen = Message<"AccountFrozen", { category: FreezeCategory; reason: string }>;
export type AccountUnfrozen = Message<"AccountUnfrozen", { reason: string }>;
export type AccountClosed = Message<"AccountClosed", { reason: string }>;

/** Why a money command was refused; stable codes that the UI and API map to words. */
export type DepositRejectionCode = "ACCOUNT_FROZEN" | "ACCOUNT_CLOSED";
export type WithdrawalRejectionCode = "INSUFFICIENT_FUNDS" | "ACCOUNT_FROZEN" | "ACCOUNT_CLOSED";
export type AccountCommandRejectionCode =
  "ALREADY_FROZEN" | "NOT_FROZEN" | "ACCOUNT_CLOSED" | "ACCOUNT_FROZEN" | "BALANCE_NOT_ZERO" | "FUNDS_RESERVED";

/** Refusals are facts too: they are audited and shown in the statement, and change no balance. */
export type DepositRejected = Message<"DepositRejected", { amount: bigint; reference: string | null; code: DepositRejectionCode }>;
export type WithdrawalRejected = Message<
  "WithdrawalRejected",
  { amount: bigint; reference: string | null; code: WithdrawalRejectionCode; available: bigint }
>;
export type AccountCommandRejected = Message<
  "AccountCommandRejected",
  { command: "FreezeAccount" | "UnfreezeAccount" | "CloseAccount"; code: AccountCommandRejectionCode; reason: string }
>;

export type ReservationRejectionCode = "INSUFFICIENT_FUNDS" | "ACCOUNT_FROZEN" | "ACCOUNT_CLOSED" | "CURRENCY_MISMATCH";
export type CreditRejectionCode = "ACCOUNT_FROZEN" | "ACCOUNT_CLOSED" | "CURRENCY_MISMATCH";

/** Transfer legs: a hold on the source, its capture or release, and the credit on the destination. */
export type FundsReserved = Message<"FundsReserved", { transferId: string; amount: bigint }>;
export type ReservationRejected = Message<
  "ReservationRejected",
  { transferId: string; amount: bigint; code: ReservationRejectionCode; available: bigint }
>;
export type ReservationReleased = Message<
  "ReservationReleased",
  { transferId: string; amount: bigint; reason: string; returned?: { counterparty: Counterparty; reference: string | null } }
>;
export type ReservationCaptured = Message<
  "ReservationCaptured",
  { transferId: string; amount: bigint; counterparty: Counterparty; reference: string | null }
>;
export type TransferCredited = Message<
  "TransferCredited",
  { transferId: string; amount: bigint; counterparty: Counterparty; reference: string | null }
>;
export type CreditRejected = Message<
  "CreditRejected",
  { transferId: string; amount: bigint; code: CreditRejectionCode; counterparty: Counterparty; reference: string | null }
>;

export type AccountEvent =
  | AccountOpened
  | MoneyDeposited
  | MoneyWithdrawn
  | AccountFrozen
  | AccountUnfrozen
  | AccountClosed
  | DepositRejected
  | WithdrawalRejected
  | AccountCommandRejected
  | FundsReserved
  | ReservationRejected
  | ReservationReleased
  | ReservationCaptured
  | TransferCredited
  | CreditRejected;

export type AccountEventType = AccountEvent["type"];

export const REJECTION_EVENT_TYPES = new Set<AccountEventType>([
  "DepositRejected",
  "WithdrawalRejected",
  "AccountCommandRejected",
  "ReservationRejected",
  "CreditRejected",
]);
