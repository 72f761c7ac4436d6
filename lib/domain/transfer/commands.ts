import type { Message } from "../shared/decider";
import type { TransferFailureCode, TransferRequested } from "./events";

export type RequestTransfer = Message<"RequestTransfer", TransferRequested["data"]>;
/** The outcome of screening the payee and reference against the sanctions list. */
export type RecordScreening = Message<"RecordScreening", { matches: string[]; checkedEntries: number }>;
export type ReleaseTransfer = Message<"ReleaseTransfer", { reason: string }>;
export type RejectTransfer = Message<"RejectTransfer", { reason: string }>;
export type RecordReservation = Message<
  "RecordReservation",
  | { outcome: "reserved" }
  | { outcome: "rejected"; code: "INSUFFICIENT_FUNDS" | "ACCOUNT_FROZEN" | "ACCOUNT_CLOSED" | "CURRENCY_MISMATCH"; available: bigint }
>;
export type RecordCredit = Message<
  "RecordCredit",
  { outcome: "credited" } | { outcome: "rejected"; code: "ACCOUNT_FROZEN" | "ACCOUNT_CLOSED" | "CURRENCY_MISMATCH" }
>;
export type RecordRelease = Message<"RecordRelease", Record<string, never>>;
export type RecordCapture = Message<"RecordCapture", Record<string, never>>;
/** The runner records that an external payment is now the scheme's to answer. */
export type RecordSubmission = Message<"RecordSubmission", Record<string, never>>;
/** The scheme's answers; each may be sent again (the first answer stands, a contrary one is refused). */
export type SettleAtScheme = Message<"SettleAtScheme", { schemeReference: string | null }>;
export type ReturnAtScheme = Message<"ReturnAtScheme", { reason: string }>;

export type TransferCommand =
  | RequestTransfer
  | RecordScreening
  | ReleaseTransfer
  | RejectTransfer
  | RecordReservation
  | RecordCredit
  | RecordRelease
  | RecordCapture
  | RecordSubmission
  | SettleAtScheme
  | ReturnAtScheme;

export type { TransferFailureCode };
