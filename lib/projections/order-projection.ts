import type { AuditLogRow, OrderPaymentRow, StandingOrderRow } from "../db/schema";
import type { OrderEvent } from "../domain/order/events";
import { assertNever } from "../domain/shared/errors";
import { formatMoney } from "../domain/shared/money";
import type { StoredEvent } from "../event-store/types";
import { auditRow } from "./audit-base";

export type OrderStoredEvent = StoredEvent<OrderEvent>;

/** standing_orders as a pure function of the order's events. */
export function evolveOrderRow(row: StandingOrderRow | undefined, event: OrderStoredEvent): StandingOrderRow | undefined {
  const e = event.event;
  const touch = { version: event.streamPosition, updatedAt: event.recordedAt };
  if (e.type === "OrderCreated") {
    const d = e.data;
    return {
      orderId: d.orderId,
      ownerId: d.ownerId,
      fromAccountId: d.fromAccountId,
      toAccountNumber: d.payee.accountNumber,
      payeeName: d.payee.name,
      payeeId: d.payee.payeeId,
      amount: d.amount,
      currency: d.currency,
      reference: d.reference,
      schedule: d.schedule,
      timeZone: d.timeZone,
      status: "active",
      nextIndex: d.nextIndex,
      nextDueAt: new Date(d.nextDueAt),
      paymentsStarted: 0,
      paymentsFailed: 0,
      createdAt: event.recordedAt,
      ...touch,
    };
  }
  if (!row) return undefined;
  switch (e.type) {
    case "OrderPaymentStarted":
    case "OrderPaymentFailed":
      return {
        ...row,
        ...touch,
        paymentsStarted: row.paymentsStarted + (e.type === "OrderPaymentStarted" ? 1 : 0),
        paymentsFailed: row.paymentsFailed + (e.type === "OrderPaymentFailed" ? 1 : 0),
        nextIndex: e.data.nextIndex,
        nextDueAt: e.data.nextDueAt === null ? null : new Date(e.data.nextDueAt),
        status: e.data.nextDueAt === null ? "finished" : row.status,
      };
    case "OrderPaused":
      return { ...row, ...touch, status: "paused" };
    case "OrderResumed":
      return {
        ...row,
        ...touch,
        nextIndex: e.data.nextIndex,
        nextDueAt: e.data.nextDueAt === null ? null : new Date(e.data.nextDueAt),
        status: e.data.nextDueAt === null ? "finished" : "active",
      };
    case "OrderEdited":
      return {
        ...row,
        ...touch,
        amount: e.data.amount,
        reference: e.data.reference,
        schedule: e.data.schedule,
        timeZone: e.data.timeZone,
        nextIndex: e.data.nextIndex,
        nextDueAt: new Date(e.data.nextDueAt),
      };
    case "OrderCancelled":
      return { ...row, ...touch, status: "cancelled" };
    default:
      return assertNever(e);
  }
}

/** The payment row a due date leaves behind (none for the other events). */
export function orderPaymentFor(row: StandingOrderRow, event: OrderStoredEvent): OrderPaymentRow | undefined {
  const e = event.event;
  if (e.type !== "OrderPaymentStarted" && e.type !== "OrderPaymentFailed") return undefined;
  return {
    orderId: row.orderId,
    dueAt: new Date(e.data.dueAt),
    ownerId: row.ownerId,
    transferId: e.type === "OrderPaymentStarted" ? e.data.transferId : null,
    outcome: e.type === "OrderPaymentStarted" ? "started" : "failed",
    reason: e.type === "OrderPaymentFailed" ? e.data.reason : null,
    recordedAt: event.recordedAt,
  };
}

export function orderAuditEntry(row: StandingOrderRow, event: OrderStoredEvent): AuditLogRow {
  const e = event.event;
  const money = formatMoney(row.amount, row.currency as never);
  const to = `${row.payeeName} (${row.toAccountNumber})`;
  const base = { accountId: row.fromAccountId, customerId: row.ownerId, reason: null, outcome: "accepted" as const };
  switch (e.type) {
    case "OrderCreated":
      return auditRow(event, {
        ...base,
        summary: `Order set up: ${money} to ${to}, ${e.data.schedule.kind}, first on ${e.data.nextDueAt}`,
        changes: { status: { from: null, to: "active" } },
      });
    case "OrderPaymentStarted":
      return auditRow(event, {
        ...base,
        summary: `Order payment of ${money} to ${to} due ${e.data.dueAt} started as transfer ${e.data.transferId}`,
        changes: { nextDueAt: { from: e.data.dueAt, to: e.data.nextDueAt } },
      });
    case "OrderPaymentFailed":
      return auditRow(event, {
        ...base,
        outcome: "rejected",
        summary: `Order payment of ${money} to ${to} due ${e.data.dueAt} failed`,
        reason: e.data.reason,
        changes: { nextDueAt: { from: e.data.dueAt, to: e.data.nextDueAt } },
      });
    case "OrderPaused":
      return auditRow(event, { ...base, summary: `Order to ${to} paused`, changes: { status: { from: "active", to: "paused" } } });
    case "OrderResumed":
      return auditRow(event, {
        ...base,
        summary: `Order to ${to} resumed, next on ${e.data.nextDueAt ?? "no date left"}`,
        changes: { status: { from: "paused", to: row.status } },
      });
    case "OrderEdited":
      return auditRow(event, {
        ...base,
        summary: `Order to ${to} changed: ${money}, ${e.data.schedule.kind}, next on ${e.data.nextDueAt}`,
        changes: {},
      });
    case "OrderCancelled":
      return auditRow(event, { ...base, summary: `Order to ${to} cancelled`, changes: { status: { from: null, to: "cancelled" } } });
    default:
      return assertNever(e);
  }
}
