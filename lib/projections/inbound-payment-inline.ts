import { insertRowsStatement, rowFromDriver, upsertRowStatement } from "../db/rows";
import { statement } from "../db/statement";
import { auditLog, type InboundPaymentViewRow, inboundPaymentsView } from "../db/schema";
import { inboundPaymentStreams } from "../domain/inbound-payment/events";
import type { Projection, ProjectionContext } from "../event-store/handle-command";
import { evolveInboundPaymentView, inboundPaymentAuditEntry, type InboundPaymentStoredEvent } from "./inbound-payment-projection";

const paymentIdOf = inboundPaymentStreams.idOf;

/** The payment's row before the events, read in the same round trip as the load. */
export const prefetchInboundPaymentView = (streamId: string) =>
  statement("select * from inbound_payments_view where payment_id = $1", paymentIdOf(streamId));

/** inbound_payments_view and the audit log for a run of one payment's events; the rows after each event. */
export function projectInboundPaymentEvents(events: readonly InboundPaymentStoredEvent[], context: ProjectionContext<unknown>): Projection {
  const first = events[0];
  if (!first) return { writes: [] };
  const prefetched = context.prefetched?.[0];
  let row: InboundPaymentViewRow | undefined = first.streamPosition === 1n || !prefetched ? undefined : rowFromDriver(inboundPaymentsView, prefetched);
  const audit = [];
  const after: (InboundPaymentViewRow | undefined)[] = [];
  for (const event of events) {
    row = evolveInboundPaymentView(row, event);
    after.push(row);
    if (row) audit.push(inboundPaymentAuditEntry(row, event));
  }
  if (!row) return { writes: [], rows: after };
  return { writes: [upsertRowStatement(inboundPaymentsView, row), insertRowsStatement(auditLog, audit)], rows: after };
}
