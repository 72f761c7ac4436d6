import { describe, expect, it } from "vitest";

import type { OrderEvent } from "@/lib/domain/order/events";
import { evolveOrderRow, orderAuditEntry, orderPaymentFor, type OrderStoredEvent } from "@/lib/projections/order-projection";

let position = 0n;
function stored(event: OrderEvent): OrderStoredEvent {
  position += 1n;
  return {
    globalPosition: position,
    transactionId: "1",
    streamId: "order-o1",
    streamType: "order",
    streamPosition: position,
    eventId: `e${position}`,
    type: event.type,
    schemaVersion: 1,
    data: event.data,
    event,
    metadata: { actorId: "order-runner", actorRole: "system", commandId: null, correlationId: "o1", causationId: null, origin: "system" },
    recordedAt: new Date(`2025-01-0${Number(position)}T00:00:00Z`),
  } as OrderStoredEvent;
}

describe("order projection", () => {
  it("given an order and a payment, then the row moves to the next date and the payment row names its transfer", () => {
    const created = stored({
      type: "OrderCreated",
      data: {
        orderId: "o1",
        ownerId: "u1",
        fromAccountId: "a1",
        payee: { accountNumber: "LL0000000001", name: "Sa* Ok****", payeeId: null },
        amount: 4_500n,
        currency: "EUR",
        reference: "Rent",
        schedule: { kind: "monthly", startDate: "2025-01-01", dayOfMonth: 1, endDate: null, count: 2 },
        timeZone: "UTC",
        nextIndex: 0,
        nextDueAt: "2025-01-01T06:00:00Z",
      },
    });
    const paid = stored({
      type: "OrderPaymentStarted",
      data: { index: 0, dueAt: "2025-01-01T06:00:00Z", transferId: "t1", nextIndex: 1, nextDueAt: "2025-02-01T06:00:00Z" },
    });
    const last = stored({
      type: "OrderPaymentFailed",
      data: { index: 1, dueAt: "2025-02-01T06:00:00Z", reason: "No account has that number.", nextIndex: null, nextDueAt: null },
    });
    const afterCreate = evolveOrderRow(undefined, created)!;
    const afterPaid = evolveOrderRow(afterCreate, paid)!;
    const afterLast = evolveOrderRow(afterPaid, last)!;
    expect(afterPaid).toMatchObject({ status: "active", nextDueAt: new Date("2025-02-01T06:00:00Z"), paymentsStarted: 1, version: 2n });
    expect(afterLast).toMatchObject({ status: "finished", nextDueAt: null, paymentsStarted: 1, paymentsFailed: 1 });
    expect(orderPaymentFor(afterPaid, paid)).toMatchObject({ transferId: "t1", outcome: "started", dueAt: new Date("2025-01-01T06:00:00Z") });
    expect(orderPaymentFor(afterLast, last)).toMatchObject({ transferId: null, outcome: "failed", reason: "No account has that number." });
    expect(orderPaymentFor(afterCreate, created)).toBeUndefined();
    expect(orderAuditEntry(afterLast, last)).toMatchObject({
      outcome: "rejected",
      accountId: "a1",
      customerId: "u1",
      reason: "No account has that number.",
    });
    expect(orderAuditEntry(afterCreate, created).summary).toContain("€45.00");
  });
});
