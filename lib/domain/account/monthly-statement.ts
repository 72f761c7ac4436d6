import { Temporal } from "temporal-polyfill";

/**
 * A monthly statement's figures, as a pure function of the balance before the month and the month's
 * entries. The page, the CSV and the PDF all show these numbers, so they cannot disagree.
 */

/** A calendar month, written YYYY-MM. */
export type StatementMonth = { readonly year: number; readonly month: number };

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** "2026-11" → { year: 2026, month: 11 }; anything else (2026-13, 26-11, 2026-1) → null. */
export function parseStatementMonth(text: unknown): StatementMonth | null {
  if (typeof text !== "string") return null;
  const match = MONTH.exec(text);
  if (!match) return null;
  const year = Number(match[1]);
  if (year < 1970) return null;
  return { year, month: Number(match[2]) };
}

export const monthText = (month: StatementMonth): string => `${month.year}-${String(month.month).padStart(2, "0")}`;

/**
 * The month's first and the next month's first instant in `timeZone` (the customer's months,
 * not UTC's): an entry belongs to the month when `start <= recordedAt < end`.
 */
export function monthBounds(month: StatementMonth, timeZone: string): { start: Date; end: Date } {
  const first = Temporal.PlainDate.from({ year: month.year, month: month.month, day: 1 });
  const startOf = (date: Temporal.PlainDate) => new Date(date.toZonedDateTime({ timeZone }).epochMilliseconds);
  return { start: startOf(first), end: startOf(first.add({ months: 1 })) };
}

/** The first instant of `date` (YYYY-MM-DD) plus `days` in `timeZone`: the customer's midnight. */
export function startOfDay(date: string, timeZone: string, days = 0): Date {
  const day = Temporal.PlainDate.from(date).add({ days });
  return new Date(day.toZonedDateTime({ timeZone }).epochMilliseconds);
}

/** The month `now` falls in, in `timeZone`. */
export function monthOf(now: Date, timeZone: string): StatementMonth {
  const date = Temporal.Instant.fromEpochMilliseconds(now.getTime()).toZonedDateTimeISO(timeZone);
  return { year: date.year, month: date.month };
}

/** Months from `first` to `last` inclusive, newest first, at most `limit` of them. */
export function monthsBetween(first: StatementMonth, last: StatementMonth, limit: number): StatementMonth[] {
  const out: StatementMonth[] = [];
  let year = last.year;
  let month = last.month;
  while (out.length < limit && (year > first.year || (year === first.year && month >= first.month))) {
    out.push({ year, month });
    month -= 1;
    if (month === 0) {
      month = 12;
      year -= 1;
    }
  }
  return out;
}

export type MonthlyEntry = { readonly outcome: "posted" | "rejected"; readonly balanceChange: bigint };

export type MonthlyFigures = {
  readonly opening: bigint;
  /** Sum of the credits (positive changes) of the month. */
  readonly moneyIn: bigint;
  /** Sum of the debits of the month, as a positive number. */
  readonly moneyOut: bigint;
  readonly closing: bigint;
  readonly movements: number;
};

/**
 * Opening + in − out = closing. Refused attempts are listed on the statement but move nothing, so
 * they count neither way (their balance change is 0 anyway; the outcome makes it explicit).
 */
export function monthlyFigures(opening: bigint, entries: readonly MonthlyEntry[]): MonthlyFigures {
  let moneyIn = 0n;
  let moneyOut = 0n;
  let movements = 0;
  for (const entry of entries) {
    if (entry.outcome !== "posted") continue;
    movements += 1;
    if (entry.balanceChange > 0n) moneyIn += entry.balanceChange;
    else moneyOut -= entry.balanceChange;
  }
  return { opening, moneyIn, moneyOut, closing: opening + moneyIn - moneyOut, movements };
}
