import "server-only";

import { notFound } from "next/navigation";
import { cache } from "react";

import type { SessionUser } from "../auth/users";
import { database } from "../db";
import type { AccountSummaryRow } from "../db/schema";
import { monthBounds, monthText } from "../domain/account/monthly-statement";
import type { Currency } from "../domain/shared/currency";
import { formatMonth, formatShortMonth } from "../domain/shared/format";
import { parseDecimalAmount } from "../domain/shared/money";
import {
  findAccountOwnedBy,
  listAccountsOwnedBy,
  parseStatementFilter,
  readBalanceSeries,
  readMonthlySummary,
  readRecentMovements,
  readStatementForExport,
  readStatementPage,
  toAccountDto,
  toStatementEntryDto,
  type AccountDto,
  type RecentMovementDto,
  type StatementEntryDto,
  type StatementFilter,
  type StatementFilterInput,
} from "../read-models/accounts";
import { monthlyStatementFile, statementMonths } from "../read-models/monthly-statement";
import { myFormatting } from "./formatting";
import { requireUser } from "./session";

export { type AccountDto, STATEMENT_KINDS, type StatementEntryDto, type StatementFilter, toAccountDto } from "../read-models/accounts";

/** The account if `user` owns it; undefined otherwise (callers answer "not found" either way). */
export async function findOwnedAccount(user: SessionUser, accountId: unknown): Promise<AccountSummaryRow | undefined> {
  const { db } = await database();
  return findAccountOwnedBy(db, user.id, accountId);
}

export async function listMyAccounts(): Promise<AccountDto[]> {
  const user = await requireUser();
  const { db } = await database();
  return (await listAccountsOwnedBy(db, user.id)).map(toAccountDto);
}

/**
 * For account pages: someone else's account, or none, is simply not found. Memoised per request
 * (React `cache`): a page and the parts it renders check ownership once. Only pages call it; an
 * action reads the row fresh with `findOwnedAccount`, so a page rendered after the action's write
 * reads that write.
 */
export const getMyAccount = cache(async (accountId: string): Promise<AccountDto> => {
  const user = await requireUser();
  const row = await findOwnedAccount(user, accountId);
  if (!row) notFound();
  return toAccountDto(row);
});

/** One page of the statement, newest first, by keyset on the stream position. */
export async function getStatementPage(
  accountId: string,
  filter: StatementFilter,
  cursor: bigint | undefined,
  pageSize = 25,
): Promise<{ entries: StatementEntryDto[]; nextCursor: string | null }> {
  await getMyAccount(accountId);
  const { db } = await database();
  const page = await readStatementPage(db, accountId, filter, cursor, pageSize);
  return { entries: page.rows.map(toStatementEntryDto), nextCursor: page.nextCursor?.toString() ?? null };
}

/** Every entry matching the filter, newest first, for the CSV export (bounded). */
export async function getStatementForExport(user: SessionUser, accountId: string, filter: StatementFilter, limit = 50_000) {
  const account = await findOwnedAccount(user, accountId);
  if (!account) return undefined;
  const { db } = await database();
  return { account: toAccountDto(account), entries: await readStatementForExport(db, accountId, filter, limit) };
}

/** Balance after each posted movement, oldest first, for the chart (the latest 500 points). */
export async function getBalanceSeries(accountId: string): Promise<{ at: string; balance: string }[]> {
  await getMyAccount(accountId);
  const { db } = await database();
  return readBalanceSeries(db, accountId, 500);
}

/** The customer's latest movements across all their accounts. */
export async function getRecentMovements(limit = 8): Promise<RecentMovementDto[]> {
  const user = await requireUser();
  const { db } = await database();
  return readRecentMovements(db, user.id, limit);
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

/**
 * The statement filter from the page's URL, with amounts read in the account's currency and dates
 * in the customer's time zone; errors by field for anything that could not be used.
 */
export async function parseMyStatementFilter(
  account: Pick<AccountDto, "currency">,
  params: Record<string, string | string[] | undefined>,
): Promise<{ filter: StatementFilterInput; errors: Record<string, string> }> {
  const { timeZone } = await myFormatting();
  const parsed = parseStatementFilter(params, (text) => parseDecimalAmount(text, account.currency));
  return { filter: { ...parsed.filter, timeZone }, errors: parsed.errors };
}

/** Money in and out per month for the last twelve months (the current one included), oldest first. */
export async function getMonthlySummary(
  accountId: string,
): Promise<{ key: string; label: string; shortLabel: string; moneyIn: string; moneyOut: string }[]> {
  const account = await getMyAccount(accountId);
  const formatting = await myFormatting();
  const months = statementMonths({ openedAt: new Date(account.openedAt) }, formatting.timeZone, new Date())
    .slice(0, 12)
    .reverse();
  if (months.length === 0) return [];
  const { db } = await database();
  const rows = await readMonthlySummary(db, accountId, formatting.timeZone, monthBounds(months[0]!, formatting.timeZone).start);
  const byMonth = new Map(rows.map((row) => [row.month, row]));
  return months.map((month) => {
    const row = byMonth.get(monthText(month));
    return {
      key: monthText(month),
      label: formatMonth(month, formatting),
      shortLabel: formatShortMonth(month, formatting),
      moneyIn: row?.moneyIn ?? "0",
      moneyOut: row?.moneyOut ?? "0",
    };
  });
}

/** The months a PDF statement can be downloaded for, newest first, with their names in the customer's language. */
export async function getStatementMonths(accountId: string): Promise<{ value: string; label: string }[]> {
  const account = await getMyAccount(accountId);
  const formatting = await myFormatting();
  return statementMonths({ openedAt: new Date(account.openedAt) }, formatting.timeZone, new Date()).map((month) => ({
    value: monthText(month),
    label: formatMonth(month, formatting),
  }));
}

/**
 * The PDF statement of one of `user`'s accounts for `month` (YYYY-MM); undefined when the account is
 * not theirs. A month that is not one (or outside the account's life) is a ValidationError.
 */
export async function getMonthlyStatementPdf(
  user: SessionUser,
  accountId: string,
  monthInput: unknown,
): Promise<{ filename: string; bytes: Uint8Array } | undefined> {
  const row = await findOwnedAccount(user, accountId);
  if (!row) return undefined;
  const { db } = await database();
  return monthlyStatementFile(db, row, monthInput, user.name, await myFormatting(), new Date());
}
