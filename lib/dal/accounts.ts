import "server-only";
import { and, asc, desc, eq, gte, inArray, lt } from "drizzle-orm";
import { notFound } from "next/navigation";
import type { SessionUser } from "../auth/users";
import { database } from "../db";
import { accountSummary, type AccountSummaryRow, statementEntries, type StatementEntryRow } from "../db/schema";
import { formatAccountNumber } from "../domain/account/account-number";
import type { Currency } from "../domain/shared/currency";
import { requireUser } from "./session";

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
    currency: row.currency as Currency,
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The account if `user` owns it; undefined otherwise (callers answer "not found" either way). */
export async function findOwnedAccount(user: SessionUser, accountId: unknown): Promise<AccountSummaryRow | undefined> {
  if (typeof accountId !== "string" || !UUID.test(accountId)) return undefined;
  const { db } = await database();
  const rows = await db
    .select()
    .from(accountSummary)
    .where(and(eq(accountSummary.accountId, accountId), eq(accountSummary.customerId, user.id)));
  return rows[0];
}

export async function listMyAccounts(): Promise<AccountDto[]> {
  const user = await requireUser();
  const { db } = await database();
  const rows = await db
    .select()
    .from(accountSummary)
    .where(eq(accountSummary.customerId, user.id))
    .orderBy(asc(accountSummary.openedAt));
  return rows.map(toAccountDto);
}

/** For account pages: someone else's account, or none, is simply not found. */
export async function getMyAccount(accountId: string): Promise<AccountDto> {
  const user = await requireUser();
  const row = await findOwnedAccount(user, accountId);
  if (!row) notFound();
  return toAccountDto(row);
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

const toEntryDto = (row: StatementEntryRow): StatementEntryDto => ({
  position: row.streamPosition.toString(),
  kind: row.kind,
  outcome: row.outcome as StatementEntryDto["outcome"],
  amount: row.amount.toString(),
  balanceChange: row.balanceChange.toString(),
  balanceAfter: row.balanceAfter.toString(),
  currency: row.currency as Currency,
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

function statementConditions(accountId: string, filter: StatementFilter) {
  const conditions = [eq(statementEntries.accountId, accountId)];
  if (filter.kind === "rejected") conditions.push(eq(statementEntries.outcome, "rejected"));
  else if (filter.kind === "transfer") conditions.push(inArray(statementEntries.kind, ["transfer_in", "transfer_out"]));
  else if (filter.kind !== "all") conditions.push(eq(statementEntries.kind, filter.kind));
  if (filter.from) conditions.push(gte(statementEntries.recordedAt, new Date(`${filter.from}T00:00:00Z`)));
  if (filter.to) conditions.push(lt(statementEntries.recordedAt, new Date(Date.parse(`${filter.to}T00:00:00Z`) + 86_400_000)));
  return conditions;
}

/** One page of the statement, newest first, by keyset on the stream position. */
export async function getStatementPage(
  accountId: string,
  filter: StatementFilter,
  cursor: bigint | undefined,
  pageSize = 25,
): Promise<{ entries: StatementEntryDto[]; nextCursor: string | null }> {
  await getMyAccount(accountId);
  const { db } = await database();
  const conditions = statementConditions(accountId, filter);
  if (cursor !== undefined) conditions.push(lt(statementEntries.streamPosition, cursor));
  const rows = await db
    .select()
    .from(statementEntries)
    .where(and(...conditions))
    .orderBy(desc(statementEntries.streamPosition))
    .limit(pageSize + 1);
  const page = rows.slice(0, pageSize);
  return {
    entries: page.map(toEntryDto),
    nextCursor: rows.length > pageSize ? (page.at(-1)?.streamPosition.toString() ?? null) : null,
  };
}

/** Every entry matching the filter, newest first, for the CSV export (bounded). */
export async function getStatementForExport(user: SessionUser, accountId: string, filter: StatementFilter, limit = 50_000) {
  const account = await findOwnedAccount(user, accountId);
  if (!account) return undefined;
  const { db } = await database();
  const rows = await db
    .select()
    .from(statementEntries)
    .where(and(...statementConditions(accountId, filter)))
    .orderBy(desc(statementEntries.streamPosition))
    .limit(limit);
  return { account: toAccountDto(account), entries: rows.map(toEntryDto) };
}

/** Balance after each posted movement, oldest first, for the chart (the latest 500 points). */
export async function getBalanceSeries(accountId: string): Promise<{ at: string; balance: string }[]> {
  await getMyAccount(accountId);
  const { db } = await database();
  const rows = await db
    .select({ at: statementEntries.recordedAt, balance: statementEntries.balanceAfter })
    .from(statementEntries)
    .where(and(eq(statementEntries.accountId, accountId), eq(statementEntries.outcome, "posted")))
    .orderBy(desc(statementEntries.streamPosition))
    .limit(500);
  return rows.reverse().map((row) => ({ at: row.at.toISOString(), balance: row.balance.toString() }));
}

/** The customer's latest movements across all their accounts. */
export async function getRecentMovements(limit = 8): Promise<(StatementEntryDto & { accountLabel: string })[]> {
  const user = await requireUser();
  const { db } = await database();
  const rows = await db
    .select({ entry: statementEntries, nickname: accountSummary.nickname, number: accountSummary.number })
    .from(statementEntries)
    .innerJoin(accountSummary, eq(accountSummary.accountId, statementEntries.accountId))
    .where(eq(accountSummary.customerId, user.id))
    .orderBy(desc(statementEntries.recordedAt), desc(statementEntries.globalPosition))
    .limit(limit);
  return rows.map(({ entry, nickname, number }) => ({ ...toEntryDto(entry), accountLabel: nickname ?? formatAccountNumber(number) }));
}

/** Sum of balances per currency (money in different currencies is never added together). */
export function totalsByCurrency(accounts: AccountDto[]): { currency: Currency; balance: bigint; available: bigint }[] {
  const totals = new Map<Currency, { balance: bigint; available: bigint }>();
  for (const account of accounts) {
    if (account.status === "Closed") continue;
    const total = totals.get(account.currency) ?? { balance: 0n, available: 0n };
    totals.set(account.currency, { balance: total.balance + BigInt(account.balance), available: total.available + BigInt(account.available) });
  }
  return [...totals].map(([currency, total]) => ({ currency, ...total }));
}

