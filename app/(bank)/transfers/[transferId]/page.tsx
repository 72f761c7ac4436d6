import type { Metadata } from "next";
import Link from "next/link";

import { getMyTransfer } from "@/lib/dal/transfers";

import { TransferProgress } from "./transfer-progress";

export const metadata: Metadata = { title: "Transfer" };

export default async function TransferPage({ params }: { params: Promise<{ transferId: string }> }) {
  const { transferId } = await params;
  const transfer = await getMyTransfer(transferId);
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Transfer</h1>
          <p className="muted">
            From {transfer.from.name} <span className="mono">{transfer.from.number}</span> to {transfer.to.name}{" "}
            <span className="mono">{transfer.to.number}</span>
            {transfer.reference ? ` · “${transfer.reference}”` : ""}
          </p>
        </div>
        <Link href="/transfers" className="button secondary">
          All transfers
        </Link>
      </div>
      <TransferProgress initial={transfer} />
    </>
  );
}
