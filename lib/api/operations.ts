import type { z } from "zod";
import type { ProblemCode } from "./problem";
import {
  auditQuery,
  emptyBody,
  eventFeedQuery,
  eventsQuery,
  freezeBody,
  type Limits,
  moneyBody,
  openAccountBody,
  reasonBody,
  responses,
  reviewBody,
  signUpBody,
  statementQuery,
  tokenBody,
  transferBody,
  transfersQuery,
  webhookBody,
} from "./schemas";

/**
 * The API contract (docs/api.md): every operation's method, path, who may call it, the schemas of its
 * body, query and success response, and the problems it can answer. Route handlers are built from
 * these (./route.ts) and so is the OpenAPI document (./openapi.ts).
 */
export type Operation = {
  readonly operationId: string;
  readonly method: "GET" | "POST" | "DELETE";
  /** OpenAPI path template below /api/v1. */
  readonly path: string;
  readonly tag: "Auth" | "Accounts" | "Transfers" | "Events" | "Admin" | "Meta";
  readonly summary: string;
  readonly description?: string;
  /** none: anyone; user: any valid token; admin: a token of a user with the admin role. */
  readonly auth: "none" | "user" | "admin";
  /**
   * What the token's scope must allow (lib/api/scopes.ts): read (any token), webhooks (a full or
   * webhooks token), write (only a full token: anything that changes money or accounts), any (even
   * a read token: revoking itself). Unset: read for GET, write otherwise.
   */
  readonly scope?: "read" | "write" | "webhooks" | "any";
  readonly idempotency?: "required" | "optional";
  readonly body?: (limits: Limits) => z.ZodType;
  /** The body may be left out altogether. */
  readonly bodyOptional?: boolean;
  readonly query?: () => z.ZodType;
  readonly success: { readonly status: 200 | 201 | 202 | 204; readonly description: string; readonly schema?: z.ZodType };
  /** Problems particular to this operation (the common ones are added by the document generator). */
  readonly problems: readonly ProblemCode[];
};

const op = <const O extends Operation>(operation: O): O => operation;

export const operations = {
  signUp: op({
    operationId: "signUp",
    method: "POST",
    path: "/auth/signup",
    tag: "Auth",
    summary: "Create a customer",
    description: "Registers a customer with the same rules as the portal's sign-up form (password of at least 10 characters, not a common one).",
    auth: "none",
    body: signUpBody,
    success: { status: 201, description: "The new customer.", schema: responses.user },
    problems: [],
  }),
  createToken: op({
    operationId: "createToken",
    method: "POST",
    path: "/auth/token",
    tag: "Auth",
    summary: "Exchange email and password for a bearer token",
    description:
      "Shares the portal's sign-in throttle: 5 failures per email or 50 per address in 15 minutes lock sign-in for 15 minutes (429 with Retry-After). The token is shown once; it is stored only as a hash.",
    auth: "none",
    body: tokenBody,
    success: { status: 200, description: "A new bearer token and when it expires.", schema: responses.token },
    problems: ["INVALID_CREDENTIALS", "TOO_MANY_ATTEMPTS"],
  }),
  revokeToken: op({
    operationId: "revokeToken",
    method: "DELETE",
    path: "/auth/token",
    tag: "Auth",
    summary: "Revoke the token this request is made with",
    auth: "user",
    scope: "any",
    success: { status: 204, description: "Revoked; the token no longer works." },
    problems: [],
  }),
  listAccounts: op({
    operationId: "listAccounts",
    method: "GET",
    path: "/accounts",
    tag: "Accounts",
    summary: "Your accounts",
    auth: "user",
    success: { status: 200, description: "Every account you own, oldest first.", schema: responses.accounts },
    problems: [],
  }),
  openAccount: op({
    operationId: "openAccount",
    method: "POST",
    path: "/accounts",
    tag: "Accounts",
    summary: "Open an account",
    auth: "user",
    idempotency: "optional",
    body: openAccountBody,
    success: { status: 201, description: "The new account.", schema: responses.account },
    problems: [],
  }),
  getAccount: op({
    operationId: "getAccount",
    method: "GET",
    path: "/accounts/{accountId}",
    tag: "Accounts",
    summary: "One of your accounts",
    auth: "user",
    success: { status: 200, description: "The account.", schema: responses.account },
    problems: ["ACCOUNT_NOT_FOUND"],
  }),
  deposit: op({
    operationId: "deposit",
    method: "POST",
    path: "/accounts/{accountId}/deposits",
    tag: "Accounts",
    summary: "Deposit money",
    description: "A refused deposit (frozen or closed account) is recorded as a DepositRejected event and answered with 422 and its code.",
    auth: "user",
    idempotency: "required",
    body: moneyBody,
    success: { status: 201, description: "The account after the deposit and the MoneyDeposited event.", schema: responses.accountCommand },
    problems: ["ACCOUNT_NOT_FOUND", "AMOUNT_TOO_LARGE", "ACCOUNT_FROZEN", "ACCOUNT_CLOSED"],
  }),
  withdraw: op({
    operationId: "withdraw",
    method: "POST",
    path: "/accounts/{accountId}/withdrawals",
    tag: "Accounts",
    summary: "Withdraw money",
    description: "A refused withdrawal is recorded as a WithdrawalRejected event and answered with 422 and its code.",
    auth: "user",
    idempotency: "required",
    body: moneyBody,
    success: { status: 201, description: "The account after the withdrawal and the MoneyWithdrawn event.", schema: responses.accountCommand },
    problems: ["ACCOUNT_NOT_FOUND", "AMOUNT_TOO_LARGE", "INSUFFICIENT_FUNDS", "ACCOUNT_FROZEN", "ACCOUNT_CLOSED"],
  }),
  statement: op({
    operationId: "statement",
    method: "GET",
    path: "/accounts/{accountId}/statement",
    tag: "Accounts",
    summary: "An account's statement, newest first",
    description: "Keyset pagination: pass the response's nextCursor as cursor for the next page. Refused attempts are listed with outcome rejected.",
    auth: "user",
    query: statementQuery,
    success: { status: 200, description: "One page of entries.", schema: responses.statement },
    problems: ["ACCOUNT_NOT_FOUND"],
  }),
  requestTransfer: op({
    operationId: "requestTransfer",
    method: "POST",
    path: "/transfers",
    tag: "Transfers",
    summary: "Send money to an account number",
    description:
      "Accepted for processing (202): the transfer is driven at once as far as it goes. A transfer refused later (insufficient funds, frozen payee) ends with status failed and a failure code; one that matches the sanctions list waits with status held for an admin.",
    auth: "user",
    idempotency: "required",
    body: transferBody,
    success: { status: 202, description: "The transfer as it stands.", schema: responses.transfer },
    problems: ["ACCOUNT_NOT_FOUND", "AMOUNT_TOO_LARGE"],
  }),
  listTransfers: op({
    operationId: "listTransfers",
    method: "GET",
    path: "/transfers",
    tag: "Transfers",
    summary: "Transfers you sent or received, newest first",
    description: "With accountId, only those from or to that account of yours.",
    auth: "user",
    query: transfersQuery,
    success: { status: 200, description: "One page of transfers.", schema: responses.transfers },
    problems: ["ACCOUNT_NOT_FOUND"],
  }),
  getTransfer: op({
    operationId: "getTransfer",
    method: "GET",
    path: "/transfers/{transferId}",
    tag: "Transfers",
    summary: "A transfer you sent or received",
    auth: "user",
    success: { status: 200, description: "The transfer with its steps.", schema: responses.transfer },
    problems: ["TRANSFER_NOT_FOUND"],
  }),
  eventFeed: op({
    operationId: "eventFeed",
    method: "GET",
    path: "/events",
    tag: "Events",
    summary: "Events in global order, from a cursor",
    description:
      "Your accounts' events and those of the transfers you sent (admins: every event), oldest first, in the store's global order. Start without after, then pass each page's nextCursor as after; an empty page means you have caught up (keep its nextCursor for later). A cursor never skips an event, even one whose transaction commits late. Any token scope may read it.",
    auth: "user",
    query: eventFeedQuery,
    success: { status: 200, description: "One page of events and where to continue.", schema: responses.eventFeed },
    problems: [],
  }),
  listWebhooks: op({
    operationId: "listWebhooks",
    method: "GET",
    path: "/webhooks",
    tag: "Events",
    summary: "Your webhook endpoints",
    auth: "user",
    scope: "webhooks",
    success: { status: 200, description: "Your endpoints, newest first (never their secrets).", schema: responses.webhooks },
    problems: [],
  }),
  registerWebhook: op({
    operationId: "registerWebhook",
    method: "POST",
    path: "/webhooks",
    tag: "Events",
    summary: "Register a webhook endpoint",
    description:
      "An https URL on a public address. A customer's endpoint gets the events of their accounts and of the transfers they send; an admin's, every event. The signing secret is in this answer only. Needs a full or webhooks token.",
    auth: "user",
    scope: "webhooks",
    idempotency: "optional",
    body: webhookBody,
    success: { status: 201, description: "The endpoint and its signing secret (shown once).", schema: responses.webhookCreated },
    problems: [],
  }),
  freezeAccount: op({
    operationId: "freezeAccount",
    method: "POST",
    path: "/admin/accounts/{accountId}/freeze",
    tag: "Admin",
    summary: "Freeze an account",
    description: "The customer sees the category, never the reason. A frozen account refuses deposits, withdrawals and transfers.",
    auth: "admin",
    idempotency: "optional",
    body: freezeBody,
    success: { status: 200, description: "The account and the AccountFrozen event.", schema: responses.accountCommand },
    problems: ["ACCOUNT_NOT_FOUND", "ALREADY_FROZEN", "ACCOUNT_CLOSED"],
  }),
  unfreezeAccount: op({
    operationId: "unfreezeAccount",
    method: "POST",
    path: "/admin/accounts/{accountId}/unfreeze",
    tag: "Admin",
    summary: "Unfreeze an account",
    auth: "admin",
    idempotency: "optional",
    body: reasonBody,
    success: { status: 200, description: "The account and the AccountUnfrozen event.", schema: responses.accountCommand },
    problems: ["ACCOUNT_NOT_FOUND", "NOT_FROZEN", "ACCOUNT_CLOSED"],
  }),
  accountEvents: op({
    operationId: "accountEvents",
    method: "GET",
    path: "/admin/accounts/{accountId}/events",
    tag: "Admin",
    summary: "An account's stored events, oldest first",
    description: "The raw rows of the account's stream. Keyset pagination on the stream position.",
    auth: "admin",
    query: eventsQuery,
    success: { status: 200, description: "One page of events.", schema: responses.events },
    problems: ["ACCOUNT_NOT_FOUND"],
  }),
  audit: op({
    operationId: "audit",
    method: "GET",
    path: "/admin/audit",
    tag: "Admin",
    summary: "The audit trail, newest first",
    description:
      "Every command (accepted or rejected), admin action and sign-in failure. Filters: actor (actor id), accountId, type (event type), from and to (a date is a whole UTC day; a time is exact). Keyset pagination on the global position.",
    auth: "admin",
    query: auditQuery,
    success: { status: 200, description: "One page of audit entries.", schema: responses.audit },
    problems: [],
  }),
  releaseTransfer: op({
    operationId: "releaseTransfer",
    method: "POST",
    path: "/admin/transfers/{transferId}/release",
    tag: "Admin",
    summary: "Release a transfer held for review",
    description: "The transfer then continues at once.",
    auth: "admin",
    idempotency: "optional",
    body: reviewBody,
    success: { status: 200, description: "The transfer after release.", schema: responses.transfer },
    problems: ["TRANSFER_NOT_FOUND", "TRANSFER_NOT_HELD"],
  }),
  rejectTransfer: op({
    operationId: "rejectTransfer",
    method: "POST",
    path: "/admin/transfers/{transferId}/reject",
    tag: "Admin",
    summary: "Reject a transfer held for review",
    auth: "admin",
    idempotency: "optional",
    body: reviewBody,
    success: { status: 200, description: "The failed transfer.", schema: responses.transfer },
    problems: ["TRANSFER_NOT_FOUND", "TRANSFER_NOT_HELD"],
  }),
  rebuildProjections: op({
    operationId: "rebuildProjections",
    method: "POST",
    path: "/admin/projections/rebuild",
    tag: "Admin",
    summary: "Rebuild every read model from the events",
    description: "Commands wait while it runs; readers do not. The body may be left out or be {}.",
    auth: "admin",
    body: emptyBody,
    bodyOptional: true,
    success: { status: 200, description: "How many events were replayed and rows written.", schema: responses.rebuild },
    problems: [],
  }),
  openApi: op({
    operationId: "openApi",
    method: "GET",
    path: "/openapi.json",
    tag: "Meta",
    summary: "This document",
    auth: "none",
    success: { status: 200, description: "The OpenAPI 3.1 document." },
    problems: [],
  }),
} as const;

export type OperationName = keyof typeof operations;
