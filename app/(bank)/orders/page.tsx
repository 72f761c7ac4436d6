import { myFormatting } from "@/lib/dal/formatting";
import type { Metadata } from "next";
import Link from "next/link";
import { listMyOrders, myTimeZone } from "@/lib/dal/orders";
import { timeZoneAction } from "./actions";
import { formatMoney } from "@/lib/domain/shared/money";
import { localTime, scheduleText } from "./schedule-text";

export const metadata: Metadata = { title: "Scheduled and standing orders" };

export default async function OrdersPage({ searchParams }: { searchParams: Promise<{ cursor?: string }> }) {
  const { locale } = await myFormatting();
  const { cursor } = await searchParams;
  const [{ orders, nextCursor }, timeZone] = await Promise.all([listMyOrders(cursor), myTimeZone()]);
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Scheduled and standing orders</h1>
          <p className="muted">Payments made for you on the dates you choose, at 06:00 in the order&apos;s time zone.</p>
        </div>
        <Link href="/orders/new" className="button">
          New order
        </Link>
      </div>
      {orders.length === 0 ? (
        <p className="card muted">No orders yet.</p>
      ) : (
        <div className="table-wrap card" role="region" aria-label="Your orders" tabIndex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">To</th>
                <th scope="col">Amount</th>
                <th scope="col">Schedule</th>
                <th scope="col">Next payment</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
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
            </tbody>
          </table>
        </div>
      )}
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
