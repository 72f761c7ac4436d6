import type { Database } from "../db/client";
import type { AccountSummaryRow } from "../db/schema";
import {
  monthBounds,
  monthlyFigures,
  monthOf,
  monthsBetween,
  monthText,
  parseStatementMonth,
  type MonthlyFigures,
  type StatementMonth,
} from "../domain/account/monthly-statement";
import { ValidationError } from "../domain/shared/errors";
import type { Formatting } from "../domain/shared/format";
import { monthlyStatementDocument } from "../export/monthly-statement-document";
import { monthlyStatementPdf } from "../export/statement-pdf";
import { readMonthEntries, toAccountDto, type StatementEntryDto } from "./accounts";

/** Most entries one monthly statement lists; a month with more is refused (the CSV has them all). */
export const MONTHLY_STATEMENT_MAX_ENTRIES = 10_000;

export type MonthlyStatement = {
  readonly month: StatementMonth;
  readonly timeZone: string;
  readonly start: Date;
  readonly end: Date;
  readonly figures: MonthlyFigures;
  /** Every entry of the month, oldest first (refused attempts too: they move nothing). */
  readonly entries: StatementEntryDto[];
};

/**
 * The account's statement for one calendar month in the customer's time zone. The caller has
 * checked ownership. A month before the account was opened, or one still to come, is refused: there
 * is nothing to state.
 */
export async function readMonthlyStatement(
  db: Database,
  account: AccountSummaryRow,
  month: StatementMonth,
  timeZone: string,
  now: Date,
): Promise<MonthlyStatement> {
  const first = monthOf(account.openedAt, timeZone);
  const last = monthOf(now, timeZone);
  const key = (m: StatementMonth) => m.year * 12 + m.month;
  if (key(month) < key(first) || key(month) > key(last)) {
    throw new ValidationError({
      month: [`Choose a month from ${first.year}-${String(first.month).padStart(2, "0")} to ${last.year}-${String(last.month).padStart(2, "0")}.`],
    });
  }
  const { start, end } = monthBounds(month, timeZone);
  const { opening, entries, truncated } = await readMonthEntries(db, account.accountId, { start, end }, MONTHLY_STATEMENT_MAX_ENTRIES);
  if (truncated) {
    throw new ValidationError({ month: [`This month has more than ${MONTHLY_STATEMENT_MAX_ENTRIES} movements; download it as CSV instead.`] });
  }
  const figures = monthlyFigures(
    opening,
    entries.map((entry) => ({ outcome: entry.outcome, balanceChange: BigInt(entry.balanceChange) })),
  );
  return { month, timeZone, start, end, figures, entries };
}

/** The months a statement can be had for, newest first (at most ten years of them). */
export function statementMonths(account: Pick<AccountSummaryRow, "openedAt">, timeZone: string, now: Date): StatementMonth[] {
  return monthsBetween(monthOf(account.openedAt, timeZone), monthOf(now, timeZone), 120);
}

/**
 * The PDF of one month of an account (the portal's download and the API's both come here). The
 * caller has checked ownership; `monthInput` is what was asked for, refused unless it is YYYY-MM.
 */
export async function monthlyStatementFile(
  db: Database,
  row: AccountSummaryRow,
  monthInput: unknown,
  holder: string,
  formatting: Formatting,
  now: Date,
): Promise<{ filename: string; bytes: Uint8Array }> {
  const month = parseStatementMonth(monthInput);
  if (!month) throw new ValidationError({ month: ["Choose a month as YYYY-MM, like 2026-11."] });
  const statement = await readMonthlyStatement(db, row, month, formatting.timeZone, now);
  const account = toAccountDto(row);
  const bytes = await monthlyStatementPdf(
    monthlyStatementDocument({
      statement,
      account: { label: account.nickname ?? `${account.currency} account`, displayNumber: account.displayNumber, currency: account.currency },
      holder,
      formatting,
      now,
    }),
  );
  return { filename: `ledgerline-${row.number}-${monthText(month)}.pdf`, bytes };
}
