import type { ApprovalViewRow, AuditLogRow } from "../db/schema";
import { APPROVAL_REFUSAL_TEXT } from "../domain/approval/decider";
import type { ApprovalEvent } from "../domain/approval/events";
import { assertNever } from "../domain/shared/errors";
import type { StoredEvent } from "../event-store/types";
import { auditRow } from "./audit-base";
import { entityView } from "./entity-view";

export type ApprovalStoredEvent = StoredEvent<ApprovalEvent>;

/** approvals_view as a pure function of an approval stream's events. */
export const evolveApprovalView = entityView<ApprovalEvent, "ApprovalRequested", ApprovalViewRow>({
  created: "ApprovalRequested",
  create: (d, event) => ({
    approvalId: d.approvalId,
    kind: d.kind,
    subjectId: d.subjectId,
    accountId: d.accountId,
    customerId: d.ownerIds[0] ?? null,
    round: d.round,
    status: "pending",
    amount: d.amount,
    currency: d.currency,
    description: d.description,
    requestedBy: d.requestedBy,
    requestReason: d.reason,
    requestedAt: event.recordedAt,
    decidedBy: null,
    decisionReason: null,
    decidedAt: null,
    refusals: 0,
  }),
  change: (row, e, event) => {
    switch (e.type) {
      case "ApprovalGranted":
      case "ApprovalDeclined":
        return {
          status: e.type === "ApprovalGranted" ? "granted" : "declined",
          decidedBy: event.metadata.actorId,
          decisionReason: e.data.reason,
          decidedAt: event.recordedAt,
        };
      case "ApprovalRefused":
        return { refusals: row.refusals + 1 };
      default:
        return assertNever(e);
    }
  },
});

export function approvalAuditEntry(after: ApprovalViewRow, event: ApprovalStoredEvent): AuditLogRow {
  const e = event.event;
  const what = after.description;
  const summary =
    e.type === "ApprovalRequested"
      ? `Second admin's approval requested: ${what}`
      : e.type === "ApprovalGranted"
        ? `Approved by a second admin: ${what}`
        : e.type === "ApprovalDeclined"
          ? `Declined by a second admin: ${what}`
          : `Refused ${e.data.decision} of "${what}": ${APPROVAL_REFUSAL_TEXT[e.data.code]}`;
  return auditRow(event, {
    outcome: e.type === "ApprovalRefused" ? "rejected" : "accepted",
    accountId: after.accountId,
    customerId: after.customerId,
    summary,
    reason: e.data.reason,
    changes: { status: { from: null, to: after.status } },
  });
}
