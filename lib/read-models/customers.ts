import { asc, desc, eq, ilike, inArray, or } from "drizzle-orm";

import type { Database } from "../db/client";
import { accountSummary, users, type AccountSummaryRow, type UserRow } from "../db/schema";
import { normaliseAccountNumber } from "../domain/account/account-number";
import { findAccountWithHolder, toAccountDto, type AccountDto, type AccountHolder } from "./accounts";
import { findUser } from "./users";

// The back office's customers and their accounts (the DAL checks the role).

export type AdminCustomerDto = {
  id: string;
  name: string;
  email: string;
  role: string;
  createdAt: string;
  accounts: AdminAccountDto[];
};

/** An account as the back office sees it: the customer's view plus the admin's private freeze note and counters. */
export type AdminAccountDto = AccountDto & {
  customerId: string;
  freezeReason: string | null;
  deposits: number;
  withdrawals: number;
  rejections: number;
  updatedAt: string;
};

export function toAdminAccountDto(row: AccountSummaryRow): AdminAccountDto {
  return {
    ...toAccountDto(row),
    customerId: row.customerId,
    freezeReason: row.freezeReason,
    deposits: row.deposits,
    withdrawals: row.withdrawals,
    rejections: row.rejections,
    updatedAt: row.updatedAt.toISOString(),
  };
}

const toCustomer = (row: UserRow, accounts: AdminAccountDto[]): AdminCustomerDto => ({
  id: row.id,
  name: row.name,
  email: row.email,
  role: row.role,
  createdAt: row.createdAt.toISOString(),
  accounts,
});

/** `%`, `_` and `\` match literally in a LIKE pattern once escaped. */
const likeEscape = (text: string) => text.replace(/[\\%_]/g, (char) => `\\${char}`);

/**
 * Customers whose name or email contains `query`, or who hold an account whose number contains it
 * (typed with or without spaces). With no query: the newest sign-ups. At most `limit` people.
 */
export async function readCustomerSearch(db: Database, query: string, limit: number): Promise<AdminCustomerDto[]> {
  const text = query.trim().slice(0, 100);
  let rows: UserRow[];
  if (text === "") {
    rows = await db.select().from(users).orderBy(desc(users.createdAt)).limit(limit);
  } else {
    const pattern = `%${likeEscape(text)}%`;
    const compact = text.replace(/[\s-]/g, "").toUpperCase();
    const exact = normaliseAccountNumber(text);
    const byNumber =
      exact !== null
        ? eq(accountSummary.number, exact)
        : /^(?:LL\d+|\d{3,})$/.test(compact)
          ? ilike(accountSummary.number, `%${likeEscape(compact)}%`)
          : undefined;
    const holders = byNumber ? db.select({ id: accountSummary.customerId }).from(accountSummary).where(byNumber) : undefined;
    rows = await db
      .select()
      .from(users)
      .where(or(ilike(users.name, pattern), ilike(users.email, pattern), ...(holders ? [inArray(users.id, holders)] : [])))
      .orderBy(asc(users.name), asc(users.email))
      .limit(limit);
  }
  const accounts = await accountsOf(
    db,
    rows.map((row) => row.id),
  );
  return rows.map((row) => toCustomer(row, accounts.get(row.id) ?? []));
}

async function accountsOf(db: Database, customerIds: string[]): Promise<Map<string, AdminAccountDto[]>> {
  const byCustomer = new Map<string, AdminAccountDto[]>();
  if (customerIds.length === 0) return byCustomer;
  const rows = await db.select().from(accountSummary).where(inArray(accountSummary.customerId, customerIds)).orderBy(asc(accountSummary.openedAt));
  for (const row of rows) {
    const list = byCustomer.get(row.customerId) ?? [];
    list.push(toAdminAccountDto(row));
    byCustomer.set(row.customerId, list);
  }
  return byCustomer;
}

/** A customer (or admin) with all their accounts; undefined when there is no such user. */
export async function findCustomer(db: Database, userId: unknown): Promise<AdminCustomerDto | undefined> {
  const row = await findUser(db, userId);
  if (!row) return undefined;
  const accounts = await accountsOf(db, [row.id]);
  return toCustomer(row, accounts.get(row.id) ?? []);
}

export type AdminAccountWithOwner = { account: AdminAccountDto; owner: AccountHolder | null };

/** Any account, with its owner; undefined when there is no such account. */
export async function findAdminAccount(db: Database, accountId: unknown): Promise<AdminAccountWithOwner | undefined> {
  const found = await findAccountWithHolder(db, { accountId });
  return found && { account: toAdminAccountDto(found.account), owner: found.holder };
}
