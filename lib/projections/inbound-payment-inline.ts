import { inboundPaymentsView } from "../db/schema";
import { inboundPaymentStreams } from "../domain/inbound-payment/events";
import { viewWriter } from "./entity-view";
import { evolveInboundPaymentView, inboundPaymentAuditEntry } from "./inbound-payment-projection";

/** inbound_payments_view and the audit log for a run of one payment's events; the rows after each event. */
export const inboundPaymentInline = viewWriter({
  table: inboundPaymentsView,
  keyColumn: "payment_id",
  idOf: inboundPaymentStreams.idOf,
  evolve: evolveInboundPaymentView,
  audit: inboundPaymentAuditEntry,
});
