import type { Message } from "../shared/decider";
import type { TransferFailureCode, TransferRequested } from "./events";

export type RequestTransfer = Message<"RequestTransfer", TransferRequested["data"]>;
/** The outcome of screening the payee and reference against the sanctions list. */
export type RecordScreening = Message<"RecordScreening", { matches: string[]; checkedEntries: number }>;
export type ReleaseTransfer = Message<"ReleaseTransfer", { reason: string }>;
export type RejectTransfer = Message<"RejectTransfer", { reason: string }>;
export type RecordReservation = Message<
  "RecordReservation",
  { outcome: "reserved" } | { outcome: "rejected"; code: "INSUFFICIENT_FUNDS" | "ACCOUNT_FROZEN" | "ACCOUNT_CLOSED" | "CURRENCY_MISMATCH"; available: bigint }
>;
export type RecordCredit = Message<
  "RecordCredit",
  { outcome: "credited" } | { outcome: "rejected"; code: "ACCOUNT_FROZEN" | "ACCOUNT_CLOSED" | "CURRENCY_MISMATCH" }
>;
export type RecordRelease = Message<"RecordRelease", Record<string, never>>;
export type RecordCapture = Message<"RecordCapture", Record<string, never>>;

export type TransferCommand =
  | RequestTransfer
  | RecordScreening
  | ReleaseTransfer
  | RejectTransfer
  | RecordReservation
  | RecordCredit
  | RecordRelease
  | RecordCapture;

export type { TransferFailureCode };
