import type { Currency } from "../shared/currency";
import type { Message } from "../shared/decider";
import { streamIds } from "../shared/stream-id";

/**
 * A credit that arrives from a payment scheme, one stream per scheme payment: the payment is
 * received (and screened), then credited to the account, or held for an admin, or returned to the
 * scheme. The credit itself is the account's ordinary `CreditTransfer` leg, keyed by this id.
 */
export const INBOUND_PAYMENT_STREAM_TYPE = "inbound_payment";
// Named "inbound-<id>" (not after the stream type): the ids streams already carry.
export const inboundPaymentStreams = streamIds(INBOUND_PAYMENT_STREAM_TYPE, "inbound");
export const inboundPaymentStreamId = inboundPaymentStreams.of;

/** Who sent the money, as the scheme reports them (an account outside Ledgerline). */
export type Debtor = { name: string; account: string };

export type InboundReturnCode = "ACCOUNT_UNKNOWN" | "ACCOUNT_FROZEN" | "ACCOUNT_CLOSED" | "CURRENCY_MISMATCH" | "REJECTED_IN_REVIEW";

export type InboundReceived = {
  paymentId: string;
  schemeId: string;
  schemePaymentId: string;
  accountNumber: string;
  /** Null when no account has the number (the payment is returned at once). */
  accountId: string | null;
  customerId: string | null;
  amount: bigint;
  currency: Currency;
  debtor: Debtor;
  reference: string | null;
};

export type InboundPaymentReceived = Message<"InboundPaymentReceived", InboundReceived>;
export type InboundPaymentHeld = Message<"InboundPaymentHeld", { reason: string; matches: string[] }>;
export type InboundPaymentReleased = Message<"InboundPaymentReleased", { reason: string }>;
export type InboundPaymentCredited = Message<"InboundPaymentCredited", { amount: bigint }>;
export type InboundPaymentReturned = Message<"InboundPaymentReturned", { code: InboundReturnCode; reason: string }>;

export type InboundPaymentEvent =
  InboundPaymentReceived | InboundPaymentHeld | InboundPaymentReleased | InboundPaymentCredited | InboundPaymentReturned;

/** Receive: what the scheme sent, with what the bank found for it (the account, the screening). */
export type ReceiveInboundPayment = Message<
  "ReceiveInboundPayment",
  InboundReceived & { accountProblem: "ACCOUNT_UNKNOWN" | "CURRENCY_MISMATCH" | null; sanctionsMatches: string[] }
>;
export type ReleaseInboundPayment = Message<"ReleaseInboundPayment", { reason: string }>;
export type ReturnInboundPayment = Message<"ReturnInboundPayment", { reason: string }>;
/** What the account's credit leg did. */
export type RecordInboundCredit = Message<
  "RecordInboundCredit",
  { outcome: "credited" } | { outcome: "rejected"; code: "ACCOUNT_FROZEN" | "ACCOUNT_CLOSED" | "CURRENCY_MISMATCH" }
>;

export type InboundPaymentCommand = ReceiveInboundPayment | ReleaseInboundPayment | ReturnInboundPayment | RecordInboundCredit;

export type InboundPaymentState =
  | { status: "None" }
  | (InboundReceived & { status: "Pending" })
  | (InboundReceived & { status: "Held"; hold: { reason: string; matches: string[] } })
  | (InboundReceived & { status: "Credited" })
  | (InboundReceived & { status: "Returned"; returned: { code: InboundReturnCode; reason: string } });
