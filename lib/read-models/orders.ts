import { and, desc, eq, lt, or } from "drizzle-orm";

import type { Database } from "../db/client";
import { orderPayments, standingOrders, transfersView, type StandingOrderRow } from "../db/schema";
import { formatAccountNumber } from "../domain/account/account-number";
import type { Schedule } from "../domain/order/schedule";
import type { Currency } from "../domain/shared/currency";
import { isUuid } from "./accounts";

export type OrderPaymentDto = {
  dueAt: string;
  /** started: a transfer was made (its status says how it went); failed: it could not even be requested. */
  outcome: "started" | "failed";
  transferId: string | null;
  /** The transfer's status (completed, failed, …), or null when there is none. */
  transferStatus: string | null;
  failureReason: string | null;
};

export type OrderDto = {
  id: string;
  status: "active" | "paused" | "cancelled" | "finished";
  fromAccountId: string;
  payee: { accountNumber: string; name: string; payeeId: string | null };
  amount: string;
  currency: Currency;
  reference: string | null;
  schedule: Schedule;
  timeZone: string;
  nextDueAt: string | null;
  paymentsStarted: number;
  paymentsFailed: number;
  createdAt: string;
  updatedAt: string;
};

export const toOrderDto = (row: StandingOrderRow): OrderDto => ({
  id: row.orderId,
  status: row.status as OrderDto["status"],
  fromAccountId: row.fromAccountId,
  payee: { accountNumber: formatAccountNumber(row.toAccountNumber), name: row.payeeName, payeeId: row.payeeId },
  amount: row.amount.toString(),
  currency: row.currency,
  reference: row.reference,
  schedule: row.schedule as Schedule,
  timeZone: row.timeZone,
  nextDueAt: row.nextDueAt?.toISOString() ?? null,
  paymentsStarted: row.paymentsStarted,
  paymentsFailed: row.paymentsFailed,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

const encodeCursor = (row: StandingOrderRow) => Buffer.from(`${row.createdAt.toISOString()}|${row.orderId}`).toString("base64url");

export function decodeOrderCursor(cursor: string): { createdAt: Date; orderId: string } | undefined {
  const [at, orderId] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const createdAt = new Date(at ?? "");
  if (!orderId || !isUuid(orderId) || Number.isNaN(createdAt.getTime())) return undefined;
  return { createdAt, orderId };
}

/** One page of the user's orders, newest first, and the next page's cursor. */
export async function readOrderPage(db: Database, ownerId: string, options: { limit: number; before?: { createdAt: Date; orderId: string } }) {
  const conditions = [eq(standingOrders.ownerId, ownerId)];
  if (options.before) {
    const { createdAt, orderId } = options.before;
    conditions.push(
      or(lt(standingOrders.createdAt, createdAt), and(eq(standingOrders.createdAt, createdAt), lt(standingOrders.orderId, orderId))) as never,
    );
  }
  const rows = await db
    .select()
    .from(standingOrders)
    .where(and(...conditions))
    .orderBy(desc(standingOrders.createdAt), desc(standingOrders.orderId))
    .limit(options.limit + 1);
  const page = rows.slice(0, options.limit);
  const last = page.at(-1);
  return { rows: page, nextCursor: rows.length > options.limit && last ? encodeCursor(last) : null };
}

/** One of the user's orders; undefined for anyone else's. */
export async function findOrderFor(db: Database, ownerId: string, orderId: unknown): Promise<StandingOrderRow | undefined> {
  if (!isUuid(orderId)) return undefined;
  return (
    await db
      .select()
      .from(standingOrders)
      .where(and(eq(standingOrders.orderId, orderId), eq(standingOrders.ownerId, ownerId)))
  )[0];
}

/** The order's payments, newest first (at most `limit`), each with how its transfer went. */
export async function orderPaymentsFor(db: Database, ownerId: string, orderId: string, limit = 50): Promise<OrderPaymentDto[]> {
  const rows = await db
    .select({ payment: orderPayments, status: transfersView.status, failureReason: transfersView.failureReason })
    .from(orderPayments)
    .leftJoin(transfersView, eq(transfersView.transferId, orderPayments.transferId))
    .where(and(eq(orderPayments.orderId, orderId), eq(orderPayments.ownerId, ownerId)))
    .orderBy(desc(orderPayments.dueAt))
    .limit(limit);
  return rows.map(({ payment, status, failureReason }) => ({
    dueAt: payment.dueAt.toISOString(),
    outcome: payment.outcome as OrderPaymentDto["outcome"],
    transferId: payment.transferId,
    transferStatus: status,
    failureReason: payment.reason ?? (status === "failed" ? failureReason : null),
  }));
}
