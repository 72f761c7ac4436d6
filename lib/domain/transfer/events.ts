import type { Currency } from "../shared/currency";
import type { Message } from "../shared/decider";
import { streamIds } from "../shared/stream-id";

export type TransferParty = { accountId: string; number: string; customerId: string; name: string };

export type TransferFailureCode =
  | "INSUFFICIENT_FUNDS"
  | "ACCOUNT_FROZEN"
  | "ACCOUNT_CLOSED"
  | "CURRENCY_MISMATCH"
  | "DESTINATION_FROZEN"
  | "DESTINATION_CLOSED"
  | "REJECTED_IN_REVIEW"
  | "RETURNED_BY_SCHEME";

export type TransferStepName = "screening" | "reserve" | "credit" | "capture" | "scheme";

export type TransferRequested = Message<
  "TransferRequested",
  {
    transferId: string;
    from: TransferParty;
    to: TransferParty;
    amount: bigint;
    currency: Currency;
    reference: string | null;
    /**
     * True for a payment to another bank: `to` is then an IBAN and the name the customer gave
     * (no account or customer id), and the payment goes through the scheme instead of a credit leg.
     */
    external?: boolean;
  }
>;
export type TransferScreened = Message<"TransferScreened", { checkedEntries: number }>;
export type TransferHeld = Message<"TransferHeld", { reason: string; matches: string[] }>;
export type TransferReleased = Message<"TransferReleased", { reason: string }>;
export type SourceDebitReserved = Message<"SourceDebitReserved", { amount: bigint }>;
export type DestinationCredited = Message<"DestinationCredited", { amount: bigint }>;
/** The destination refused the money: the hold on the source must be released before failing. */
export type DestinationCreditRefused = Message<"DestinationCreditRefused", { code: TransferFailureCode; reason: string }>;
/** An external payment, its money reserved, is handed to the scheme (which reads it from the outbox). */
export type SentToScheme = Message<"SentToScheme", Record<string, never>>;
/** The scheme says the receiving bank took the money: the reservation is captured next. */
export type SchemeSettled = Message<"SchemeSettled", { schemeReference: string | null }>;
/** The scheme gave the payment back: the reservation is released next, then the payment fails. */
export type SchemeReturned = Message<"SchemeReturned", { code: TransferFailureCode; reason: string }>;
export type TransferCompleted = Message<"TransferCompleted", { amount: bigint }>;
export type TransferFailed = Message<"TransferFailed", { code: TransferFailureCode; reason: string; step: TransferStepName }>;

export type TransferEvent =
  | TransferRequested
  | TransferScreened
  | TransferHeld
  | TransferReleased
  | SourceDebitReserved
  | DestinationCredited
  | DestinationCreditRefused
  | SentToScheme
  | SchemeSettled
  | SchemeReturned
  | TransferCompleted
  | TransferFailed;

export const TRANSFER_STREAM_TYPE = "transfer";
export const transferStreams = streamIds(TRANSFER_STREAM_TYPE);
export const transferStreamId = transferStreams.of;
