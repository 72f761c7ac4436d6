import type { Metadata } from "next";
import Link from "next/link";

import { DataTable, PageHead } from "@/components/ui/data-table";
import { myFormatting } from "@/lib/dal/formatting";
import { listMyOrders, myTimeZone } from "@/lib/dal/orders";
import { formatMoney } from "@/lib/domain/shared/money";

import { timeZoneAction } from "./actions";
import { localTime, scheduleText } from "./schedule-text";

export const metadata: Metadata = { title: "Scheduled and standing orders" };

export default async function OrdersPage({ searchParams }: { searchParams: Promise<{ cursor?: string }> }) {
  const { locale } = await myFormatting();
  const { cursor } = await searchParams;
  const [{ orders, nextCursor }, timeZone] = await Promise.all([listMyOrders(cursor), myTimeZone()]);
  return (
    <>
      <PageHead
        title="Scheduled and standing orders"
        actions={
          <Link href="/orders/new" className="button">
            New order
          </Link>
        }
      >
        Payments made for you on the dates you choose, at 06:00 in the order&apos;s time zone.
      </PageHead>
      <DataTable label="Your orders" columns={["To", "Amount", "Schedule", "Next payment", "Status"]} rowCount={orders.length} empty="No orders yet.">
        {orders.map((order) => (
          <tr key={order.id}>
            <td>
              <Link href={`/orders/${order.id}`}>{order.payee.name}</Link> <span className="muted mono">{order.payee.accountNumber}</span>
            </td>
            <td>{formatMoney(BigInt(order.amount), order.currency, locale)}</td>
            <td>{scheduleText(order.schedule)}</td>
            <td>{order.nextDueAt && order.status === "active" ? localTime(order.nextDueAt, order.timeZone, locale) : "—"}</td>
            <td>
              <span className={`badge badge-order-${order.status}`}>{order.status}</span>
            </td>
          </tr>
        ))}
      </DataTable>
      <form action={timeZoneAction} className="inline-form card" aria-label="Your time zone">
        <label htmlFor="profile-timeZone">Your time zone</label>
        <input id="profile-timeZone" name="timeZone" maxLength={64} defaultValue={timeZone ?? ""} placeholder="Europe/Berlin" />
        <button type="submit" className="button secondary small">
          Save
        </button>
        <span className="muted">New orders read their dates in it{timeZone ? "" : "; until you set it, the form offers your browser's"}.</span>
      </form>
      {nextCursor ? (
        <p>
          <Link href={`/orders?cursor=${encodeURIComponent(nextCursor)}`}>Older orders</Link>
        </p>
      ) : null}
    </>
  );
}
