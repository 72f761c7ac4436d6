import type { Metadata } from "next";

import { listHeldTransfers } from "@/lib/dal/admin/transfers";

import { HeldTransferQueue } from "./held-transfer-queue";

export const metadata: Metadata = { title: "Held transfers" };

export default async function HeldTransfersPage() {
  const transfers = await listHeldTransfers();
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Held transfers</h1>
          <p className="muted">
            Transfers that screening held for review, oldest first. Nothing has been reserved yet: releasing one runs it at once, rejecting it fails
            it and no money moves.
          </p>
        </div>
        <p className="badge badge-transfer-held" data-testid="held-count">
          {transfers.length} waiting
        </p>
      </div>
      <HeldTransferQueue transfers={transfers} />
    </>
  );
}
