/**
 * Expected failures carry a stable code that one mapper (lib/errors/messages.ts) turns into words.
 * Domain code throws only these; anything else is a bug.
 */
export type DomainErrorCode =
  | "ACCOUNT_NOT_FOUND"
  | "ACCOUNT_ALREADY_EXISTS"
  | "INVARIANT_VIOLATED"
  | "TRANSFER_ALREADY_EXISTS"
  | "TRANSFER_NOT_FOUND"
  | "TRANSFER_NOT_HELD"
  | "SANCTIONS_ENTRY_EXISTS"
  | "SANCTIONS_ENTRY_NOT_FOUND"
  | "ORDER_NOT_FOUND"
  | "ORDER_ALREADY_EXISTS"
  | "ORDER_ENDED"
  | "ORDER_SCHEDULE_EMPTY"
  /** Segregation of duties: an admin acting on their own account or transfer. */
  | "OWN_ITEM"
  | "SCHEME_PAYMENT_ID_REUSED"
  | "INBOUND_PAYMENT_NOT_FOUND"
  | "INBOUND_PAYMENT_NOT_HELD"
  /** Four eyes: the action needs a second admin's approval (the command layer asks for one). */
  | "APPROVAL_REQUIRED"
  | "APPROVAL_PENDING"
  | "APPROVAL_NOT_FOUND"
  | "APPROVAL_NOT_PENDING"
  | "OUTBOUND_PAYMENT_NOT_FOUND"
  | "OUTBOUND_PAYMENT_ANSWERED"
  | "OUTBOUND_PAYMENT_NOT_SENT";

export class DomainError extends Error {
  readonly code: DomainErrorCode;
  constructor(code: DomainErrorCode, message: string) {
    super(message);
    this.name = "DomainError";
    this.code = code;
  }
}

export type FieldErrors = Record<string, string[]>;

/** Input that fails validation: nothing was appended. */
export class ValidationError extends Error {
  readonly code = "VALIDATION_FAILED" as const;
  readonly fieldErrors: FieldErrors;
  constructor(fieldErrors: FieldErrors, message = "Some fields need attention.") {
    super(message);
    this.name = "ValidationError";
    this.fieldErrors = fieldErrors;
  }
}

export function assertNever(value: never): never {
  throw new Error(`Unhandled case: ${JSON.stringify(value)}`);
}
