import { and, asc, desc, eq, gte, inArray, lt, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { preparedQuery } from "../db/statement";
import { accountSummary, type AccountSummaryRow, statementEntries, type StatementEntryRow } from "../db/schema";
import { formatAccountNumber } from "../domain/account/account-number";
import type { Currency } from "../domain/shared/currency";
import { isUuid } from "../domain/shared/uuid";

// Account read-model queries and mappers with no session: the portal's DAL (lib/dal) and the API's
// data layer (lib/api) both authenticate first, then come here with the user's id.

/** What pages and the browser may see of an account; amounts as strings of minor units (JSON has no bigint). */
export type AccountDto = {
  id: string;
  number: string;
  displayNumber: string;
  nickname: string | null;
  currency: Currency;
  status: "Active" | "Frozen" | "Closed";
  balance: string;
  reserved: string;
  available: string;
  freezeCategory: string | null;
  openedAt: string;
  version: string;
};

export function toAccountDto(row: AccountSummaryRow): AccountDto {
  return {
    id: row.accountId,
    number: row.number,
    displayNumber: formatAccountNumber(row.number),
    nickname: row.nickname,
    currency: row.currency,
    status: row.status as AccountDto["status"],
    balance: row.balance.toString(),
    reserved: row.reserved.toString(),
    available: row.available.toString(),
    // The category only: the admin's note stays in the back office.
    freezeCategory: row.freezeCategory,
    openedAt: row.openedAt.toISOString(),
    version: row.version.toString(),
  };
}

export { isUuid };

/** The account if `userId` owns it; undefined otherwise (callers answer "not found" either way). */
export async function findAccountOwnedBy(db: Database, userId: string, accountId: unknown): Promise<AccountSummaryRow | undefined> {
  if (!isUuid(accountId)) return undefined;
  const query = preparedQuery(db, "account_owned_by", (on) =>
    on
      .select()
      .from(accountSummary)
      .where(and(eq(accountSummary.accountId, sql.placeholder("accountId")), eq(accountSummary.customerId, sql.placeholder("userId"))))
      .prepare("account_owned_by"),
  );
  return (await query.execute({ accountId, userId }))[0];
}

/** Every account the user owns, oldest first. */
export async function listAccountsOwnedBy(db: Database, userId: string): Promise<AccountSummaryRow[]> {
  const query = preparedQuery(db, "accounts_owned_by", (on) =>
    on.select().from(accountSummary).where(eq(accountSummary.customerId, sql.placeholder("userId"))).orderBy(asc(accountSummary.openedAt)).prepare("accounts_owned_by"),
  );
  return query.execute({ userId });
}

/** Any account, whoever owns it: for admin paths only. */
export async function findAccount(db: Database, accountId: unknown): Promise<AccountSummaryRow | undefined> {
  if (!isUuid(accountId)) return undefined;
  const query = preparedQuery(db, "account_by_id", (on) =>
    on.select().from(accountSummary).where(eq(accountSummary.accountId, sql.placeholder("accountId"))).prepare("account_by_id"),
  );
  return (await query.execute({ accountId }))[0];
}

export type StatementEntryDto = {
  position: string;
  kind: string;
  outcome: "posted" | "rejected";
  amount: string;
  balanceChange: string;
  balanceAfter: string;
  currency: Currency;
  reference: string | null;
  counterparty: string | null;
  rejectionCode: string | null;
  recordedAt: string;
  accountId: string;
};

export const toStatementEntryDto = (row: StatementEntryRow): StatementEntryDto => ({
  position: row.streamPosition.toString(),
  kind: row.kind,
  outcome: row.outcome as StatementEntryDto["outcome"],
  amount: row.amount.toString(),
  balanceChange: row.balanceChange.toString(),
  balanceAfter: row.balanceAfter.toString(),
  currency: row.currency,
  reference: row.reference,
  counterparty: row.counterparty,
  rejectionCode: row.rejectionCode,
  recordedAt: row.recordedAt.toISOString(),
  accountId: row.accountId,
});

export const STATEMENT_KINDS = ["all", "deposit", "withdrawal", "transfer", "rejected"] as const;
export type StatementFilter = {
  kind: (typeof STATEMENT_KINDS)[number];
  /** Inclusive dates, YYYY-MM-DD, read in UTC. */
  from?: string;
  to?: string;
};

export function parseStatementFilter(params: Record<string, string | string[] | undefined>): StatementFilter & { cursor?: bigint } {
  const one = (key: string) => (Array.isArray(params[key]) ? params[key][0] : params[key]);
  const kind = STATEMENT_KINDS.find((k) => k === one("type")) ?? "all";
  const date = (value: string | undefined) => (value && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value)) ? value : undefined);
  const cursorText = one("cursor");
  const cursor = cursorText && /^\d{1,18}$/.test(cursorText) ? BigInt(cursorText) : undefined;
  return { kind, from: date(one("from")), to: date(one("to")), cursor };
}

export function statementConditions(accountId: string, filter: StatementFilter) {
  const conditions = [eq(statementEntries.accountId, accountId)];
  if (filter.kind === "rejected") conditions.push(eq(statementEntries.outcome, "rejected"));
  else if (filter.kind === "transfer") conditions.push(inArray(statementEntries.kind, ["transfer_in", "transfer_out"]));
  else if (filter.kind !== "all") conditions.push(eq(statementEntries.kind, filter.kind));
  if (filter.from) conditions.push(gte(statementEntries.recordedAt, new Date(`${filter.from}T00:00:00Z`)));
  if (filter.to) conditions.push(lt(statementEntries.recordedAt, new Date(Date.parse(`${filter.to}T00:00:00Z`) + 86_400_000)));
  return conditions;
}

/**
 * One page of an account's statement, newest first, by keyset on the stream position: entries
 * before `cursor` (exclusive). The caller has checked that the account is the user's.
 */
export async function readStatementPage(
  db: Database,
  accountId: string,
  filter: StatementFilter,
  cursor: bigint | undefined,
  pageSize: number,
): Promise<{ rows: StatementEntryRow[]; nextCursor: bigint | null }> {
  const conditions = statementConditions(accountId, filter);
  if (cursor !== undefined) conditions.push(lt(statementEntries.streamPosition, cursor));
  const rows = await db
    .select()
    .from(statementEntries)
    .where(and(...conditions))
    .orderBy(desc(statementEntries.streamPosition))
    .limit(pageSize + 1);
  const page = rows.slice(0, pageSize);
  return { rows: page, nextCursor: rows.length > pageSize ? (page.at(-1)?.streamPosition ?? null) : null };
}

/** Every entry matching the filter, newest first, for the CSV export (bounded by `limit`). */
export async function readStatementForExport(db: Database, accountId: string, filter: StatementFilter, limit: number): Promise<StatementEntryDto[]> {
  const rows = await db
    .select()
    .from(statementEntries)
    .where(and(...statementConditions(accountId, filter)))
    .orderBy(desc(statementEntries.streamPosition))
    .limit(limit);
  return rows.map(toStatementEntryDto);
}

/** Balance after each posted movement, oldest first: the latest `limit` points. */
export async function readBalanceSeries(db: Database, accountId: string, limit: number): Promise<{ at: string; balance: string }[]> {
  const rows = await db
    .select({ at: statementEntries.recordedAt, balance: statementEntries.balanceAfter })
    .from(statementEntries)
    .where(and(eq(statementEntries.accountId, accountId), eq(statementEntries.outcome, "posted")))
    .orderBy(desc(statementEntries.streamPosition))
    .limit(limit);
  return rows.reverse().map((row) => ({ at: row.at.toISOString(), balance: row.balance.toString() }));
}

export type RecentMovementDto = StatementEntryDto & { accountLabel: string };

/** A customer's latest movements across all their accounts, newest first. */
export async function readRecentMovements(db: Database, customerId: string, limit: number): Promise<RecentMovementDto[]> {
  const rows = await db
    .select({ entry: statementEntries, nickname: accountSummary.nickname, number: accountSummary.number })
    .from(statementEntries)
    .innerJoin(accountSummary, eq(accountSummary.accountId, statementEntries.accountId))
    .where(eq(accountSummary.customerId, customerId))
    .orderBy(desc(statementEntries.recordedAt), desc(statementEntries.globalPosition))
    .limit(limit);
  return rows.map(({ entry, nickname, number }) => ({ ...toStatementEntryDto(entry), accountLabel: nickname ?? formatAccountNumber(number) }));
}
