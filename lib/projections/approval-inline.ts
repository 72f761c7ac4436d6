import { insertRowsStatement, rowFromDriver, upsertRowStatement } from "../db/rows";
import { statement } from "../db/statement";
import { type ApprovalViewRow, approvalsView, auditLog } from "../db/schema";
import { approvalStreams } from "../domain/approval/events";
import type { Projection, ProjectionContext } from "../event-store/handle-command";
import { approvalAuditEntry, type ApprovalStoredEvent, evolveApprovalView } from "./approval-projection";

/** The approval's row before the events, read in the same round trip as the load. */
export const prefetchApprovalView = (streamId: string) =>
  statement("select * from approvals_view where approval_id = $1", approvalStreams.idOf(streamId));

/** approvals_view and the audit log for a run of one approval's events; the rows after each event. */
export function projectApprovalEvents(events: readonly ApprovalStoredEvent[], context: ProjectionContext<unknown>): Projection {
  const first = events[0];
  if (!first) return { writes: [] };
  const prefetched = context.prefetched?.[0];
  let row: ApprovalViewRow | undefined = first.streamPosition === 1n || !prefetched ? undefined : rowFromDriver(approvalsView, prefetched);
  const audit = [];
  const after: (ApprovalViewRow | undefined)[] = [];
  for (const event of events) {
    row = evolveApprovalView(row, event);
    after.push(row);
    if (row) audit.push(approvalAuditEntry(row, event));
  }
  if (!row) return { writes: [], rows: after };
  return { writes: [upsertRowStatement(approvalsView, row), insertRowsStatement(auditLog, audit)], rows: after };
}
