import type { AccountSummaryRow, AuditLogRow, StatementEntryRow } from "../db/schema";
import { formatAccountNumber } from "../domain/account/account-number";
import { evolveAccount } from "../domain/account/decider";
import type { AccountEvent } from "../domain/account/events";
import type { AccountState, OpenedAccountState } from "../domain/account/state";
import { type Currency } from "../domain/shared/currency";
import { assertNever } from "../domain/shared/errors";
import { toDecimalString } from "../domain/shared/money";
import type { EntryOutcome } from "../domain/shared/outcome";
import type { StoredEvent } from "../event-store/types";
import { auditRow } from "./audit-base";

/**
 * The account read models as pure functions of events: (row before, event) -> rows after.
 * Inline projection, rebuild and verify all go through these, so they cannot disagree.
 */
export type AccountStoredEvent = StoredEvent<AccountEvent>;

export function summaryToState(row: AccountSummaryRow | undefined): AccountState {
  if (!row) return { status: "Unopened" };
  // One literal, not `{ ...facts, status }`: V8's slow path on Node 20 (see audit-base.ts).
  const state: Record<string, unknown> = {
    status: row.status,
    accountId: row.accountId,
    customerId: row.customerId,
    currency: row.currency,
    number: row.number,
    nickname: row.nickname,
    balance: row.balance,
    reserved: row.reserved,
    reservations: mapValues(row.reservations, BigInt),
    deposits: row.deposits,
    withdrawals: row.withdrawals,
    rejections: row.rejections,
  };
  if (row.status === "Frozen") state.freeze = { category: row.freezeCategory ?? "other", reason: row.freezeReason ?? "" };
  return state as AccountState;
}

// Most accounts hold no reservation; entries/fromEntries allocated three arrays per event for nothing.
function mapValues<From, To>(record: Record<string, From>, convert: (value: From) => To): Record<string, To> {
  const out: Record<string, To> = {};
  for (const key in record) out[key] = convert(record[key] as From);
  return out;
}

// The domain's own evolve drives the summary, so the read model and the aggregate cannot drift.
export function evolveSummary(row: AccountSummaryRow | undefined, event: AccountStoredEvent): AccountSummaryRow | undefined {
  const state = evolveAccount(summaryToState(row), event.event);
  if (state.status === "Unopened") return row;
  return stateToSummary(state, row?.openedAt ?? event.recordedAt, event);
}

/**
 * The summary row that `state` implies, for use as a "before" row when the caller already holds the
 * aggregate's state. opened_at is only known when the caller gives it (the stream's creation time);
 * the upsert never writes it back either way.
 */
export function summaryFromState(state: AccountState, version: bigint, openedAt?: Date): AccountSummaryRow | undefined {
  if (state.status === "Unopened") return undefined;
  const unknown = new Date(0);
  return { ...stateToSummary(state, openedAt ?? unknown, { streamPosition: version, globalPosition: 0n, recordedAt: unknown }) };
}

function stateToSummary(
  state: OpenedAccountState,
  openedAt: Date,
  event: Pick<AccountStoredEvent, "streamPosition" | "globalPosition" | "recordedAt">,
): AccountSummaryRow {
  return {
    accountId: state.accountId,
    customerId: state.customerId,
    number: state.number,
    currency: state.currency,
    nickname: state.nickname,
    status: state.status,
    balance: state.balance,
    reserved: state.reserved,
    available: state.balance - state.reserved,
    reservations: mapValues(state.reservations, String),
    deposits: state.deposits,
    withdrawals: state.withdrawals,
    rejections: state.rejections,
    freezeCategory: state.status === "Frozen" ? state.freeze.category : null,
    freezeReason: state.status === "Frozen" ? state.freeze.reason : null,
    version: event.streamPosition,
    lastGlobalPosition: event.globalPosition,
    openedAt,
    updatedAt: event.recordedAt,
  };
}

/** A statement line for each money movement and each refused attempt; nothing for the rest. */
export function statementEntryFor(after: AccountSummaryRow, event: AccountStoredEvent): StatementEntryRow | undefined {
  const e = event.event;
  switch (e.type) {
    case "MoneyDeposited":
      return line(after, event, "deposit", "posted", e.data.amount, e.data.amount, e.data.reference);
    case "MoneyWithdrawn":
      return line(after, event, "withdrawal", "posted", e.data.amount, -e.data.amount, e.data.reference);
    case "DepositRejected":
      return line(after, event, "deposit", "rejected", e.data.amount, 0n, e.data.reference, e.data.code);
    case "WithdrawalRejected":
      return line(after, event, "withdrawal", "rejected", e.data.amount, 0n, e.data.reference, e.data.code);
    case "ReservationCaptured":
      return line(after, event, "transfer_out", "posted", e.data.amount, -e.data.amount, e.data.reference, null, e.data);
    case "TransferCredited":
      return line(after, event, "transfer_in", "posted", e.data.amount, e.data.amount, e.data.reference, null, e.data);
    case "ReservationRejected":
      return line(after, event, "transfer_out", "rejected", e.data.amount, 0n, null, e.data.code, { transferId: e.data.transferId });
    case "CreditRejected":
      return line(after, event, "transfer_in", "rejected", e.data.amount, 0n, e.data.reference, e.data.code, e.data);
    case "ReservationReleased":
      // Only a payment another bank sent back gets a line (nothing left the balance; the customer is told why).
      if (!e.data.returned) return undefined;
      return line(after, event, "transfer_out", "rejected", e.data.amount, 0n, e.data.returned.reference, "RETURNED_BY_SCHEME", {
        transferId: e.data.transferId,
        counterparty: e.data.returned.counterparty,
      });
    case "AccountOpened":
    case "AccountFrozen":
    case "AccountUnfrozen":
    case "AccountClosed":
    case "AccountCommandRejected":
    // A hold changes the available amount, not the ledger balance: no statement line of its own.
    case "FundsReserved":
      return undefined;
    default:
      return assertNever(e);
  }
}

// One literal per line: `{ ...base, more }` is V8's slow path on Node 20 (see audit-base.ts).
function line(
  after: AccountSummaryRow,
  event: AccountStoredEvent,
  kind: string,
  outcome: EntryOutcome,
  amount: bigint,
  balanceChange: bigint,
  reference: string | null,
  rejectionCode: string | null = null,
  transfer?: { transferId: string; counterparty?: { name: string; number: string } },
): StatementEntryRow {
  return {
    accountId: after.accountId,
    streamPosition: event.streamPosition,
    globalPosition: event.globalPosition,
    eventId: event.eventId,
    kind,
    outcome,
    amount,
    balanceChange,
    balanceAfter: after.balance,
    currency: after.currency,
    reference,
    counterparty: transfer?.counterparty ? `${transfer.counterparty.name} (${formatAccountNumber(transfer.counterparty.number)})` : null,
    transferId: transfer?.transferId ?? null,
    rejectionCode,
    recordedAt: event.recordedAt,
  };
}

const WATCHED_FIELDS = ["status", "balance", "reserved", "available", "freezeCategory", "nickname"] as const;

/** One audit row per event: who did what to which account, why, and what it changed. */
export function auditEntryFor(before: AccountSummaryRow | undefined, after: AccountSummaryRow, event: AccountStoredEvent): AuditLogRow {
  const changes: Record<string, { from: string | null; to: string | null }> = {};
  for (const field of WATCHED_FIELDS) {
    const from = before?.[field] ?? null;
    const to = after[field] ?? null;
    if (from !== to) changes[field] = { from: from === null ? null : String(from), to: to === null ? null : String(to) };
  }
  const { summary, reason, rejected } = describe(event.event, after.currency);
  return auditRow(event, {
    outcome: rejected ? "rejected" : "accepted",
    accountId: after.accountId,
    customerId: after.customerId,
    summary,
    reason,
    changes,
  });
}

const moneyIn = (currency: Currency) => (amount: bigint) => `${toDecimalString(amount, currency)} ${currency}`;
const MONEY = new Map<string, (amount: bigint) => string>();

function describe(e: AccountEvent, currency: Currency): { summary: string; reason: string | null; rejected: boolean } {
  // One formatter per currency, not a closure per event (a rebuild describes a million of them).
  let money = MONEY.get(currency);
  if (!money) MONEY.set(currency, (money = moneyIn(currency)));
  switch (e.type) {
    case "AccountOpened":
      return { summary: `Opened ${currency} account ${e.data.number}`, reason: null, rejected: false };
    case "MoneyDeposited":
      return { summary: `Deposited ${money(e.data.amount)}`, reason: e.data.reference, rejected: false };
    case "MoneyWithdrawn":
      return { summary: `Withdrew ${money(e.data.amount)}`, reason: e.data.reference, rejected: false };
    case "AccountFrozen":
      return { summary: `Froze account (${e.data.category.replaceAll("_", " ")})`, reason: e.data.reason, rejected: false };
    case "AccountUnfrozen":
      return { summary: "Unfroze account", reason: e.data.reason, rejected: false };
    case "AccountClosed":
      return { summary: "Closed account", reason: e.data.reason, rejected: false };
    case "DepositRejected":
      return { summary: `Refused deposit of ${money(e.data.amount)}: ${e.data.code}`, reason: e.data.reference, rejected: true };
    case "WithdrawalRejected":
      return {
        summary: `Refused withdrawal of ${money(e.data.amount)}: ${e.data.code} (available ${money(e.data.available)})`,
        reason: e.data.reference,
        rejected: true,
      };
    case "AccountCommandRejected":
      return { summary: `Refused ${e.data.command}: ${e.data.code}`, reason: e.data.reason, rejected: true };
    case "FundsReserved":
      return { summary: `Reserved ${money(e.data.amount)} for transfer ${e.data.transferId}`, reason: null, rejected: false };
    case "ReservationRejected":
      return {
        summary: `Refused to reserve ${money(e.data.amount)} for transfer ${e.data.transferId}: ${e.data.code} (available ${money(e.data.available)})`,
        reason: null,
        rejected: true,
      };
    case "ReservationReleased":
      return { summary: `Released ${money(e.data.amount)} held for transfer ${e.data.transferId}`, reason: e.data.reason, rejected: false };
    case "ReservationCaptured":
      return {
        summary: `Sent ${money(e.data.amount)} to ${e.data.counterparty.number} (transfer ${e.data.transferId})`,
        reason: e.data.reference,
        rejected: false,
      };
    case "TransferCredited":
      return {
        summary: `Received ${money(e.data.amount)} from ${e.data.counterparty.number} (transfer ${e.data.transferId})`,
        reason: e.data.reference,
        rejected: false,
      };
    case "CreditRejected":
      return {
        summary: `Refused credit of ${money(e.data.amount)} from ${e.data.counterparty.number}: ${e.data.code}`,
        reason: e.data.reference,
        rejected: true,
      };
    default:
      return assertNever(e);
  }
}

/** Folds a run of one account's events into rows, from the summary row before them. */
export function projectAccountRun(
  before: AccountSummaryRow | undefined,
  events: readonly AccountStoredEvent[],
): { summary: AccountSummaryRow | undefined; statement: StatementEntryRow[]; audit: AuditLogRow[]; after: (AccountSummaryRow | undefined)[] } {
  let summary = before;
  const statement: StatementEntryRow[] = [];
  const audit: AuditLogRow[] = [];
  const after: (AccountSummaryRow | undefined)[] = [];
  for (const event of events) {
    const previous = summary;
    summary = evolveSummary(previous, event);
    after.push(summary);
    if (!summary) continue;
    const entry = statementEntryFor(summary, event);
    if (entry) statement.push(entry);
    audit.push(auditEntryFor(previous, summary, event));
  }
  return { summary, statement, audit, after };
}
