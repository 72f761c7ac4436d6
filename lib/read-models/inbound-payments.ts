import { and, eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { type InboundPaymentViewRow, inboundPaymentsView } from "../db/schema";
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
