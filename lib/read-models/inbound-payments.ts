import { and, asc, eq } from "drizzle-orm";

import type { Database } from "../db/client";
import { inboundPaymentsView, type InboundPaymentViewRow } from "../db/schema";
import { formatAccountNumber, normaliseAccountNumber } from "../domain/account/account-number";
import type { Currency } from "../domain/shared/currency";
import { isUuid } from "./accounts";

/** A payment by Ledgerline's id (the back office), or undefined. */
export async function findInboundPayment(db: Database, paymentId: unknown): Promise<InboundPaymentViewRow | undefined> {
  if (!isUuid(paymentId)) return undefined;
  return (await db.select().from(inboundPaymentsView).where(eq(inboundPaymentsView.paymentId, paymentId)))[0];
}

/** A payment by the id its scheme gave it; another scheme's payments are not found. */
export async function findSchemePayment(db: Database, schemeId: string, schemePaymentId: string): Promise<InboundPaymentViewRow | undefined> {
  if (schemePaymentId.length > 64) return undefined;
  const rows = await db
    .select()
    .from(inboundPaymentsView)
    .where(and(eq(inboundPaymentsView.schemeId, schemeId), eq(inboundPaymentsView.schemePaymentId, schemePaymentId)));
  return rows[0];
}

export type HeldInboundPaymentDto = {
  id: string;
  amount: string;
  currency: Currency;
  reference: string | null;
  holdReason: string;
  debtor: { name: string; account: string };
  accountId: string | null;
  accountNumber: string;
  schemePaymentId: string;
  receivedAt: string;
};

/** Payments from a scheme waiting for an admin, oldest first: admin paths only. */
export async function readHeldInboundPayments(db: Database, limit: number): Promise<HeldInboundPaymentDto[]> {
  const rows = await db
    .select()
    .from(inboundPaymentsView)
    .where(eq(inboundPaymentsView.status, "held"))
    .orderBy(asc(inboundPaymentsView.receivedAt))
    .limit(limit);
  return rows.map((row) => ({
    id: row.paymentId,
    amount: row.amount.toString(),
    currency: row.currency,
    reference: row.reference,
    holdReason: row.holdReason ?? "Held for review",
    debtor: { name: row.debtorName, account: row.debtorAccount },
    accountId: row.accountId,
    // A number that is not in our format is shown as the scheme sent it.
    accountNumber: normaliseAccountNumber(row.accountNumber) ? formatAccountNumber(row.accountNumber) : row.accountNumber,
    schemePaymentId: row.schemePaymentId,
    receivedAt: row.receivedAt.toISOString(),
  }));
}
