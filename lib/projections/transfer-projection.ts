import type { AuditLogRow, SanctionsEntryRow, TransferViewRow } from "../db/schema";
import type { SanctionsEvent } from "../domain/sanctions/sanctions";
import { assertNever } from "../domain/shared/errors";
import { toDecimalString } from "../domain/shared/money";
import type { TransferEvent } from "../domain/transfer/events";
import type { StoredEvent } from "../event-store/types";
import { auditRow } from "./audit-base";

export type TransferStoredEvent = StoredEvent<TransferEvent>;

const STEP_NAMES: Record<TransferEvent["type"], string> = {
  TransferRequested: "requested",
  TransferScreened: "screened",
  TransferHeld: "held",
  TransferReleased: "released",
  SourceDebitReserved: "reserved",
  DestinationCredited: "credited",
  DestinationCreditRefused: "credit_refused",
  SentToScheme: "sent",
  SchemeSettled: "settled",
  SchemeReturned: "returned",
  TransferCompleted: "completed",
  TransferFailed: "failed",
};

/** transfers_view as a pure function of the transfer's events. */
export function evolveTransferView(row: TransferViewRow | undefined, event: TransferStoredEvent): TransferViewRow | undefined {
  const e = event.event;
  const step = { step: STEP_NAMES[e.type], at: event.recordedAt.toISOString() };
  const touch = { version: event.streamPosition, lastGlobalPosition: event.globalPosition, updatedAt: event.recordedAt };
  if (e.type === "TransferRequested") {
    const d = e.data;
    return {
      transferId: d.transferId,
      fromAccountId: d.from.accountId,
      fromCustomerId: d.from.customerId,
      fromNumber: d.from.number,
      fromName: d.from.name,
      toAccountId: d.to.accountId,
      toCustomerId: d.to.customerId,
      toNumber: d.to.number,
      toName: d.to.name,
      amount: d.amount,
      currency: d.currency,
      reference: d.reference,
      status: "requested",
      external: d.external === true,
      schemeReference: null,
      steps: [step],
      holdReason: null,
      failureCode: null,
      failureReason: null,
      failureStep: null,
      requestedBy: event.metadata.actorId,
      requestedAt: event.recordedAt,
      ...touch,
    };
  }
  if (!row) return undefined;
  const next = { ...row, ...touch, steps: [...row.steps, step] };
  switch (e.type) {
    case "TransferScreened":
    case "TransferReleased":
      return { ...next, status: "screened" };
    case "TransferHeld":
      return { ...next, status: "held", holdReason: e.data.reason };
    case "SourceDebitReserved":
      return { ...next, status: "reserved" };
    case "DestinationCredited":
      return { ...next, status: "credited" };
    case "DestinationCreditRefused":
      return { ...next, status: "releasing", failureCode: e.data.code, failureReason: e.data.reason, failureStep: "credit" };
    case "SentToScheme":
      return { ...next, status: "sent" };
    case "SchemeSettled":
      return { ...next, status: "credited", schemeReference: e.data.schemeReference };
    case "SchemeReturned":
      return { ...next, status: "releasing", failureCode: e.data.code, failureReason: e.data.reason, failureStep: "scheme" };
    case "TransferCompleted":
      return { ...next, status: "completed" };
    case "TransferFailed":
      return { ...next, status: "failed", failureCode: e.data.code, failureReason: e.data.reason, failureStep: e.data.step };
    default:
      return assertNever(e);
  }
}

export { RUNNABLE_STATUSES } from "../domain/transfer/state";

export function transferAuditEntry(after: TransferViewRow, event: TransferStoredEvent): AuditLogRow {
  const e = event.event;
  const amount = `${toDecimalString(after.amount, after.currency as "EUR")} ${after.currency}`;
  const summaries: Record<TransferEvent["type"], string> = {
    TransferRequested: `Transfer of ${amount} requested from ${after.fromNumber} to ${after.toNumber}`,
    TransferScreened: "Transfer passed screening",
    TransferHeld: "Transfer held for review",
    TransferReleased: "Transfer released after review",
    SourceDebitReserved: `Reserved ${amount} on ${after.fromNumber}`,
    DestinationCredited: `Credited ${amount} to ${after.toNumber}`,
    DestinationCreditRefused: `Credit to ${after.toNumber} refused`,
    SentToScheme: `Payment of ${amount} to ${after.toNumber} sent to the scheme`,
    SchemeSettled: `Payment to ${after.toNumber} settled by the scheme`,
    SchemeReturned: `Payment to ${after.toNumber} returned by the scheme`,
    TransferCompleted: `Transfer of ${amount} completed`,
    TransferFailed: `Transfer failed`,
  };
  const reason =
    e.type === "TransferHeld" ||
    e.type === "TransferReleased" ||
    e.type === "TransferFailed" ||
    e.type === "DestinationCreditRefused" ||
    e.type === "SchemeReturned"
      ? e.data.reason
      : e.type === "TransferRequested"
        ? e.data.reference
        : null;
  const rejected = e.type === "TransferFailed" || e.type === "DestinationCreditRefused" || e.type === "TransferHeld" || e.type === "SchemeReturned";
  return auditRow(event, {
    outcome: rejected ? "rejected" : "accepted",
    accountId: after.fromAccountId,
    customerId: after.fromCustomerId,
    summary: summaries[e.type],
    reason,
    changes: { status: { from: null, to: after.status } },
  });
}

/** The current sanctions list as a pure function of the sanctions stream. */
export function evolveSanctionsEntries(
  entries: Map<string, SanctionsEntryRow>,
  event: StoredEvent<SanctionsEvent>,
): { upsert?: SanctionsEntryRow; remove?: string } {
  const e = event.event;
  switch (e.type) {
    case "SanctionsEntryAdded": {
      const row = { entryId: e.data.entryId, name: e.data.name, reason: e.data.reason, addedBy: event.metadata.actorId, addedAt: event.recordedAt };
      entries.set(row.entryId, row);
      return { upsert: row };
    }
    case "SanctionsEntryRemoved":
      entries.delete(e.data.entryId);
      return { remove: e.data.entryId };
    default:
      return assertNever(e);
  }
}

export function sanctionsAuditEntry(event: StoredEvent<SanctionsEvent>): AuditLogRow {
  const e = event.event;
  return auditRow(event, {
    outcome: "accepted",
    accountId: null,
    customerId: null,
    summary: e.type === "SanctionsEntryAdded" ? `Added "${e.data.name}" to the sanctions list` : `Removed "${e.data.name}" from the sanctions list`,
    reason: e.data.reason,
    changes: {},
  });
}
