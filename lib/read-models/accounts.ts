import { and, asc, desc, eq, gte, inArray, lt, lte, sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";

import type { Database } from "../db/client";
import { accountSummary, statementEntries, users, type AccountSummaryRow, type StatementEntryRow } from "../db/schema";
import { preparedQuery } from "../db/statement";
import { formatAccountNumber } from "../domain/account/account-number";
import { startOfDay } from "../domain/account/monthly-statement";
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
    on
      .select()
      .from(accountSummary)
      .where(eq(accountSummary.customerId, sql.placeholder("userId")))
      .orderBy(asc(accountSummary.openedAt))
      .prepare("accounts_owned_by"),
  );
  return query.execute({ userId });
}

/** Any account, whoever owns it: for admin paths only. */
export async function findAccount(db: Database, accountId: unknown): Promise<AccountSummaryRow | undefined> {
  if (!isUuid(accountId)) return undefined;
  const query = preparedQuery(db, "account_by_id", (on) =>
    on
      .select()
      .from(accountSummary)
      .where(eq(accountSummary.accountId, sql.placeholder("accountId")))
      .prepare("account_by_id"),
  );
  return (await query.execute({ accountId }))[0];
}

export type AccountHolder = { id: string; name: string; email: string };

/**
 * Any account by id or by number, with its holder (null if their user row is gone): the back
 * office's account page, and the transfer form's payee looked up by number.
 */
export async function findAccountWithHolder(
  db: Database,
  where: { accountId: unknown } | { number: string },
): Promise<{ account: AccountSummaryRow; holder: AccountHolder | null } | undefined> {
  const condition = !("accountId" in where)
    ? eq(accountSummary.number, where.number)
    : isUuid(where.accountId)
      ? eq(accountSummary.accountId, where.accountId)
      : undefined;
  if (!condition) return undefined;
  const rows = await db
    .select({ account: accountSummary, holder: { id: users.id, name: users.name, email: users.email } })
    .from(accountSummary)
    .leftJoin(users, eq(users.id, accountSummary.customerId))
    .where(condition);
  return rows[0];
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
  /** Inclusive dates, YYYY-MM-DD, read in `timeZone` (UTC when unset). */
  from?: string;
  to?: string;
  timeZone?: string;
  /** Words to find in the reference or the counterparty (full-text, each word as a prefix). */
  text?: string;
  /** Inclusive bounds on the entry's amount (minor units, always positive: the size of the movement). */
  minAmount?: bigint;
  maxAmount?: bigint;
};

/** Longest search text accepted, and most words of it used. */
export const STATEMENT_TEXT_MAX = 100;
const STATEMENT_TEXT_WORDS = 8;

/**
 * The search text as a tsquery of prefix terms ("rent nov" → "rent:* & nov:*"), or null when it has
 * no word. Only letters and digits reach the query, so nothing typed can be tsquery syntax.
 */
export function statementTsQuery(text: string): string | null {
  const words = (
    text
      .normalize("NFKC")
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  ).slice(0, STATEMENT_TEXT_WORDS);
  return words.length === 0 ? null : words.map((word) => `${word}:*`).join(" & ");
}

/**
 * The document searched: reference and counterparty. The expression is the one indexed
 * (statement_entries_account_text_idx in lib/db/schema.ts), so the planner can use that index.
 */
export const statementDocument = (entries: StatementColumns = statementEntries) =>
  sql`to_tsvector('simple', coalesce(${entries.reference}, '') || ' ' || coalesce(${entries.counterparty}, ''))`;

/** The statement's columns, of the table or of a subquery that selects all of them. */
type StatementColumns = Record<"accountId" | "kind" | "outcome" | "amount" | "recordedAt" | "reference" | "counterparty", AnyPgColumn>;

export type StatementFilterInput = StatementFilter & { cursor?: bigint };

/**
 * The portal's statement filter from the URL. Bad values are reported by field (and left out of
 * the filter) so the page can say what is wrong instead of quietly showing everything.
 */
export function parseStatementFilter(
  params: Record<string, string | string[] | undefined>,
  parseAmount: (text: string) => { ok: true; amount: bigint } | { ok: false; message: string },
): { filter: StatementFilterInput; errors: Record<string, string> } {
  const one = (key: string) => (Array.isArray(params[key]) ? params[key][0] : params[key])?.trim() || undefined;
  const errors: Record<string, string> = {};
  const filter: StatementFilterInput = { kind: "all" };
  const kind = one("type");
  if (kind !== undefined) {
    const known = STATEMENT_KINDS.find((k) => k === kind);
    if (known) filter.kind = known;
    else errors.type = "Choose a type from the list.";
  }
  for (const key of ["from", "to"] as const) {
    const value = one(key);
    if (value === undefined) continue;
    if (isIsoDate(value)) filter[key] = value;
    else errors[key] = "Enter a date like 2026-11-23.";
  }
  if (filter.from && filter.to && filter.from > filter.to) errors.to = "The end date is before the start date.";
  const text = one("q");
  if (text !== undefined) {
    if (text.length > STATEMENT_TEXT_MAX) errors.q = `Search for at most ${STATEMENT_TEXT_MAX} characters.`;
    else if (statementTsQuery(text) === null) errors.q = "Search for a word or number from a reference or a name.";
    else filter.text = text;
  }
  for (const [key, field] of [
    ["min", "minAmount"],
    ["max", "maxAmount"],
  ] as const) {
    const value = one(key);
    if (value === undefined) continue;
    if (value.length > 30) {
      errors[key] = "Enter an amount like 25 or 25.50.";
      continue;
    }
    const parsed = parseAmount(value);
    if (parsed.ok) filter[field] = parsed.amount;
    else errors[key] = parsed.message;
  }
  if (filter.minAmount !== undefined && filter.maxAmount !== undefined && filter.minAmount > filter.maxAmount) {
    errors.max = "The largest amount is below the smallest.";
  }
  const cursorText = one("cursor");
  if (cursorText !== undefined) {
    if (/^\d{1,18}$/.test(cursorText)) filter.cursor = BigInt(cursorText);
    else errors.cursor = "This page link is not valid; start from the newest movements.";
  }
  return { filter, errors };
}

export function isIsoDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value)) && new Date(Date.parse(value)).toISOString().startsWith(value);
}

export function statementConditions(accountId: string, filter: StatementFilter, entries: StatementColumns = statementEntries) {
  const conditions = [eq(entries.accountId, accountId)];
  if (filter.kind === "rejected") conditions.push(eq(entries.outcome, "rejected"));
  else if (filter.kind === "transfer") conditions.push(inArray(entries.kind, ["transfer_in", "transfer_out"]));
  else if (filter.kind !== "all") conditions.push(eq(entries.kind, filter.kind));
  const timeZone = filter.timeZone ?? "UTC";
  if (filter.from) conditions.push(gte(entries.recordedAt, startOfDay(filter.from, timeZone)));
  if (filter.to) conditions.push(lt(entries.recordedAt, startOfDay(filter.to, timeZone, 1)));
  const query = filter.text === undefined ? null : statementTsQuery(filter.text);
  if (query !== null) conditions.push(sql`${statementDocument(entries)} @@ to_tsquery('simple', ${query})`);
  if (filter.minAmount !== undefined) conditions.push(gte(entries.amount, filter.minAmount));
  if (filter.maxAmount !== undefined) conditions.push(lte(entries.amount, filter.maxAmount));
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
  const want = pageSize + 1;
  const rows = isSearch(filter)
    ? await searchStatement(db, accountId, filter, cursor, want)
    : await readNewestFirst(db, accountId, filter, cursor, want);
  const page = rows.slice(0, pageSize);
  return { rows: page, nextCursor: rows.length > pageSize ? (page.at(-1)?.streamPosition ?? null) : null };
}

/** A text or an amount range: filters whose matches may be anywhere from every row to none. */
const isSearch = (filter: StatementFilter) =>
  (filter.text !== undefined && statementTsQuery(filter.text) !== null) || filter.minAmount !== undefined || filter.maxAmount !== undefined;

async function readNewestFirst(db: Database, accountId: string, filter: StatementFilter, cursor: bigint | undefined, limit: number) {
  const conditions = statementConditions(accountId, filter);
  if (cursor !== undefined) conditions.push(lt(statementEntries.streamPosition, cursor));
  return db
    .select()
    .from(statementEntries)
    .where(and(...conditions))
    .orderBy(desc(statementEntries.streamPosition))
    .limit(limit);
}

/** Entries a search reads newest first before it asks an index (decision 0037). */
export const SEARCH_WINDOW = 2_000;

/**
 * A search in two steps whose cost does not depend on the planner's guess of how many entries
 * match (decision 0037). A word or range that is common is found among the newest SEARCH_WINDOW
 * entries, read in order; one that is rare there is looked up in the older entries through its
 * index (the text's GIN index, the amount's btree), whose matches are then few enough to sort.
 * One statement cannot do both: a prepared statement's generic plan, and even a custom one, picks
 * the ordered scan for words that match nothing (every entry read) or the index for words that
 * match thousands (every match fetched and sorted).
 */
async function searchStatement(db: Database, accountId: string, filter: StatementFilter, cursor: bigint | undefined, limit: number) {
  const before = cursor === undefined ? [] : [lt(statementEntries.streamPosition, cursor)];
  // The subquery's LIMIT keeps the filter above it: the planner cannot push it down to an index.
  const recent = db
    .select()
    .from(statementEntries)
    .where(and(eq(statementEntries.accountId, accountId), ...before))
    .orderBy(desc(statementEntries.streamPosition))
    .limit(SEARCH_WINDOW)
    .as("recent");
  const found = await db
    .select()
    .from(recent)
    .where(and(...statementConditions(accountId, filter, recent)))
    .orderBy(desc(recent.streamPosition))
    .limit(limit);
  if (found.length >= limit) return found;
  // The window's oldest entry; none when the account has no more entries than the window.
  const [edge] = await db
    .select({ position: statementEntries.streamPosition })
    .from(statementEntries)
    .where(and(eq(statementEntries.accountId, accountId), ...before))
    .orderBy(desc(statementEntries.streamPosition))
    .offset(SEARCH_WINDOW - 1)
    .limit(1);
  if (!edge) return found;
  const older = await db
    .select()
    .from(statementEntries)
    .where(and(...statementConditions(accountId, filter), lt(statementEntries.streamPosition, edge.position)))
    // "+ 0": not the primary key's order, so the planner reads the matches from an index and sorts
    // them instead of walking the account backwards through entries that do not match.
    .orderBy(sql`${statementEntries.streamPosition} + 0 desc`)
    .limit(limit - found.length);
  return [...found, ...older];
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

/**
 * One month of an account (instants `start <= recordedAt < end`): the balance before it (the
 * balance after the last entry before `start`, 0 before the first) and every entry of the month,
 * oldest first. Bounded by `limit` entries; `truncated` says when a month had more.
 */
export async function readMonthEntries(
  db: Database,
  accountId: string,
  bounds: { start: Date; end: Date },
  limit: number,
): Promise<{ opening: bigint; entries: StatementEntryDto[]; truncated: boolean }> {
  const [before] = await db
    .select({ balance: statementEntries.balanceAfter })
    .from(statementEntries)
    .where(and(eq(statementEntries.accountId, accountId), lt(statementEntries.recordedAt, bounds.start)))
    .orderBy(desc(statementEntries.recordedAt), desc(statementEntries.streamPosition))
    .limit(1);
  const rows = await db
    .select()
    .from(statementEntries)
    .where(
      and(eq(statementEntries.accountId, accountId), gte(statementEntries.recordedAt, bounds.start), lt(statementEntries.recordedAt, bounds.end)),
    )
    .orderBy(asc(statementEntries.streamPosition))
    .limit(limit + 1);
  return { opening: before?.balance ?? 0n, entries: rows.slice(0, limit).map(toStatementEntryDto), truncated: rows.length > limit };
}

export type MonthlySummaryDto = { month: string; moneyIn: string; moneyOut: string };

/**
 * Money in and out of an account per calendar month in `timeZone`, for the months since `since`,
 * oldest first; months without movement are left out (the caller fills them in).
 */
export async function readMonthlySummary(db: Database, accountId: string, timeZone: string, since: Date): Promise<MonthlySummaryDto[]> {
  const month = sql<string>`to_char(date_trunc('month', ${statementEntries.recordedAt}, ${timeZone}) at time zone ${timeZone}, 'YYYY-MM')`;
  const rows = await db
    .select({
      month,
      moneyIn: sql<string>`coalesce(sum(${statementEntries.balanceChange}) filter (where ${statementEntries.balanceChange} > 0), 0)::text`,
      moneyOut: sql<string>`coalesce(-sum(${statementEntries.balanceChange}) filter (where ${statementEntries.balanceChange} < 0), 0)::text`,
    })
    .from(statementEntries)
    .where(and(eq(statementEntries.accountId, accountId), eq(statementEntries.outcome, "posted"), gte(statementEntries.recordedAt, since)))
    // By position: the time zone is a parameter, and "$2" in the select is not "$5" in a GROUP BY.
    .groupBy(sql`1`)
    .orderBy(sql`1`);
  return rows;
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
