import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from "drizzle-orm/pg-core";

import type { FreezeCategory } from "../domain/account/commands";
import type { AccountStatus } from "../domain/account/state";
import type { Currency } from "../domain/shared/currency";
import type { EntryOutcome, Outcome } from "../domain/shared/outcome";
import type { TransferViewStatus } from "../domain/transfer/state";

/** Postgres 13+ 64-bit transaction id; compared with pg_snapshot_xmin for gap-free global reads. */
const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => "xid8" });

const money = (name: string) => bigint(name, { mode: "bigint" });
const position = (name: string) => bigint(name, { mode: "bigint" });
const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

// ---------------------------------------------------------------- event store (the truth)

export const events = pgTable(
  "events",
  {
    globalPosition: position("global_position").generatedAlwaysAsIdentity().notNull(),
    transactionId: xid8("transaction_id")
      .notNull()
      .default(sql`pg_current_xact_id()`),
    streamId: text("stream_id").notNull(),
    streamType: text("stream_type").notNull(),
    streamPosition: position("stream_position").notNull(),
    eventId: uuid("event_id").notNull().unique(),
    eventType: text("event_type").notNull(),
    schemaVersion: integer("schema_version").notNull(),
    data: jsonb("data").notNull(),
    metadata: jsonb("metadata").notNull(),
    recordedAt: timestamptz("recorded_at").notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.streamId, t.streamPosition] }),
    index("events_transaction_order_idx").on(t.transactionId, t.globalPosition),
    uniqueIndex("events_global_position_idx").on(t.globalPosition),
  ],
);

export const streams = pgTable("streams", {
  streamId: text("stream_id").primaryKey(),
  streamType: text("stream_type").notNull(),
  version: position("version").notNull(),
  createdAt: timestamptz("created_at").notNull().defaultNow(),
  updatedAt: timestamptz("updated_at").notNull().defaultNow(),
});

/** Disposable: deleting every row changes no result, only load time. */
export const snapshots = pgTable(
  "snapshots",
  {
    streamId: text("stream_id").notNull(),
    streamPosition: position("stream_position").notNull(),
    stateSchemaVersion: integer("state_schema_version").notNull(),
    state: jsonb("state").notNull(),
    /**
     * md5 of the state as written, set by a trigger on INSERT only: a state changed afterwards no
     * longer matches it, and loads ignore the snapshot (replaying the events instead).
     */
    stateChecksum: text("state_checksum"),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.streamId, t.streamPosition] })],
);

/**
 * Command ids seen, recorded in the command's own transaction with the events it produced and,
 * for an API request, the response the client got (status and body): a retry has its effect once
 * and gets that same answer back. Scope is the actor (or "transfer" for a transfer's legs).
 */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    scope: text("scope").notNull(),
    key: text("key").notNull(),
    requestHash: text("request_hash").notNull(),
    result: jsonb("result").notNull(),
    responseStatus: integer("response_status"),
    responseBody: text("response_body"),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index("idempotency_keys_created_idx").on(t.createdAt)],
);

// ---------------------------------------------------------------- inline projections (rebuildable)

export const accountSummary = pgTable(
  "account_summary",
  {
    accountId: text("account_id").primaryKey(),
    customerId: text("customer_id").notNull(),
    number: text("number").notNull(),
    currency: text("currency").$type<Currency>().notNull(),
    nickname: text("nickname"),
    status: text("status").$type<AccountStatus>().notNull(),
    balance: money("balance").notNull(),
    reserved: money("reserved").notNull(),
    available: money("available").notNull(),
    /** Open holds by transfer id (minor units as strings), so the row mirrors the aggregate's state. */
    reservations: jsonb("reservations").$type<Record<string, string>>().notNull().default({}),
    deposits: integer("deposits").notNull(),
    withdrawals: integer("withdrawals").notNull(),
    rejections: integer("rejections").notNull(),
    freezeCategory: text("freeze_category").$type<FreezeCategory>(),
    freezeReason: text("freeze_reason"),
    version: position("version").notNull(),
    lastGlobalPosition: position("last_global_position").notNull(),
    openedAt: timestamptz("opened_at").notNull(),
    updatedAt: timestamptz("updated_at").notNull(),
  },
  (t) => [uniqueIndex("account_summary_number_idx").on(t.number), index("account_summary_customer_idx").on(t.customerId)],
);

/** One row per money movement or refused attempt, with the running balance after it. */
export const statementEntries = pgTable(
  "statement_entries",
  {
    accountId: text("account_id").notNull(),
    streamPosition: position("stream_position").notNull(),
    globalPosition: position("global_position").notNull(),
    eventId: uuid("event_id").notNull(),
    kind: text("kind").notNull(),
    outcome: text("outcome").$type<EntryOutcome>().notNull(),
    amount: money("amount").notNull(),
    /** Signed effect on the balance: +credit, -debit, 0 for a refused attempt. */
    balanceChange: money("balance_change").notNull(),
    balanceAfter: money("balance_after").notNull(),
    currency: text("currency").$type<Currency>().notNull(),
    reference: text("reference"),
    counterparty: text("counterparty"),
    transferId: text("transfer_id"),
    rejectionCode: text("rejection_code"),
    recordedAt: timestamptz("recorded_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.streamPosition] }),
    index("statement_entries_account_time_idx").on(t.accountId, t.recordedAt),
    // Statement search: the account and the same expression as statementDocument in
    // lib/read-models/accounts.ts, in one GIN index (btree_gin), so a search reads one account's matches.
    index("statement_entries_account_text_idx").using(
      "gin",
      t.accountId,
      sql`to_tsvector('simple', coalesce(${t.reference}, '') || ' ' || coalesce(${t.counterparty}, ''))`,
    ),
    // Statement search by amount range: the older entries' matches (decision 0037).
    index("statement_entries_account_amount_idx").on(t.accountId, t.amount),
  ],
);

/** Every command's outcome: who, what, why, and what it changed. */
export const auditLog = pgTable(
  "audit_log",
  {
    globalPosition: position("global_position").primaryKey(),
    eventId: uuid("event_id").notNull(),
    streamId: text("stream_id").notNull(),
    streamPosition: position("stream_position").notNull(),
    eventType: text("event_type").notNull(),
    outcome: text("outcome").$type<Outcome>().notNull(),
    actorId: text("actor_id").notNull(),
    actorRole: text("actor_role").notNull(),
    commandId: text("command_id"),
    correlationId: text("correlation_id"),
    accountId: text("account_id"),
    customerId: text("customer_id"),
    summary: text("summary").notNull(),
    reason: text("reason"),
    changes: jsonb("changes").notNull(),
    recordedAt: timestamptz("recorded_at").notNull(),
  },
  (t) => [
    index("audit_log_recorded_idx").on(t.recordedAt),
    index("audit_log_actor_idx").on(t.actorId, t.globalPosition),
    index("audit_log_account_idx").on(t.accountId, t.globalPosition),
    // The back office filters the trail by customer and by event type too, newest first.
    index("audit_log_customer_idx").on(t.customerId, t.globalPosition),
    index("audit_log_type_idx").on(t.eventType, t.globalPosition),
  ],
);

export type EventRow = typeof events.$inferSelect;
export type AccountSummaryRow = typeof accountSummary.$inferSelect;
export type StatementEntryRow = typeof statementEntries.$inferSelect;
export type AuditLogRow = typeof auditLog.$inferSelect;

// ---------------------------------------------------------------- identity (not the ledger)

/** Credentials and profile. Who registered, and every failed sign-in, are also recorded as events. */
export const users = pgTable(
  "users",
  {
    id: text("id").primaryKey(),
    email: text("email").notNull(),
    name: text("name").notNull(),
    role: text("role").notNull(),
    passwordHash: text("password_hash").notNull(),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
    /** IANA time zone the customer's dates are read in (scheduled payments); null until set. */
    timeZone: text("time_zone"),
    /** BCP 47 tag dates and money are formatted in (one of lib/domain/identity/locales.ts); null: en-GB. */
    locale: text("locale"),
    /** Base32 TOTP secret once a second factor is enrolled (null: none). */
    totpSecret: text("totp_secret"),
    /** The last TOTP time step accepted: a code is accepted once (RFC 6238 section 5.2). */
    totpLastStep: bigint("totp_last_step", { mode: "number" }),
    /** When the user followed a verification link sent to `email`; null: not verified (no money out). */
    emailVerifiedAt: timestamptz("email_verified_at"),
  },
  (t) => [uniqueIndex("users_email_idx").on(t.email)],
);

/**
 * Server-side sessions: the Auth.js JWT carries only `id` (random), and every request looks it up
 * by primary key, so signing out, ending a session from another device or idling ends it at once.
 */
export const userSessions = pgTable(
  "user_sessions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    /** The browser's User-Agent, cut to 200 characters. */
    userAgent: text("user_agent").notNull(),
    /** The client address as the sign-in saw it, cut to 64 characters. */
    ip: text("ip"),
    createdAt: timestamptz("created_at").notNull(),
    /** Written at most once a minute. */
    lastSeenAt: timestamptz("last_seen_at").notNull(),
    /** When the user last proved who they are (sign-in, or the confirm page). */
    authenticatedAt: timestamptz("authenticated_at").notNull(),
    endedAt: timestamptz("ended_at"),
    /** signed-out | ended | everywhere | idle | expired | password-changed */
    endReason: text("end_reason"),
  },
  (t) => [index("user_sessions_user_idx").on(t.userId, t.createdAt)],
);

/**
 * The step between a right password and a session when a second factor is needed (or, without one,
 * straight after the password): a random secret, kept as its SHA-256, good for five minutes and
 * five code guesses, used once.
 */
export const signInChallenges = pgTable("sign_in_challenges", {
  tokenHash: text("token_hash").primaryKey(),
  userId: text("user_id").notNull(),
  needsSecondFactor: boolean("needs_second_factor").notNull(),
  attempts: integer("attempts").notNull().default(0),
  expiresAt: timestamptz("expires_at").notNull(),
  usedAt: timestamptz("used_at"),
});

/** Single-use recovery codes of a second factor, as SHA-256 (each is 80 random bits). */
export const recoveryCodes = pgTable(
  "recovery_codes",
  {
    userId: text("user_id").notNull(),
    codeHash: text("code_hash").notNull(),
    usedAt: timestamptz("used_at"),
  },
  (t) => [primaryKey({ columns: [t.userId, t.codeHash] })],
);

/**
 * Passkeys (WebAuthn credentials): a second factor, and a sign-in on their own (discoverable, user
 * verified). Registering, renaming and removing one are also events on the user's stream. Every
 * column a client chose is bounded here as well as in the code.
 */
export const passkeys = pgTable(
  "passkeys",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    /** The credential id, base64url (at most 1023 bytes, WebAuthn's own limit). */
    credentialId: text("credential_id").notNull(),
    /** The COSE public key, base64url. */
    publicKey: text("public_key").notNull(),
    /** The authenticator's signature counter as last seen (0: the authenticator keeps none). */
    counter: bigint("counter", { mode: "number" }).notNull(),
    /** usb, nfc, ble, hybrid, internal… as the browser reported them, comma-separated. */
    transports: text("transports").notNull().default(""),
    /** singleDevice | multiDevice (a synced passkey) */
    deviceType: text("device_type").notNull(),
    backedUp: boolean("backed_up").notNull(),
    name: text("name").notNull(),
    createdAt: timestamptz("created_at").notNull(),
    lastUsedAt: timestamptz("last_used_at"),
  },
  (t) => [
    uniqueIndex("passkeys_credential_id_idx").on(t.credentialId),
    index("passkeys_user_idx").on(t.userId, t.createdAt),
    check(
      "passkeys_bounds",
      sql`char_length(${t.credentialId}) <= 1366 and char_length(${t.publicKey}) <= 1400 and char_length(${t.name}) <= 60 and char_length(${t.transports}) <= 100`,
    ),
  ],
);

/**
 * WebAuthn challenges, server-side so any instance can finish a ceremony another began: keyed by the
 * SHA-256 of a random attempt token the browser carries, bound to what started it (the session for
 * a registration or a confirmation, the sign-in challenge for a second factor, nothing for a passkey-only sign-in),
 * good for five minutes at most and used once.
 */
export const webauthnChallenges = pgTable(
  "webauthn_challenges",
  {
    attemptHash: text("attempt_hash").primaryKey(),
    /** register | second-factor | passwordless | reauth */
    purpose: text("purpose").notNull(),
    challenge: text("challenge").notNull(),
    userId: text("user_id"),
    sessionId: text("session_id"),
    signInTokenHash: text("sign_in_token_hash"),
    createdAt: timestamptz("created_at").notNull(),
    expiresAt: timestamptz("expires_at").notNull(),
    usedAt: timestamptz("used_at"),
  },
  (t) => [index("webauthn_challenges_expiry_idx").on(t.expiresAt)],
);

export type PasskeyRow = typeof passkeys.$inferSelect;

export type UserSessionRow = typeof userSessions.$inferSelect;

/** Failed sign-ins per key ("email:…", "ip:…") in the current window, and any lock they earned. */
export const signInThrottle = pgTable("sign_in_throttle", {
  key: text("key").primaryKey(),
  failures: integer("failures").notNull(),
  windowStartedAt: timestamptz("window_started_at").notNull(),
  lockedUntil: timestamptz("locked_until"),
});

/**
 * Repeated refusals of unauthenticated requests as counted summaries: one row per key (a throttled
 * email or address) per 15-minute window, with one SignInFailed event when the window opens (linked
 * by `event_position`), so a thousand refused attempts write one event, not a thousand. The audit
 * trail shows the count. Operational: kept when projections are rebuilt (global positions do not change).
 */
export const refusalSummaries = pgTable(
  "refusal_summaries",
  {
    key: text("key").notNull(),
    windowStartedAt: timestamptz("window_started_at").notNull(),
    firstAt: timestamptz("first_at").notNull(),
    lastAt: timestamptz("last_at").notNull(),
    attempts: integer("attempts").notNull(),
    eventPosition: bigint("event_position", { mode: "bigint" }),
  },
  (t) => [primaryKey({ columns: [t.key, t.windowStartedAt] }), index("refusal_summaries_event_idx").on(t.eventPosition)],
);

/**
 * Rate-limit counters of rate-limiter-flexible's Postgres store (its own column layout: `expire` is
 * milliseconds since the epoch), shared by every instance. Keys are bounded (hashed accounts).
 */
export const rateLimits = pgTable("rate_limits", {
  key: varchar("key", { length: 255 }).primaryKey(),
  points: integer("points").notNull().default(0),
  expire: bigint("expire", { mode: "number" }),
});

export type UserRow = typeof users.$inferSelect;

// ---------------------------------------------------------------- transfers

/** One row per transfer: where it stands, each step it has passed and when, and why it failed. */
export const transfersView = pgTable(
  "transfers_view",
  {
    transferId: text("transfer_id").primaryKey(),
    fromAccountId: text("from_account_id").notNull(),
    fromCustomerId: text("from_customer_id").notNull(),
    fromNumber: text("from_number").notNull(),
    fromName: text("from_name").notNull(),
    toAccountId: text("to_account_id").notNull(),
    toCustomerId: text("to_customer_id").notNull(),
    toNumber: text("to_number").notNull(),
    toName: text("to_name").notNull(),
    amount: money("amount").notNull(),
    currency: text("currency").$type<Currency>().notNull(),
    reference: text("reference"),
    /** requested | held | screened | reserved | sent | credited | releasing | completed | failed */
    status: text("status").$type<TransferViewStatus>().notNull(),
    /** A payment to another bank (to_number is an IBAN, to_account_id and to_customer_id are empty). */
    external: boolean("external").notNull().default(false),
    /** The scheme's own reference for a settled external payment. */
    schemeReference: text("scheme_reference"),
    steps: jsonb("steps").$type<{ step: string; at: string }[]>().notNull(),
    holdReason: text("hold_reason"),
    failureCode: text("failure_code"),
    failureReason: text("failure_reason"),
    failureStep: text("failure_step"),
    requestedBy: text("requested_by").notNull(),
    requestedAt: timestamptz("requested_at").notNull(),
    updatedAt: timestamptz("updated_at").notNull(),
    version: position("version").notNull(),
    lastGlobalPosition: position("last_global_position").notNull(),
  },
  (t) => [
    index("transfers_view_from_idx").on(t.fromAccountId, t.requestedAt),
    index("transfers_view_to_idx").on(t.toAccountId, t.requestedAt),
    index("transfers_view_status_idx").on(t.status, t.requestedAt),
    // The scheme's outbox: external payments waiting for its answer, paged by id.
    index("transfers_view_outbound_idx")
      .on(t.transferId)
      .where(sql`external and status = 'sent'`),
  ],
);

/** The sanctions list as it stands now (its history is the `sanctions` stream). */
export const sanctionsEntries = pgTable("sanctions_entries", {
  entryId: text("entry_id").primaryKey(),
  name: text("name").notNull(),
  reason: text("reason").notNull(),
  addedBy: text("added_by").notNull(),
  addedAt: timestamptz("added_at").notNull(),
});

/**
 * Transfers that need a runner: written in the same transactions as their events (so none is lost),
 * claimed with a lease through FOR UPDATE SKIP LOCKED. Operational, not a projection: leases and
 * attempts are not facts. A row goes away when its transfer ends or is held for review.
 */
export const transferWork = pgTable(
  "transfer_work",
  {
    transferId: text("transfer_id").primaryKey(),
    dueAt: timestamptz("due_at").notNull().defaultNow(),
    claimedBy: text("claimed_by"),
    claimedUntil: timestamptz("claimed_until"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
  },
  (t) => [index("transfer_work_due_idx").on(t.dueAt)],
);

/** One row per payment received from a scheme: where it stands, for the scheme's answers and the back office. */
export const inboundPaymentsView = pgTable(
  "inbound_payments_view",
  {
    paymentId: text("payment_id").primaryKey(),
    schemeId: text("scheme_id").notNull(),
    schemePaymentId: text("scheme_payment_id").notNull(),
    accountNumber: text("account_number").notNull(),
    accountId: text("account_id"),
    customerId: text("customer_id"),
    amount: money("amount").notNull(),
    currency: text("currency").$type<Currency>().notNull(),
    debtorName: text("debtor_name").notNull(),
    debtorAccount: text("debtor_account").notNull(),
    reference: text("reference"),
    /** pending | held | credited | returned */
    status: text("status").notNull(),
    holdReason: text("hold_reason"),
    returnCode: text("return_code"),
    returnReason: text("return_reason"),
    receivedAt: timestamptz("received_at").notNull(),
    updatedAt: timestamptz("updated_at").notNull(),
    version: position("version").notNull(),
    lastGlobalPosition: position("last_global_position").notNull(),
  },
  (t) => [
    uniqueIndex("inbound_payments_scheme_idx").on(t.schemeId, t.schemePaymentId),
    index("inbound_payments_status_idx").on(t.status, t.receivedAt),
  ],
);

export type InboundPaymentViewRow = typeof inboundPaymentsView.$inferSelect;
/** One row per approval stream (one subject): its latest request and how it was decided. */
export const approvalsView = pgTable(
  "approvals_view",
  {
    approvalId: text("approval_id").primaryKey(),
    /** release_transfer | unfreeze_account */
    kind: text("kind").notNull(),
    subjectId: text("subject_id").notNull(),
    accountId: text("account_id").notNull(),
    /** The account's owner (a transfer's payer), for the audit trail. */
    customerId: text("customer_id"),
    round: integer("round").notNull(),
    /** pending | granted | declined */
    status: text("status").notNull(),
    amount: money("amount"),
    currency: text("currency"),
    description: text("description").notNull(),
    requestedBy: text("requested_by").notNull(),
    requestReason: text("request_reason").notNull(),
    requestedAt: timestamptz("requested_at").notNull(),
    decidedBy: text("decided_by"),
    decisionReason: text("decision_reason"),
    decidedAt: timestamptz("decided_at"),
    /** Refused approve or decline attempts in this round (the requester's own, say). */
    refusals: integer("refusals").notNull(),
    updatedAt: timestamptz("updated_at").notNull(),
    version: position("version").notNull(),
    lastGlobalPosition: position("last_global_position").notNull(),
  },
  (t) => [index("approvals_status_idx").on(t.status, t.requestedAt), index("approvals_subject_idx").on(t.subjectId)],
);

export type ApprovalViewRow = typeof approvalsView.$inferSelect;

export type TransferViewRow = typeof transfersView.$inferSelect;
export type SanctionsEntryRow = typeof sanctionsEntries.$inferSelect;

// ---------------------------------------------------------------- public API (operational, not projections)

/**
 * Personal API tokens. Only a SHA-256 of the token is kept (the token is 32 random bytes, so a fast
 * hash is enough: there is nothing to brute-force); the token itself is shown once, when made.
 */
export const apiTokens = pgTable(
  "api_tokens",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    name: text("name").notNull(),
    /** Hex SHA-256 of the whole token. */
    tokenHash: text("token_hash").notNull(),
    /** The first characters of the token, so its owner can tell tokens apart in a list. */
    prefix: text("prefix").notNull(),
    /** Where it was made: "api" (POST /api/v1/auth/token) or "portal" (/settings/tokens). */
    createdVia: text("created_via").notNull(),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
    expiresAt: timestamptz("expires_at").notNull(),
    lastUsedAt: timestamptz("last_used_at"),
    revokedAt: timestamptz("revoked_at"),
    /** What the token may do: "full" (everything its user may), "read" (GET only) or "webhooks" (read and manage webhooks). */
    scope: text("scope").notNull().default("full"),
  },
  (t) => [uniqueIndex("api_tokens_hash_idx").on(t.tokenHash), index("api_tokens_user_idx").on(t.userId, t.createdAt)],
);

export type ApiTokenRow = typeof apiTokens.$inferSelect;

// ---------------------------------------------------------------- payees and standing orders

/**
 * A customer's saved payees. Adding, renaming and deleting are also events on the customer's stream
 * (so audited); like api_tokens this is the operational table those events describe.
 */
export const payees = pgTable(
  "payees",
  {
    payeeId: text("payee_id").primaryKey(),
    ownerId: text("owner_id").notNull(),
    /** The customer's own name for the payee (at most 60 characters). */
    name: text("name").notNull(),
    accountNumber: text("account_number").notNull(),
    /** The holder's masked name, as confirmation of payee showed it when the payee was saved. */
    holderName: text("holder_name").notNull(),
    createdAt: timestamptz("created_at").notNull(),
    updatedAt: timestamptz("updated_at").notNull(),
  },
  (t) => [uniqueIndex("payees_owner_number_idx").on(t.ownerId, t.accountNumber), index("payees_owner_idx").on(t.ownerId, t.name, t.payeeId)],
);

/** One row per scheduled or standing order, projected inline from the `order-<id>` stream. */
export const standingOrders = pgTable(
  "standing_orders",
  {
    orderId: text("order_id").primaryKey(),
    ownerId: text("owner_id").notNull(),
    fromAccountId: text("from_account_id").notNull(),
    toAccountNumber: text("to_account_number").notNull(),
    payeeName: text("payee_name").notNull(),
    payeeId: text("payee_id"),
    amount: money("amount").notNull(),
    currency: text("currency").$type<Currency>().notNull(),
    reference: text("reference"),
    schedule: jsonb("schedule").notNull(),
    timeZone: text("time_zone").notNull(),
    /** active | paused | cancelled | finished */
    status: text("status").notNull(),
    nextIndex: integer("next_index"),
    nextDueAt: timestamptz("next_due_at"),
    paymentsStarted: integer("payments_started").notNull(),
    paymentsFailed: integer("payments_failed").notNull(),
    createdAt: timestamptz("created_at").notNull(),
    updatedAt: timestamptz("updated_at").notNull(),
    version: position("version").notNull(),
  },
  (t) => [index("standing_orders_due_idx").on(t.status, t.nextDueAt), index("standing_orders_owner_idx").on(t.ownerId, t.createdAt, t.orderId)],
);

/** Each due date an order reached: the transfer it started, or why it could not. */
export const orderPayments = pgTable(
  "order_payments",
  {
    orderId: text("order_id").notNull(),
    dueAt: timestamptz("due_at").notNull(),
    ownerId: text("owner_id").notNull(),
    transferId: text("transfer_id"),
    /** started | failed */
    outcome: text("outcome").notNull(),
    reason: text("reason"),
    recordedAt: timestamptz("recorded_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.dueAt] })],
);

export type PayeeRow = typeof payees.$inferSelect;
export type StandingOrderRow = typeof standingOrders.$inferSelect;
export type OrderPaymentRow = typeof orderPayments.$inferSelect;
// ---------------------------------------------------------------- live pages (operational)

/**
 * Open live-update streams (Server-Sent Events), one row each, leased: a stream renews its row while
 * it runs and deletes it when it ends; a crashed instance's rows simply expire. Counting the rows of
 * a user bounds their open streams across every instance.
 */
export const liveStreams = pgTable(
  "live_streams",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    openedAt: timestamptz("opened_at").notNull().defaultNow(),
    expiresAt: timestamptz("expires_at").notNull(),
  },
  (t) => [index("live_streams_user_idx").on(t.userId, t.expiresAt)],
);
// ---------------------------------------------------------------- events for the outside world (operational)

/**
 * Durable subscribers to the global log: each one's checkpoint (the last transaction id and global
 * position it processed). A run locks its row (FOR UPDATE SKIP LOCKED), so one instance at a time
 * advances a subscriber, and moves the checkpoint in the same transaction as its side effects.
 */
export const subscriptions = pgTable("subscriptions", {
  name: text("name").primaryKey(),
  checkpointTransactionId: xid8("checkpoint_transaction_id")
    .notNull()
    .default(sql`'0'::xid8`),
  checkpointPosition: position("checkpoint_position")
    .notNull()
    .default(sql`0`),
  eventsProcessed: position("events_processed")
    .notNull()
    .default(sql`0`),
  updatedAt: timestamptz("updated_at").notNull().defaultNow(),
  lastError: text("last_error"),
});

/** Endpoints customers (their own accounts and transfers) and admins (everything) registered. */
export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: text("id").primaryKey(),
    ownerId: text("owner_id").notNull(),
    /** "own": events of the owner's accounts and the transfers they sent; "all": every event (admins). */
    audience: text("audience").notNull(),
    url: text("url").notNull(),
    description: text("description").notNull(),
    /** Standard Webhooks secret (whsec_…); kept to sign, shown once. */
    secret: text("secret").notNull(),
    /** After a rotation, the old secret also signs until previous_secret_until. */
    previousSecret: text("previous_secret"),
    previousSecretUntil: timestamptz("previous_secret_until"),
    /** active | failing (deliveries stopped after three days of failures) | disabled (by its owner). */
    status: text("status").notNull(),
    failingSince: timestamptz("failing_since"),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
  },
  (t) => [index("webhook_endpoints_owner_idx").on(t.ownerId, t.createdAt)],
);

/**
 * The outbox: one row per (endpoint, event), written by the webhook subscription in the same
 * transaction as its checkpoint. Workers claim due rows with a lease; a stream's deliveries to an
 * endpoint go out in stream order (a later one waits while an earlier one is pending).
 */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    endpointId: text("endpoint_id").notNull(),
    eventId: uuid("event_id").notNull(),
    eventType: text("event_type").notNull(),
    streamId: text("stream_id").notNull(),
    streamPosition: position("stream_position").notNull(),
    globalPosition: position("global_position").notNull(),
    recordedAt: timestamptz("recorded_at").notNull(),
    /** The JSON body sent (the public event shape). */
    payload: text("payload").notNull(),
    /** pending | delivered | failed */
    status: text("status").notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamptz("next_attempt_at").notNull(),
    /** Retries stop after this (three days after the delivery was first due). */
    giveUpAt: timestamptz("give_up_at").notNull(),
    claimedBy: text("claimed_by"),
    claimedUntil: timestamptz("claimed_until"),
    lastStatus: integer("last_status"),
    lastError: text("last_error"),
    deliveredAt: timestamptz("delivered_at"),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("webhook_deliveries_endpoint_event_idx").on(t.endpointId, t.eventId),
    // Workers look only at pending rows: the due scan, and "is an earlier one of this stream pending?".
    index("webhook_deliveries_due_idx")
      .on(t.nextAttemptAt, t.globalPosition)
      .where(sql`status = 'pending'`),
    index("webhook_deliveries_stream_idx")
      .on(t.endpointId, t.streamId, t.streamPosition)
      .where(sql`status = 'pending'`),
    index("webhook_deliveries_log_idx").on(t.endpointId, t.globalPosition),
  ],
);

/** Every attempt of a delivery: when, what came back, how long it took. */
export const webhookAttempts = pgTable(
  "webhook_attempts",
  {
    deliveryId: text("delivery_id").notNull(),
    attempt: integer("attempt").notNull(),
    at: timestamptz("at").notNull(),
    status: integer("status"),
    error: text("error"),
    durationMs: integer("duration_ms").notNull(),
  },
  (t) => [primaryKey({ columns: [t.deliveryId, t.attempt] })],
);

export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
export type WebhookAttemptRow = typeof webhookAttempts.$inferSelect;

// ---------------------------------------------------------------- notifications and mail

/**
 * The customer's inbox: one row per event that matters to them, written by the inline projections
 * in the fact's own transaction (id: the event's id, so a fact notifies once). Kept by the commands,
 * not swapped by a rebuild: `read_at` is the customer's own state, not derived from events.
 */
export const notifications = pgTable(
  "notifications",
  {
    notificationId: text("notification_id").primaryKey(),
    userId: text("user_id").notNull(),
    kind: text("kind").notNull(),
    title: text("title").notNull(),
    body: text("body").notNull(),
    /** A portal path to what the notification is about (an account, a transfer), or null. */
    link: text("link"),
    globalPosition: position("global_position").notNull(),
    createdAt: timestamptz("created_at").notNull(),
    readAt: timestamptz("read_at"),
  },
  (t) => [
    index("notifications_user_idx").on(t.userId, t.globalPosition),
    index("notifications_unread_idx")
      .on(t.userId)
      .where(sql`read_at is null`),
  ],
);

/** Per user and kind: also by email (true), or inbox only (false, and the default without a row). */
export const notificationPreferences = pgTable(
  "notification_preferences",
  {
    userId: text("user_id").notNull(),
    kind: text("kind").notNull(),
    email: boolean("email").notNull(),
    updatedAt: timestamptz("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.kind] })],
);

/**
 * The mail outbox: a row written in the transaction of the fact it tells about (id derived from
 * that fact, so never twice), rendered and sent by leased workers, retried with backoff. Without
 * SMTP_URL a delivered mail is only kept here (status "kept") for the development mailbox.
 */
export const mailOutbox = pgTable(
  "mail_outbox",
  {
    mailId: text("mail_id").primaryKey(),
    userId: text("user_id"),
    toAddress: text("to_address").notNull(),
    /** Which template renders it, and the template's data. */
    template: text("template").notNull(),
    data: jsonb("data").notNull(),
    /** pending | sent | kept | failed */
    status: text("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamptz("next_attempt_at").notNull(),
    claimedBy: text("claimed_by"),
    claimedUntil: timestamptz("claimed_until"),
    lastError: text("last_error"),
    /** What was sent (for the development mailbox and support). */
    subject: text("subject"),
    textBody: text("text_body"),
    htmlBody: text("html_body"),
    messageId: text("message_id"),
    createdAt: timestamptz("created_at").notNull(),
    sentAt: timestamptz("sent_at"),
  },
  (t) => [index("mail_outbox_due_idx").on(t.status, t.nextAttemptAt), index("mail_outbox_created_idx").on(t.createdAt)],
);

/**
 * Single-use links sent by email (password reset, email verification): the SHA-256 of 32 random
 * bytes, for one user and purpose, until `expires_at`. `email` is the address a verification is for.
 */
export const emailTokens = pgTable(
  "email_tokens",
  {
    tokenHash: text("token_hash").primaryKey(),
    userId: text("user_id").notNull(),
    purpose: text("purpose").$type<"password-reset" | "verify-email">().notNull(),
    email: text("email").notNull(),
    createdAt: timestamptz("created_at").notNull(),
    expiresAt: timestamptz("expires_at").notNull(),
    usedAt: timestamptz("used_at"),
  },
  (t) => [index("email_tokens_user_idx").on(t.userId, t.purpose)],
);

export type NotificationRow = typeof notifications.$inferSelect;
export type MailOutboxRow = typeof mailOutbox.$inferSelect;

// ---------------------------------------------------------------- which tables are projections

/**
 * The read models made from events, each owned by one projection of lib/projections/registry.ts
 * (a unit test keeps the two lists equal). Every other table is the event store or operational.
 */
export const projectionTables = [
  accountSummary,
  statementEntries,
  auditLog,
  transfersView,
  sanctionsEntries,
  inboundPaymentsView,
  approvalsView,
  standingOrders,
  orderPayments,
  notifications,
] as const;
