import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";

import { myFormatting } from "@/lib/dal/formatting";
import { findMyOrder } from "@/lib/dal/orders";
import { formatMoney, toDecimalString } from "@/lib/domain/shared/money";

import { changeOrderAction } from "../actions";
import { localTime, scheduleText } from "../schedule-text";
import { EditOrderForm } from "./edit-order-form";

export const metadata: Metadata = { title: "Order" };

export default async function OrderPage({ params }: { params: Promise<{ orderId: string }> }) {
  const { locale } = await myFormatting();
  const { orderId } = await params;
  const found = await findMyOrder(orderId);
  if (!found) notFound();
  const { order, payments } = found;
  const open = order.status === "active" || order.status === "paused";
  return (
    <>
      <div className="page-head">
        <div>
          <h1>
            {formatMoney(BigInt(order.amount), order.currency, locale)} to {order.payee.name}
          </h1>
          <p className="muted">
            {scheduleText(order.schedule)} · {order.timeZone} · <span className={`badge badge-order-${order.status}`}>{order.status}</span>
          </p>
        </div>
        <Link href="/orders" className="button secondary">
          All orders
        </Link>
      </div>
      <section className="card">
        <dl className="review">
          <div>
            <dt>Next payment</dt>
            <dd data-testid="next-payment">
              {order.nextDueAt && order.status === "active" ? localTime(order.nextDueAt, order.timeZone, locale) : "None"}
            </dd>
          </div>
          <div>
            <dt>Payee</dt>
            <dd>
              {order.payee.name} <span className="muted mono">{order.payee.accountNumber}</span>
            </dd>
          </div>
          {order.reference ? (
            <div>
              <dt>Reference</dt>
              <dd>{order.reference}</dd>
            </div>
          ) : null}
        </dl>
        {open ? (
          <form action={changeOrderAction} className="actions">
            <input type="hidden" name="orderId" value={order.id} />
            {order.status === "active" ? (
              <button type="submit" name="intent" value="pause" className="button secondary">
                Pause
              </button>
            ) : (
              <button type="submit" name="intent" value="resume" className="button secondary">
                Resume
              </button>
            )}
            <button type="submit" name="intent" value="cancel" className="button secondary">
              Cancel order
            </button>
          </form>
        ) : null}
      </section>
      {open ? (
        <section className="card" aria-labelledby="edit-heading">
          <h2 id="edit-heading">Change future payments</h2>
          <EditOrderForm
            orderId={order.id}
            initial={{
              fromAccountId: order.fromAccountId,
              payeeId: order.payee.payeeId ?? "",
              toAccountNumber: "",
              amount: toDecimalString(BigInt(order.amount), order.currency),
              reference: order.reference ?? "",
              kind: order.schedule.kind,
              date: order.schedule.kind === "once" ? order.schedule.date : order.schedule.startDate,
              dayOfMonth: order.schedule.kind === "monthly" ? String(order.schedule.dayOfMonth) : "1",
              endDate: order.schedule.kind === "once" ? "" : (order.schedule.endDate ?? ""),
              count: order.schedule.kind === "once" || order.schedule.count === null ? "" : String(order.schedule.count),
              timeZone: order.timeZone,
            }}
          />
        </section>
      ) : null}
      <section aria-labelledby="payments-heading">
        <h2 id="payments-heading">Payments</h2>
        {payments.length === 0 ? (
          <p className="card muted">No payment has been due yet.</p>
        ) : (
          <div className="table-wrap card" role="region" aria-label="Payments" tabIndex={0}>
            <table>
              <thead>
                <tr>
                  <th scope="col">Due</th>
                  <th scope="col">Outcome</th>
                </tr>
              </thead>
              <tbody>
                {payments.map((payment) => (
                  <tr key={payment.dueAt}>
                    <td>{localTime(payment.dueAt, order.timeZone, locale)}</td>
                    <td>
                      {payment.transferId ? <Link href={`/transfers/${payment.transferId}`}>{payment.transferStatus ?? "started"}</Link> : "failed"}
                      {payment.failureReason ? <span className="muted"> — {payment.failureReason}</span> : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
