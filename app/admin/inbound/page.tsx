import type { Metadata } from "next";

import { listHeldInboundPayments } from "@/lib/dal/admin/inbound-payments";

import { HeldInboundQueue } from "./held-inbound-queue";

export const metadata: Metadata = { title: "Held inbound payments" };

export default async function HeldInboundPaymentsPage() {
  const payments = await listHeldInboundPayments();
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Held inbound payments</h1>
          <p className="muted">
            Payments from the payment scheme that screening held, oldest first. Nothing has been credited: releasing one credits it at once, returning
            it sends the money back to the scheme.
          </p>
        </div>
        <p className="badge badge-transfer-held" data-testid="held-inbound-count">
          {payments.length} waiting
        </p>
      </div>
      <HeldInboundQueue payments={payments} />
    </>
  );
}
