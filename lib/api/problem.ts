import { REJECTION_MESSAGES } from "../errors/messages";
import { toJsonText } from "./json";

/**
 * Every error the API answers is an RFC 9457 problem (`application/problem+json`) with a stable
 * `code`. This is the one table of codes, statuses and titles; docs/api.md lists them.
 */
export const PROBLEMS = {
  MALFORMED_JSON: { status: 400, title: "The body is not valid JSON" },
  IDEMPOTENCY_KEY_MISSING: { status: 400, title: "An Idempotency-Key header is required" },
  IDEMPOTENCY_KEY_INVALID: { status: 400, title: "The Idempotency-Key header is not valid" },
  UNAUTHENTICATED: { status: 401, title: "A valid bearer token is required" },
  INVALID_CREDENTIALS: { status: 401, title: "That email and password do not match" },
  SECOND_FACTOR_REQUIRED: { status: 401, title: "A code from the account's authenticator app is required" },
  FORBIDDEN: { status: 403, title: "This needs the admin role" },
  OWN_ITEM: { status: 403, title: "Admins cannot act on their own accounts or transfers" },
  APPROVAL_REQUIRED: { status: 403, title: "This needs a second admin's approval (four eyes)" },
  INSUFFICIENT_SCOPE: { status: 403, title: "This token's scope does not allow this" },
  NOT_FOUND: { status: 404, title: "Not found" },
  ACCOUNT_NOT_FOUND: { status: 404, title: "Account not found" },
  TRANSFER_NOT_FOUND: { status: 404, title: "Transfer not found" },
  PAYEE_NOT_FOUND: { status: 404, title: "Payee not found" },
  ORDER_NOT_FOUND: { status: 404, title: "Order not found" },
  ROLE_NOT_ALLOWED: { status: 403, title: "This token's role may not call this operation" },
  SELF_SERVICE_OFF: { status: 403, title: "Deposits and withdrawals are off" },
  INBOUND_PAYMENT_NOT_FOUND: { status: 404, title: "Inbound payment not found" },
  SCHEME_PAYMENT_ID_REUSED: { status: 409, title: "This scheme payment id was used for a different payment" },
  OUTBOUND_PAYMENT_NOT_FOUND: { status: 404, title: "Outbound payment not found" },
  OUTBOUND_PAYMENT_ANSWERED: { status: 409, title: "The payment was already answered the other way" },
  OUTBOUND_PAYMENT_NOT_SENT: { status: 409, title: "The payment is not waiting for the scheme" },
  PAYLOAD_TOO_LARGE: { status: 413, title: "The body is too large" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: "The body must be application/json" },
  VALIDATION_FAILED: { status: 422, title: "Some fields need attention" },
  AMOUNT_TOO_LARGE: { status: 422, title: "The amount is above the limit" },
  IDEMPOTENCY_KEY_REUSED: { status: 422, title: "This Idempotency-Key was used for a different request" },
  INSUFFICIENT_FUNDS: { status: 422, title: "Insufficient funds" },
  ACCOUNT_FROZEN: { status: 422, title: "The account is frozen" },
  ACCOUNT_CLOSED: { status: 422, title: "The account is closed" },
  ALREADY_FROZEN: { status: 422, title: "The account is already frozen" },
  NOT_FROZEN: { status: 422, title: "The account is not frozen" },
  BALANCE_NOT_ZERO: { status: 422, title: "The balance is not zero" },
  FUNDS_RESERVED: { status: 422, title: "Money is reserved for transfers in progress" },
  CURRENCY_MISMATCH: { status: 422, title: "The accounts hold different currencies" },
  TRANSFER_NOT_HELD: { status: 422, title: "The transfer is not held for review" },
  ORDER_ENDED: { status: 422, title: "The order was cancelled or has made its last payment" },
  INBOUND_PAYMENT_NOT_HELD: { status: 422, title: "The inbound payment is not held for review" },
  TOO_MANY_ATTEMPTS: { status: 429, title: "Too many failed attempts" },
  RATE_LIMITED: { status: 429, title: "Too many requests" },
  INTERNAL_ERROR: { status: 500, title: "Something went wrong on our side" },
  SERVER_BUSY: { status: 503, title: "The server is busy" },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof PROBLEMS;
export const PROBLEM_CODES = Object.keys(PROBLEMS) as ProblemCode[];

export const problemType = (code: string) => `https://ledgerline.dev/problems/${code.toLowerCase().replaceAll("_", "-")}`;

export type FieldError = { field: string; message: string };

/** An expected failure, thrown inside a handler and answered as a problem by the route wrapper. */
export class ApiProblem extends Error {
  readonly code: ProblemCode;
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly errors?: FieldError[];
  /** Extension members (RFC 9457 §3.2), e.g. the rejection event that was recorded. */
  readonly extensions?: Record<string, unknown>;
  readonly headers?: Record<string, string>;

  constructor(
    code: ProblemCode,
    detail: string,
    options: { errors?: FieldError[]; extensions?: Record<string, unknown>; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.name = "ApiProblem";
    this.code = code;
    this.status = PROBLEMS[code].status;
    this.title = PROBLEMS[code].title;
    this.detail = detail;
    this.errors = options.errors;
    this.extensions = options.extensions;
    this.headers = options.headers;
  }

  body(): Record<string, unknown> {
    return {
      type: problemType(this.code),
      title: this.title,
      status: this.status,
      detail: this.detail,
      code: this.code,
      ...(this.errors ? { errors: this.errors } : {}),
      ...this.extensions,
    };
  }
}

/** A rejection code recorded by the account aggregate, as the problem the API answers. */
export function rejectionProblemCode(code: string): ProblemCode {
  return code in PROBLEMS && code in REJECTION_MESSAGES ? (code as ProblemCode) : "VALIDATION_FAILED";
}

export const NO_STORE = { "cache-control": "no-store" } as const;

export function problemResponse(problem: ApiProblem, extraHeaders: Record<string, string> = {}): Response {
  return new Response(toJsonText(problem.body()), {
    status: problem.status,
    headers: { "content-type": "application/problem+json", ...NO_STORE, ...problem.headers, ...extraHeaders },
  });
}
