import type { AuditLogRow, InboundPaymentViewRow } from "../db/schema";
import type { InboundPaymentEvent } from "../domain/inbound-payment/events";
import { assertNever } from "../domain/shared/errors";
import { toDecimalString } from "../domain/shared/money";
import type { StoredEvent } from "../event-store/types";
import { auditRow } from "./audit-base";
import { entityView } from "./entity-view";

export type InboundPaymentStoredEvent = StoredEvent<InboundPaymentEvent>;

/** inbound_payments_view as a pure function of the payment's events. */
export const evolveInboundPaymentView = entityView<InboundPaymentEvent, "InboundPaymentReceived", InboundPaymentViewRow>({
  created: "InboundPaymentReceived",
  create: (d, event) => ({
    paymentId: d.paymentId,
    schemeId: d.schemeId,
    schemePaymentId: d.schemePaymentId,
    accountNumber: d.accountNumber,
    accountId: d.accountId,
    customerId: d.customerId,
    amount: d.amount,
    currency: d.currency,
    debtorName: d.debtor.name,
    debtorAccount: d.debtor.account,
    reference: d.reference,
    status: "pending",
    holdReason: null,
    returnCode: null,
    returnReason: null,
    receivedAt: event.recordedAt,
  }),
  change: (_row, e) => {
    switch (e.type) {
      case "InboundPaymentHeld":
        return { status: "held", holdReason: e.data.reason };
      case "InboundPaymentReleased":
        return { status: "pending" };
      case "InboundPaymentCredited":
        return { status: "credited" };
      case "InboundPaymentReturned":
        return { status: "returned", returnCode: e.data.code, returnReason: e.data.reason };
      default:
        return assertNever(e);
    }
  },
});

export function inboundPaymentAuditEntry(after: InboundPaymentViewRow, event: InboundPaymentStoredEvent): AuditLogRow {
  const e = event.event;
  const amount = `${toDecimalString(after.amount, after.currency as "EUR")} ${after.currency}`;
  const summaries: Record<InboundPaymentEvent["type"], string> = {
    InboundPaymentReceived: `Inbound payment of ${amount} from ${after.debtorName} received for ${after.accountNumber}`,
    InboundPaymentHeld: "Inbound payment held for review",
    InboundPaymentReleased: "Inbound payment released after review",
    InboundPaymentCredited: `Inbound payment of ${amount} credited to ${after.accountNumber}`,
    InboundPaymentReturned: `Inbound payment of ${amount} returned to the scheme`,
  };
  const reason =
    e.type === "InboundPaymentHeld" || e.type === "InboundPaymentReleased" || e.type === "InboundPaymentReturned"
      ? e.data.reason
      : e.type === "InboundPaymentReceived"
        ? e.data.reference
        : null;
  return auditRow(event, {
    outcome: e.type === "InboundPaymentHeld" || e.type === "InboundPaymentReturned" ? "rejected" : "accepted",
    accountId: after.accountId,
    customerId: after.customerId,
    summary: summaries[e.type],
    reason,
    changes: { status: { from: null, to: after.status } },
  });
}
