import type { Metadata } from "next";
import Link from "next/link";

import { Money } from "@/components/ui/money";
import { myDateTimes } from "@/lib/dal/formatting";
import { listMyTransfers } from "@/lib/dal/transfers";

export const metadata: Metadata = { title: "Transfers" };

const STATUS: Record<string, string> = {
  held: "Under review",
  sent: "Sent to the other bank",
  completed: "Completed",
  failed: "Failed",
  releasing: "Failing",
};

export default async function TransfersPage({ searchParams }: { searchParams: Promise<{ cursor?: string | string[] }> }) {
  const date = await myDateTimes(); // the customer's locale and time zone
  const { cursor } = await searchParams;
  const { transfers, nextCursor } = await listMyTransfers(typeof cursor === "string" ? cursor : undefined);
  return (
    <>
      <div className="page-head">
        <h1>Transfers</h1>
        <Link href="/transfers/new" className="button">
          Make a transfer
        </Link>
      </div>
      {transfers.length === 0 ? (
        <p className="card muted">No transfers yet.</p>
      ) : (
        <div className="table-wrap card" role="region" aria-label="Your transfers" tabIndex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">Date ({date.timeZone})</th>
                <th scope="col">From</th>
                <th scope="col">To</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Amount
                </th>
              </tr>
            </thead>
            <tbody>
              {transfers.map((transfer) => (
                <tr key={transfer.id}>
                  <td>
                    <Link href={`/transfers/${transfer.id}`}>{date.format(new Date(transfer.requestedAt))}</Link>
                  </td>
                  <td>{transfer.from.name}</td>
                  <td>{transfer.to.name}</td>
                  <td>{STATUS[transfer.status] ?? "In progress"}</td>
                  <td className="num">
                    <Money amount={transfer.amount} currency={transfer.currency} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav aria-label="Transfer pages" className="pager">
        {cursor ? <Link href="/transfers">Newest</Link> : null}
        {nextCursor ? <Link href={`/transfers?cursor=${encodeURIComponent(nextCursor)}`}>Older transfers</Link> : null}
      </nav>
    </>
  );
}
