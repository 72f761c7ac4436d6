import { insertRowsStatement, rowFromDriver, upsertRowStatement } from "../db/rows";
import {
  auditLog,
  orderPayments,
  standingOrders,
  type AuditLogRow,
  type NotificationRow,
  type OrderPaymentRow,
  type StandingOrderRow,
} from "../db/schema";
import { statement, type Statement } from "../db/statement";
import { orderStreams } from "../domain/order/events";
import type { Projection, ProjectionContext } from "../event-store/handle-command";
import { notificationWrites, orderNotification } from "./notification-projection";
import { evolveOrderRow, orderAuditEntry, orderPaymentFor, type OrderStoredEvent } from "./order-projection";

const orderIdOf = orderStreams.idOf;

/** The order's row before the events, read in the same round trip as the load. */
export const prefetchOrderRow = (streamId: string) => statement("select * from standing_orders where order_id = $1", orderIdOf(streamId));

/** standing_orders, order_payments and the audit log for a run of one order's events. */
export function projectOrderEvents(events: readonly OrderStoredEvent[], context: ProjectionContext<unknown>): Projection {
  const first = events[0];
  if (!first) return { writes: [] };
  const prefetched = context.prefetched?.[0];
  let row: StandingOrderRow | undefined = first.streamPosition === 1n || !prefetched ? undefined : rowFromDriver(standingOrders, prefetched);
  const audit: AuditLogRow[] = [];
  const payments: OrderPaymentRow[] = [];
  const after: (StandingOrderRow | undefined)[] = [];
  const told: (NotificationRow | undefined)[] = [];
  for (const event of events) {
    row = evolveOrderRow(row, event);
    after.push(row);
    if (!row) continue;
    audit.push(orderAuditEntry(row, event));
    told.push(orderNotification(row, event));
    const payment = orderPaymentFor(row, event);
    if (payment) payments.push(payment);
  }
  if (!row) return { writes: [], rows: after };
  const writes: Statement[] = [upsertRowStatement(standingOrders, row, ["created_at"]), insertRowsStatement(auditLog, audit)];
  if (payments.length > 0) writes.push(insertRowsStatement(orderPayments, payments));
  writes.push(...notificationWrites(told));
  return { writes, rows: after };
}
