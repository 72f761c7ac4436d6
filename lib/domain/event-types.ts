import type { AccountEvent } from "./account/events";
import type { ApprovalEvent } from "./approval/events";
import type { IdentityEvent } from "./identity/events";
import type { InboundPaymentEvent } from "./inbound-payment/events";
import type { OperationsEvent } from "./operations/events";
import type { OrderEvent } from "./order/events";
import type { SanctionsEvent } from "./sanctions/sanctions";
import type { TransferEvent } from "./transfer/events";

export type AuditedEventType =
  | AccountEvent["type"]
  | TransferEvent["type"]
  | SanctionsEvent["type"]
  | IdentityEvent["type"]
  | OperationsEvent["type"]
  | OrderEvent["type"]
  | InboundPaymentEvent["type"]
  | ApprovalEvent["type"];

/**
 * Every event type the audit log can hold, with a label for the filter. A Record over the union, so
 * a new event type does not compile until it is named here.
 */
const LABELS: Record<AuditedEventType, string> = {
  AccountOpened: "Account opened",
  MoneyDeposited: "Money deposited",
  MoneyWithdrawn: "Money withdrawn",
  AccountFrozen: "Account frozen",
  AccountUnfrozen: "Account unfrozen",
  AccountClosed: "Account closed",
  DepositRejected: "Deposit refused",
  WithdrawalRejected: "Withdrawal refused",
  AccountCommandRejected: "Freeze, unfreeze or close refused",
  FundsReserved: "Funds reserved",
  ReservationRejected: "Reservation refused",
  ReservationReleased: "Reservation released",
  ReservationCaptured: "Reservation captured",
  TransferCredited: "Transfer credited",
  CreditRejected: "Credit refused",
  TransferRequested: "Transfer requested",
  TransferScreened: "Transfer screened",
  TransferHeld: "Transfer held",
  TransferReleased: "Transfer released",
  SourceDebitReserved: "Transfer: source reserved",
  DestinationCredited: "Transfer: destination credited",
  DestinationCreditRefused: "Transfer: credit refused",
  SentToScheme: "Payment sent to the scheme",
  SchemeSettled: "Payment settled by the scheme",
  SchemeReturned: "Payment returned by the scheme",
  TransferCompleted: "Transfer completed",
  TransferFailed: "Transfer failed",
  SanctionsEntryAdded: "Sanctions entry added",
  SanctionsEntryRemoved: "Sanctions entry removed",
  UserRegistered: "User registered",
  SignInFailed: "Sign-in failed",
  ApiTokenIssued: "API token issued",
  ApiTokenRevoked: "API token revoked",
  PayeeAdded: "Payee added",
  PayeeRenamed: "Payee renamed",
  PayeeDeleted: "Payee deleted",
  TimeZoneChanged: "Time zone changed",
  PasswordResetRequested: "Password reset requested",
  EmailVerified: "Email address confirmed",
  EmailChangeRequested: "Email change requested",
  EmailChanged: "Email address changed",
  LocaleChanged: "Language changed",
  DisplayNameChanged: "Name changed",
  OrderCreated: "Payment order set up",
  OrderPaymentStarted: "Order payment started",
  OrderPaymentFailed: "Order payment failed",
  OrderPaused: "Payment order paused",
  OrderResumed: "Payment order resumed",
  OrderEdited: "Payment order changed",
  OrderCancelled: "Payment order cancelled",
  SessionStarted: "Session started",
  SessionEnded: "Session ended",
  SessionReauthenticated: "Identity confirmed",
  SecondFactorEnrolled: "Second factor enrolled",
  SecondFactorRemoved: "Second factor removed",
  RecoveryCodeUsed: "Recovery code used",
  PasswordChanged: "Password changed",
  PasskeyRegistered: "Passkey added",
  PasskeyRenamed: "Passkey renamed",
  PasskeyRemoved: "Passkey removed",
  ProjectionsVerified: "Read models verified",
  ProjectionsRebuilt: "Read models rebuilt",
  InboundPaymentReceived: "Inbound payment received",
  InboundPaymentHeld: "Inbound payment held",
  InboundPaymentReleased: "Inbound payment released",
  InboundPaymentCredited: "Inbound payment credited",
  InboundPaymentReturned: "Inbound payment returned",
  ApprovalRequested: "Approval requested (four eyes)",
  ApprovalGranted: "Approval granted",
  ApprovalDeclined: "Approval declined",
  ApprovalRefused: "Approval attempt refused",
};

export const AUDITED_EVENT_TYPES = (Object.keys(LABELS) as AuditedEventType[]).map((type) => ({ type, label: LABELS[type] }));

export function isAuditedEventType(value: string): value is AuditedEventType {
  return Object.hasOwn(LABELS, value);
}

export const eventTypeLabel = (type: string): string => (isAuditedEventType(type) ? LABELS[type] : type);
