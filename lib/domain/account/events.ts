import type { Currency } from "../shared/currency";
import type { Message } from "../shared/decider";
import type { FreezeCategory } from "./commands";

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
  | "ALREADY_FROZEN"
  | "NOT_FROZEN"
  | "ACCOUNT_CLOSED"
  | "ACCOUNT_FROZEN"
  | "BALANCE_NOT_ZERO"
  | "FUNDS_RESERVED";

/** Refusals are facts too: they are audited and shown in the statement, and change no balance. */
export type DepositRejected = Message<
  "DepositRejected",
  { amount: bigint; reference: string | null; code: DepositRejectionCode }
>;
export type WithdrawalRejected = Message<
  "WithdrawalRejected",
  { amount: bigint; reference: string | null; code: WithdrawalRejectionCode; available: bigint }
>;
export type AccountCommandRejected = Message<
  "AccountCommandRejected",
  { command: "FreezeAccount" | "UnfreezeAccount" | "CloseAccount"; code: AccountCommandRejectionCode; reason: string }
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
  | AccountCommandRejected;

export type AccountEventType = AccountEvent["type"];

export const REJECTION_EVENT_TYPES = new Set<AccountEventType>([
  "DepositRejected",
  "WithdrawalRejected",
  "AccountCommandRejected",
]);
