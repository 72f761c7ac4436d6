import { and, asc, eq, gt, or } from "drizzle-orm";

import type { Database } from "../db/client";
import { payees, type PayeeRow } from "../db/schema";
import { formatAccountNumber } from "../domain/account/account-number";
import { isUuid } from "./accounts";

export type PayeeDto = { id: string; name: string; accountNumber: string; holderName: string; createdAt: string; updatedAt: string };

export const toPayeeDto = (row: PayeeRow): PayeeDto => ({
  id: row.payeeId,
  name: row.name,
  accountNumber: formatAccountNumber(row.accountNumber),
  holderName: row.holderName,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

/** Opaque keyset cursor over (name, payeeId), in name order. */
const encodeCursor = (row: PayeeRow) => Buffer.from(`${row.payeeId}|${row.name}`).toString("base64url");

export function decodePayeeCursor(cursor: string): { name: string; payeeId: string } | undefined {
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  const split = text.indexOf("|");
  const payeeId = text.slice(0, split);
  if (split < 0 || !isUuid(payeeId)) return undefined;
  return { payeeId, name: text.slice(split + 1) };
}

/** One page of the user's payees in name order, and the next page's cursor. */
export async function readPayeePage(db: Database, ownerId: string, options: { limit: number; after?: { name: string; payeeId: string } }) {
  const conditions = [eq(payees.ownerId, ownerId)];
  if (options.after) {
    const { name, payeeId } = options.after;
    conditions.push(or(gt(payees.name, name), and(eq(payees.name, name), gt(payees.payeeId, payeeId))) as never);
  }
  const rows = await db
    .select()
    .from(payees)
    .where(and(...conditions))
    .orderBy(asc(payees.name), asc(payees.payeeId))
    .limit(options.limit + 1);
  const page = rows.slice(0, options.limit);
  const last = page.at(-1);
  return { rows: page, nextCursor: rows.length > options.limit && last ? encodeCursor(last) : null };
}

/** One of the user's payees; undefined for anyone else's (callers say "not found"). */
export async function findPayeeFor(db: Database, ownerId: string, payeeId: unknown): Promise<PayeeRow | undefined> {
  if (!isUuid(payeeId)) return undefined;
  return (
    await db
      .select()
      .from(payees)
      .where(and(eq(payees.payeeId, payeeId), eq(payees.ownerId, ownerId)))
  )[0];
}
